"""Background work during a benchmark: queued, never run.

Checkpoints and notices are the worker's job, not the request's: a
benchmark queues them as the database backend would, without running
them, so that it times what a person waits for and nothing else.
"""

QUEUED_NOT_RUN = {
    "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
}
