"""The ledger's tables. Rows are only ever added: nothing here is edited
or deleted by faced, and `faced ledger verify` notices if anything is."""

from django.db import models


class LedgerEntry(models.Model):
    """One leaf of the log: an event, committed to by its leaf hash.

    `leaf_data` is the exact canonical JSON the leaf hash covers; the other
    columns repeat parts of it for queries, and verification checks that
    they agree with it.
    """

    sequence = models.PositiveBigIntegerField(primary_key=True)
    created_at = models.DateTimeField()
    event_type = models.CharField(max_length=60, db_index=True)
    # What the event is about (its "case" field), so that a case's
    # timeline is an index lookup rather than a scan of the whole log.
    subject = models.CharField(max_length=80, blank=True)
    leaf_data = models.TextField()
    leaf_hash = models.BinaryField(max_length=32)

    class Meta:
        ordering = ["sequence"]
        indexes = [
            models.Index(
                fields=["subject", "sequence"], name="ledger_entry_subject"
            )
        ]

    def __str__(self) -> str:
        return f"ledger entry {self.sequence}: {self.event_type}"


class LedgerNode(models.Model):
    """The hash of a complete (perfect) subtree of two or more leaves.

    Level L, position i covers leaves [i * 2**L, (i + 1) * 2**L). Such a hash
    never changes once the subtree is complete, and any root or proof for
    any tree size is built from O(log n) of them.
    """

    pk = models.CompositePrimaryKey("level", "position")
    level = models.PositiveSmallIntegerField()
    position = models.PositiveBigIntegerField()
    hash = models.BinaryField(max_length=32)

    def __str__(self) -> str:
        return f"ledger node {self.level}/{self.position}"


class LedgerHead(models.Model):
    """The size of the log; its row is locked by every append, so that
    appenders queue behind one another and never fork the tree."""

    size = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"ledger of {self.size} entries"


class Checkpoint(models.Model):
    """A signed note stating the log's size and root at a moment."""

    tree_size = models.PositiveBigIntegerField(db_index=True)
    root_hash = models.BinaryField(max_length=32)
    note = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-tree_size", "-id"]
        get_latest_by = "tree_size"

    def __str__(self) -> str:
        return f"checkpoint at {self.tree_size}"
