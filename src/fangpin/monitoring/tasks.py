"""Background jobs of monitoring (Django's tasks API; `fangpin db_worker` runs them)."""
from django_tasks import task


@task()
def screen(run_id: int) -> None:
    from .department import execute

    execute(run_id)


@task()
def enroll_event(event_id: int, user_id: int) -> None:
    from fangpin.accounts.models import User

    from .disasters import run_enrollment

    run_enrollment(event_id, User.objects.filter(pk=user_id).first())
