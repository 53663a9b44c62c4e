"""The ledger: appends per second, proofs and verification at a million
entries, and bytes per entry, each beside the in-memory tree as baseline.

The million-entry log is written in bulk (the same rows `ledger_append`
writes, computed in memory) so that the benchmark measures reading and
verifying, not a million separate transactions.
"""

import datetime as dt
import os
import time
from collections.abc import Iterable, Mapping

from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from bench.background import QUEUED_NOT_RUN
from bench.figures import Figure
from faced.ledger import merkle
from faced.ledger.models import (
    Checkpoint,
    LedgerEntry,
    LedgerHead,
    LedgerNode,
)
from faced.ledger.selectors import consistency_proof, inclusion_proof
from faced.ledger.services import leaf_data_for, ledger_append, subject_of
from faced.ledger.verify import ledger_verify

MILLION = int(os.environ.get("FACED_BENCH_LEDGER_SIZE", 1_000_000))
APPENDS = 300
PROOFS = 200


def _appends_per_second() -> tuple[float, float]:
    # Checkpoints are signed by the background worker, not by the appender.
    with override_settings(TASKS=QUEUED_NOT_RUN):
        start = time.perf_counter()
        for number in range(APPENDS):
            with transaction.atomic():
                ledger_append(event_type="bench", payload={"number": number})
        ours = APPENDS / (time.perf_counter() - start)

    tree = merkle.InMemoryTree()
    start = time.perf_counter()
    for number in range(APPENDS):
        tree.append(f'{{"number":{number}}}'.encode())
    return ours, APPENDS / (time.perf_counter() - start)


def appends_only() -> list[Figure]:
    """Appends on whatever database this process runs on."""
    ours, baseline = _appends_per_second()
    vendor = connection.vendor
    return [
        Figure(
            f"ledger appends, one per transaction ({vendor})",
            ours,
            "per s",
            "in-memory tree appends",
            baseline,
        ),
    ]


def _fill(size: int) -> merkle.InMemoryTree:
    """Write SIZE entries and their nodes in bulk; return the same tree in
    memory."""
    Checkpoint.objects.all().delete()
    LedgerEntry.objects.all().delete()
    LedgerNode.objects.all().delete()
    moment = timezone.now() - dt.timedelta(days=365)
    events = (
        (moment + dt.timedelta(seconds=number), "bench", {"number": number})
        for number in range(size)
    )
    return append_in_bulk(events, batch=20_000)


def append_in_bulk(
    events: Iterable[tuple[dt.datetime, str, Mapping[str, object]]],
    *,
    batch: int = 10_000,
) -> merkle.InMemoryTree:
    """Write EVENTS (time, type, payload) after the existing log, as
    `ledger_append` would have written them one by one: each entry (naming
    the one before it about the same subject) and the subtree hashes it
    completes, BATCH entries to a transaction, then the new head. The
    events' subjects must be new to the log. Returns the whole log's tree
    in memory."""
    previous: dict[str, int] = {}
    tree = merkle.InMemoryTree()
    for leaf in LedgerEntry.objects.order_by("sequence").values_list(
        "leaf_hash", flat=True
    ):
        tree.append_leaf_hash(bytes(leaf))
    entries, nodes = [], []
    for moment, event_type, payload in events:
        sequence = tree.size
        subject = subject_of(event_type, payload)
        if subject:
            payload = {**payload, "previous": previous.get(subject)}
            previous[subject] = sequence
        data = leaf_data_for(
            sequence=sequence,
            moment=moment,
            event_type=event_type,
            payload=payload,
        )
        leaf = merkle.leaf_hash(data.encode("utf-8"))
        tree.append_leaf_hash(leaf)
        entries.append(
            LedgerEntry(
                sequence=sequence,
                created_at=moment,
                event_type=event_type,
                subject=subject,
                leaf_data=data,
                leaf_hash=leaf,
            )
        )
        level, position = 0, sequence
        while position & 1:
            level, position = level + 1, position >> 1
            nodes.append(
                LedgerNode(
                    level=level,
                    position=position,
                    hash=tree.subtree(level, position),
                )
            )
        if len(entries) >= batch:
            with transaction.atomic():
                LedgerEntry.objects.bulk_create(entries)
                LedgerNode.objects.bulk_create(nodes)
            entries, nodes = [], []
    with transaction.atomic():
        LedgerEntry.objects.bulk_create(entries)
        LedgerNode.objects.bulk_create(nodes)
        LedgerHead.objects.update_or_create(pk=1, defaults={"size": tree.size})
    return tree


def _proof_ms(proof, repeat: int) -> float:
    import random

    chooser = random.Random(9162)  # noqa: S311 (which entries, not secrets)
    times = []
    for _ in range(repeat):
        arguments = proof(chooser)
        start = time.perf_counter()
        arguments()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return times[int(len(times) * 0.95) - 1]


def _bytes_per_entry(size: int) -> float:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_total_relation_size('ledger_ledgerentry') + "
                "pg_total_relation_size('ledger_ledgernode')"
            )
            return cursor.fetchone()[0] / size
    with connection.cursor() as cursor:
        try:
            cursor.execute(
                "SELECT SUM(pgsize) FROM dbstat "
                "WHERE name LIKE '%ledger_ledger%'"
            )
            return cursor.fetchone()[0] / size
        except Exception:  # SQLite built without dbstat: the whole file
            database = connection.settings_dict["NAME"]
            return os.path.getsize(database) / size


def million() -> list[Figure]:
    size = MILLION
    start = time.perf_counter()
    tree = _fill(size)
    fill_seconds = time.perf_counter() - start

    def inclusion(chooser):
        index = chooser.randrange(size)
        return lambda: inclusion_proof(index, size)

    def consistency(chooser):
        old = chooser.randrange(1, size)
        return lambda: consistency_proof(old, size)

    def memory_inclusion(chooser):
        index = chooser.randrange(size)
        return lambda: tree.inclusion_proof(index, size)

    def memory_consistency(chooser):
        old = chooser.randrange(1, size)
        return lambda: tree.consistency_proof(old, size)

    inclusion_ms = _proof_ms(inclusion, PROOFS)
    consistency_ms = _proof_ms(consistency, PROOFS)
    memory_inclusion_ms = _proof_ms(memory_inclusion, PROOFS)
    memory_consistency_ms = _proof_ms(memory_consistency, PROOFS)

    start = time.perf_counter()
    result = ledger_verify()
    verify_seconds = time.perf_counter() - start
    assert result.root == tree.root()

    start = time.perf_counter()
    rebuilt = merkle.InMemoryTree()
    for entry_data in LedgerEntry.objects.values_list(
        "leaf_data", flat=True
    ).iterator(chunk_size=5000):
        rebuilt.append(entry_data.encode())
    memory_verify = time.perf_counter() - start

    vendor = connection.vendor
    label = f"{size:,} entries, {vendor}"
    return [
        Figure(
            f"inclusion proof at {label}, p95",
            inclusion_ms,
            "ms",
            "in-memory tree",
            memory_inclusion_ms,
            "< 5 ms",
        ),
        Figure(
            f"consistency proof at {label}, p95",
            consistency_ms,
            "ms",
            "in-memory tree",
            memory_consistency_ms,
            "< 5 ms",
        ),
        Figure(
            f"faced ledger verify at {label}",
            verify_seconds,
            "s",
            "read + rebuild in memory",
            memory_verify,
            "< 60 s",
        ),
        Figure(
            f"bytes stored per entry ({vendor})",
            _bytes_per_entry(size),
            "B",
            "leaf data alone",
            sum(
                len(d)
                for d in LedgerEntry.objects.values_list(
                    "leaf_data", flat=True
                )[:1000]
            )
            / 1000,
        ),
        Figure(f"bulk-writing {label} (setup)", fill_seconds, "s", "-", 0.0),
    ]


def run() -> list[Figure]:
    return appends_only() + million()
