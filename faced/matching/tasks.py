"""Background work of the matching escrow, run by `faced db_worker`."""

from django_tasks import task

from faced.notify.schedule import PERIODIC, keep_scheduled


@task()
def publish_matches() -> int:
    """Publish matches found since the last run, then queue the next run
    (how often: faced.notify.schedule.PERIODIC)."""
    from faced.matching.services import matches_publish

    try:
        return matches_publish()
    finally:
        every = dict(PERIODIC)[publish_matches.module_path]
        keep_scheduled(publish_matches, every)
