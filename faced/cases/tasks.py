"""Background work of cases, run by `faced db_worker`."""

from django_tasks import task

from faced.notify.schedule import PERIODIC, keep_scheduled


@task()
def check_deadlines() -> int:
    """Flag deadlines that have passed, then queue the next check (how
    often: faced.notify.schedule.PERIODIC)."""
    from faced.cases.services.deadlines import deadlines_check

    try:
        return deadlines_check()
    finally:
        # Even after a failure, so that one bad run does not stop the
        # checks until the next start.
        keep_scheduled(
            check_deadlines, dict(PERIODIC)[check_deadlines.module_path]
        )
