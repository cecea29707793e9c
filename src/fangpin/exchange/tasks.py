"""Background jobs of the exchange (Django's tasks API; `fangpin db_worker` runs them)."""
from django_tasks import task


@task()
def run_import(job_id: int) -> None:
    from .jobs import execute

    execute(job_id)


@task()
def run_list_export(job_id: int) -> None:
    from .list_exports import execute

    execute(job_id)
