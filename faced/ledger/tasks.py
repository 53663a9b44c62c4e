"""Background work of the ledger, run by `faced db_worker`."""

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def sign_checkpoint() -> int | None:
    """Sign a checkpoint if the log grew since the last one.

    A refusal is logged as an error, with what happened and what to run,
    and fails the task: the worker keeps going, signs nothing over that
    log, and refuses again after the next append until an operator acts.
    """
    from faced.ledger.services import CheckpointRefused, checkpoint_sign

    try:
        checkpoint = checkpoint_sign()
    except CheckpointRefused as refused:
        logger.error("The ledger's signer refused to sign: %s", refused)
        raise
    return checkpoint.tree_size if checkpoint else None
