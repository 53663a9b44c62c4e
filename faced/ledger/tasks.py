"""Background work of the ledger, run by `faced db_worker`."""

from django_tasks import task


@task()
def sign_checkpoint() -> int | None:
    """Sign a checkpoint if the log grew since the last one."""
    from faced.ledger.services import checkpoint_sign

    checkpoint = checkpoint_sign()
    return checkpoint.tree_size if checkpoint else None
