"""Background jobs of monitoring (Django's tasks API; `fangpin db_worker` runs them)."""
from django_tasks import task


@task()
def screen(run_id: int) -> None:
    from .department import execute

    execute(run_id)
