"""The matching escrow: adding an entry, and checking it for a match, with
10,000, 100,000 and 1,000,000 entries stored, beside a trial-decryption
matcher at the same sizes.

The escrow's figures are of the real `entry_add`: a survivor with keys, a
counselor whose keys the ledger published, the OPRF evaluated by the
in-process key service (so no network is counted), the share key sealed
to the counselor, the rows written and the match looked for, all in the
services' own transaction. Half of the adds name someone another survivor
named just before, so that they find a match (noted in the adding
transaction; its ledger entry and notices come later, from
`matches_publish`, on its own schedule, and are not timed here).

The trial-decryption matcher is the older Callisto approach: the entry's
payload is encrypted under a key stretched from the identifier by Argon2id
(one deployment-wide salt, at the cost faced gives passwords, 3 passes over
64 MiB), and checking a new entry means one Argon2id derivation and then an
XChaCha20-Poly1305 decryption attempt on every stored entry, streamed from
the same table. Its ratio to the escrow's add is how many times slower it
is. When measuring it would take more than TRIAL_LIMIT seconds, the figure
is extrapolated from the cost per entry measured at the previous size, and
labelled so.

The stored entries are written in bulk (the rows `entry_add` writes, with
random bytes where it writes ciphertext: indistinguishable), by owners
spread over a few thousand people, each with its share key sealed to the
one counselor. The table grows from one size to the next rather than being
filled again. On PostgreSQL it is ANALYZEd after each fill, as autovacuum
would after such growth.

FACED_BENCH_MATCHING_SIZES overrides the sizes (e.g. "10000,100000");
FACED_BENCH_MATCHING_POSTGRES_SIZES does the same on PostgreSQL.
"""

import datetime as dt
import os
import random
import statistics
import sys
import time
import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from bench.background import QUEUED_NOT_RUN
from bench.figures import Figure
from faced.accounts.custody import keys_create
from faced.crypto.envelope import DecryptionError, decrypt
from faced.crypto.keys import DEFAULT_COST, derive_wrapping_key
from faced.matching.models import Entry, EntryShareKey
from faced.matching.selectors import threshold
from faced.matching.services import _find_match, entry_add
from faced.orgs.roles import Role
from faced.orgs.services import role_grant

DEFAULT_SIZES = "10000,100000,1000000"
# PostgreSQL's leg runs at every size by default: it takes about six
# minutes on a small 2-core machine, most of it writing the million rows.
DEFAULT_POSTGRES_SIZES = DEFAULT_SIZES
ADDS = 50  # half of them find a match
WARM_UP = 4
CHECKS = 200
FILLER_OWNERS = 3000
BATCH = 20_000
TRIAL_LIMIT = 120.0  # seconds: measure the trial matcher below this
PASSWORD = "bench-password-for-matching"  # noqa: S105 (made-up people)
# The trial matcher's deployment-wide salt: every survivor naming the same
# person must derive the same key, so it cannot be per entry.
TRIAL_SALT = b"faced-bench-trl!"
TARGET = "< 50 ms at 1M, flat"


def _sizes() -> list[int]:
    if connection.vendor == "postgresql":
        text = os.environ.get(
            "FACED_BENCH_MATCHING_POSTGRES_SIZES",
            os.environ.get(
                "FACED_BENCH_MATCHING_SIZES", DEFAULT_POSTGRES_SIZES
            ),
        )
    else:
        text = os.environ.get("FACED_BENCH_MATCHING_SIZES", DEFAULT_SIZES)
    return sorted(int(part) for part in text.split(",") if part.strip())


def _say(text: str) -> None:
    # Progress on stderr: the PostgreSQL leg's stdout carries only JSON.
    print(f"[bench matching] {text}", file=sys.stderr, flush=True)


def run() -> list[Figure]:
    # The evaluation budget and the daily ration of additions are limits
    # the benchmark must not meet.
    with override_settings(
        TASKS=QUEUED_NOT_RUN,
        MATCHING_EVALUATIONS_PER_MINUTE=10**9,
        MATCHING_ENTRIES_PER_DAY=10**9,
    ):
        return _run()


class _People:
    def __init__(self) -> None:
        User = get_user_model()
        self.survivor = User.objects.create_user(
            username="bench-match-survivor", password=PASSWORD
        )
        self.survivor_keys, _recovery = keys_create(
            user=self.survivor, password=PASSWORD
        )
        self.second = User.objects.create_user(
            username="bench-match-second", password=PASSWORD
        )
        self.second_keys, _recovery = keys_create(
            user=self.second, password=PASSWORD
        )
        self.counselor = User.objects.create_user(
            username="bench-match-counselor", password=PASSWORD
        )
        keys_create(user=self.counselor, password=PASSWORD)
        # Granting the role publishes the counselor's keys in the ledger,
        # which is what entry_add seals share keys against.
        role_grant(user=self.counselor, role=Role.COUNSELOR)
        # No password and no keys: they only own entries.
        unusable = make_password(None)
        User.objects.bulk_create(
            User(
                username=f"bench-match-filler-{number:05d}", password=unusable
            )
            for number in range(FILLER_OWNERS)
        )
        self.filler_ids = list(
            User.objects.filter(
                username__startswith="bench-match-filler-"
            ).values_list("pk", flat=True)
        )


def _run() -> list[Figure]:
    rng = random.Random(9917)  # noqa: S311 (filler bytes, not secrets)
    people = _People()
    sample: list[str] = []  # indexes of stored entries, to look up
    figures: list[Figure] = []
    vendor = connection.vendor
    previous_trial: tuple[int, float] | None = None
    argon_ms = _argon_ms()
    for size in _sizes():
        start = time.perf_counter()
        _fill(size, people, rng, sample)
        fill_seconds = time.perf_counter() - start
        stored = Entry.objects.count()
        _say(f"{stored:,} entries stored ({fill_seconds:.1f} s)")
        label = f"{stored:,} entries, {vendor}"

        add, plain = _adds(people)
        check, lookup = _checks(sample, rng)
        trial_ms, extrapolated, per_entry_us = _trial(
            Entry.objects.count(), previous_trial, argon_ms
        )
        if not extrapolated:
            previous_trial = (stored, per_entry_us)
        _say(
            f"add p50 {statistics.median(add):.1f} ms, trial "
            f"{trial_ms:.0f} ms{' (extrapolated)' if extrapolated else ''}"
        )
        add_p50, add_p95 = _p50_p95(add)
        plain_p50, plain_p95 = _p50_p95(plain)
        figures += [
            Figure(
                f"escrow entry add + match check, {label}, p50",
                add_p50,
                "ms",
                "plain row insert + index lookup, p50",
                plain_p50,
                TARGET,
            ),
            Figure(
                f"escrow entry add + match check, {label}, p95",
                add_p95,
                "ms",
                "plain row insert + index lookup, p95",
                plain_p95,
                TARGET,
            ),
            Figure(
                f"match check alone (_find_match), {label}, p50",
                statistics.median(check),
                "ms",
                "primary-key lookup, p50",
                statistics.median(lookup),
            ),
            Figure(
                f"trial-decryption matcher, {label}"
                + (" (EXTRAPOLATED)" if extrapolated else ""),
                trial_ms,
                "ms",
                "escrow entry add p50 (ratio: trial / escrow)",
                add_p50,
            ),
            Figure(
                f"bulk-writing to {label} (setup)", fill_seconds, "s", "-", 0.0
            ),
        ]
    if previous_trial is not None:
        figures.append(
            Figure(
                f"trial decryption per stored entry ({vendor}, read + "
                "failed AEAD check)",
                previous_trial[1],
                "us",
                "-",
                0.0,
            )
        )
    figures.append(
        Figure(
            "trial matcher's Argon2id derivation (3 passes, 64 MiB), p50",
            argon_ms,
            "ms",
            "-",
            0.0,
        )
    )
    return figures


def _p50_p95(times: list[float]) -> tuple[float, float]:
    return statistics.median(times), statistics.quantiles(times, n=100)[94]


def _fill(size: int, people: _People, rng: random.Random, sample) -> None:
    """Grow the table to SIZE entries, in bulk."""
    moment = timezone.now() - dt.timedelta(days=365)
    kinds = Entry.Kind.values
    counselor_id = people.counselor.pk
    stored = Entry.objects.count()
    while stored < size:
        count = min(BATCH, size - stored)
        entries = [
            Entry(
                id=uuid.UUID(bytes=rng.randbytes(16), version=4),
                owner_id=rng.choice(people.filler_ids),
                kind=rng.choice(kinds),
                index=rng.randbytes(32).hex(),
                threshold=2,
                created_at=moment
                + dt.timedelta(seconds=rng.randrange(365 * 86400)),
                # nonce + 64-byte share + the entry key wrapped (nonce,
                # 32 bytes, tag) + tag, as entry_add writes it
                share_ciphertext=rng.randbytes(24 + 64 + 72 + 16),
                # nonce + a contact and a message of some length + tag
                payload_ciphertext=rng.randbytes(24 + rng.randint(140, 260)),
            )
            for _ in range(count)
        ]
        sample.extend(entry.index for entry in entries[::500])
        with transaction.atomic():
            Entry.objects.bulk_create(entries, batch_size=2000)
            EntryShareKey.objects.bulk_create(
                (
                    EntryShareKey(
                        entry_id=entry.id,
                        counselor_id=counselor_id,
                        # crypto_box_seal of a 32-byte key
                        sealed_key=rng.randbytes(32 + 16 + 32),
                    )
                    for entry in entries
                ),
                batch_size=2000,
            )
        stored += count
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Entry, EntryShareKey):
                cursor.execute(f"ANALYZE {model._meta.db_table}")


def _adds(people: _People) -> tuple[list[float], list[float]]:
    """ADDS real entry_adds, in pairs: the survivor names someone new, then
    a second survivor names the same person (a match). Each is taken turn
    about with the plain baseline, so that both meet the same machine."""
    times, plain = [], []
    for number in range(WARM_UP + ADDS // 2):
        named = f"{uuid.uuid4().hex}@example.org"
        for owner, keys in (
            (people.survivor, people.survivor_keys),
            (people.second, people.second_keys),
        ):
            start = time.perf_counter()
            entry = entry_add(
                owner=owner,
                keys=keys,
                kind=Entry.Kind.EMAIL,
                value=named,
                contact=f"Call {owner.username} after six, on the number "
                "you have.",
                message="I would like to talk to someone about it. " * 3,
            )
            elapsed = (time.perf_counter() - start) * 1000
            matched = owner is people.second
            found = Entry.objects.filter(pk=entry.pk, match__isnull=False)
            if found.exists() != matched:
                raise RuntimeError("entry_add did not match as it should")
            baseline = _plain_add(owner)
            if number >= WARM_UP:
                times.append(elapsed)
                plain.append(baseline)
    return times, plain


def _plain_add(owner) -> float:
    """The simplest possible add: one row, and a look at its index."""
    index = os.urandom(32).hex()
    start = time.perf_counter()
    with transaction.atomic():
        Entry.objects.create(
            owner=owner,
            kind=Entry.Kind.EMAIL,
            index=index,
            threshold=2,
            share_ciphertext=os.urandom(176),
            payload_ciphertext=os.urandom(230),
        )
        Entry.objects.filter(index=index).exists()
    return (time.perf_counter() - start) * 1000


def _checks(sample: list[str], rng) -> tuple[list[float], list[float]]:
    """_find_match alone, on stored indexes of one survivor each (no
    match: the common case), inside a transaction as entry_add calls it;
    beside a primary-key lookup of a stored entry."""
    some = list(
        Entry.objects.filter(index__in=sample)
        .order_by()
        .values_list("pk", flat=True)
    )
    checks, lookups = [], []
    for number in range(WARM_UP + CHECKS):
        index = rng.choice(sample)
        with transaction.atomic():
            start = time.perf_counter()
            if _find_match(index, threshold()) is not None:
                raise RuntimeError("a filler entry matched")
            check = (time.perf_counter() - start) * 1000
        primary = rng.choice(some)
        start = time.perf_counter()
        Entry.objects.filter(pk=primary).first()
        lookup = (time.perf_counter() - start) * 1000
        if number >= WARM_UP:
            checks.append(check)
            lookups.append(lookup)
    return checks, lookups


def _argon_ms() -> float:
    times = []
    for number in range(4):
        start = time.perf_counter()
        derive_wrapping_key(
            f"email:{number}@example.org", TRIAL_SALT, DEFAULT_COST
        )
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[1:])


def _trial_match(identifier: str) -> tuple[float, int, int]:
    """Check IDENTIFIER the older way: one Argon2id derivation, then an
    attempt to open every stored entry's payload with the key. The time
    (ms), how many entries were tried, and how many opened."""
    start = time.perf_counter()
    key = derive_wrapping_key(identifier, TRIAL_SALT, DEFAULT_COST)
    tried = opened = 0
    for pk, ciphertext in (
        Entry.objects.order_by()
        .values_list("pk", "payload_ciphertext")
        .iterator(chunk_size=5000)
    ):
        tried += 1
        try:
            decrypt(key, bytes(ciphertext), associated_data=pk.bytes)
        except DecryptionError:
            continue
        opened += 1
    return (time.perf_counter() - start) * 1000, tried, opened


def _trial(
    stored: int, previous: tuple[int, float] | None, argon_ms: float
) -> tuple[float, bool, float]:
    """The trial matcher's time (ms) at STORED entries, whether it was
    extrapolated, and its cost per entry (us)."""
    repeat = 3
    if previous is not None:
        estimate = argon_ms + previous[1] * stored / 1000
        if estimate / 1000 > TRIAL_LIMIT:
            return estimate, True, previous[1]
        if estimate / 1000 * repeat > TRIAL_LIMIT:
            repeat = 1
    times = []
    for _ in range(repeat):
        elapsed, tried, opened = _trial_match(
            f"email:{uuid.uuid4().hex}@example.org"
        )
        if tried != stored or opened:
            raise RuntimeError("the trial matcher did not try every entry")
        times.append(elapsed)
    trial_ms = statistics.median(times)
    return trial_ms, False, (trial_ms - argon_ms) * 1000 / stored
