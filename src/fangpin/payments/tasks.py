"""Background jobs of payments (Django's tasks API; `fangpin db_worker` runs them)."""
from django_tasks import task


@task()
def run_round(round_id: int) -> None:
    from .rounds import compute

    compute(round_id)
