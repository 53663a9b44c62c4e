"""The committee's inbox and a case's pages with 10,000 cases in the
organization, each beside the health check asked by the same person.

The demo's people, records and cases are made as `faced demo` makes them,
and one case is worked through the services from report to signed finding
(panel, messages, panel records, reads, a measure notice), so that its
pages do all their real work: decrypting, checking the finding's
signatures and each timeline entry's inclusion proof against a signed
checkpoint. The rest of the 10,000 cases, with their keys, documents,
panels and ledger entries, are written in bulk (the same rows the services
write, computed in memory): one `ledger_append` per entry would take
minutes. FACED_BENCH_CASES sets how many cases there are.

Each page is asked through the test client, signed in through the sign-in
pages (password, then the authenticator's code), with the person's keys
unwrapped by their password.
"""

import base64
import datetime as dt
import math
import os
import random
import statistics
import time
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Q
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench.background import QUEUED_NOT_RUN
from bench.bench_ledger import append_in_bulk
from bench.figures import Figure
from faced.accounts.custody import keys_create, keys_unlock
from faced.cases.models import (
    Case,
    CaseDocument,
    CaseExclusion,
    CaseKey,
    CaseState,
    PanelSeat,
)
from faced.cases.selectors import (
    case_reference,
    committee_inbox,
    committee_members,
)
from faced.cases.services.conversation import message_send
from faced.cases.services.findings import finding_draft, finding_sign
from faced.cases.services.measures import measure_issue
from faced.cases.services.panel import (
    panel_record_add,
    path_propose,
)
from faced.cases.services.report import (
    case_report_open,
    case_submit,
    path_agree,
)
from faced.demo.personas import create_personas
from faced.demo.records import (
    create_demo_cases,
    create_demo_records,
    panel_heard,
)
from faced.ledger.models import LedgerEntry, LedgerHead, LedgerNode
from faced.ledger.services import checkpoint_sign
from faced.orgs.models import Organization
from faced.orgs.roles import Role
from faced.orgs.services import person_reference, role_grant
from faced.vault.services import record_save

CASES = int(os.environ.get("FACED_BENCH_CASES", 10_000))
REQUESTS = 200
WARM_UP = 5
PAGE_SIZE = 50
DEEP_PAGE = 100
PASSWORD = "bench-password-for-cases"  # noqa: S105 (made-up people)
# A committee of five: the demo's two members and three more.
MORE_MEMBERS = ("committee3", "committee4", "committee5")
# How far back the bulk cases go.
YEARS = 4
REPORT_TEXT = "Bench report: what happened, written at length. " * 30


def run() -> list[Figure]:
    # The one checkpoint the pages check against is signed below.
    with override_settings(TASKS=QUEUED_NOT_RUN):
        return _run()


def _run() -> list[Figure]:
    if get_user_model().objects.filter(username="committee1").exists():
        raise RuntimeError("bench_cases needs a fresh database.")
    start = time.perf_counter()
    users = _people()
    measured = _worked_case(users)
    _bulk_cases(users, CASES - Case.objects.count())
    checkpoint_sign(force=True)
    setup_seconds = time.perf_counter() - start

    organization = Organization.objects.get(slug="demo")
    total = Case.objects.filter(organization=organization).count()
    entries = LedgerEntry.objects.count()
    committee = _signed_in(users["committee1"])
    survivor = _signed_in(users["survivor"])
    # Cases the survivor kept this member off are not in their inbox.
    visible = committee_inbox(organization, users["committee1"]).count()
    pages = math.ceil(visible / PAGE_SIZE)
    deep = min(DEEP_PAGE, pages)
    inbox = "/o/demo/committee/"
    committee_case = f"/o/demo/committee/cases/{measured.pk}/"
    survivor_case = f"/my/cases/{measured.pk}/"
    _check(committee, inbox, measured.reference)
    _check(committee, f"{inbox}?page={deep}", f"Page {deep} of {pages}")
    for client, path in (
        (committee, committee_case),
        (survivor, survivor_case),
    ):
        _check(
            client,
            path,
            "Bench report",
            "Bench message 3",
            "Integrity: every signature is valid",
            "Integrity: all",
        )

    size = LedgerHead.objects.get(pk=1).size
    measured_pages = [
        (
            f"committee inbox, page 1 of {pages}",
            _timed(committee, inbox),
        ),
        (
            f"committee inbox, page {deep} of {pages}",
            _timed(committee, f"{inbox}?page={deep}"),
        ),
        (
            "committee case page (on its panel)",
            # Each read by a committee member is itself a ledger entry
            # (nobody reads a case unseen). It is taken out again after
            # each request, outside the timing, so that every request sees
            # the same case rather than one a request longer.
            _timed(
                committee,
                committee_case,
                after=lambda: _forget_entries_from(size),
            ),
        ),
        ("survivor's case page", _timed(survivor, survivor_case)),
    ]

    vendor = connection.vendor
    label = f"{total:,} cases, {entries:,} ledger entries, {vendor}"
    figures = []
    for name, (page, health) in measured_pages:
        for index, percentile in enumerate(("p50", "p95")):
            figures.append(
                Figure(
                    f"{name}, {label}, {percentile}",
                    page[index],
                    "ms",
                    f"health check, same person, {percentile}",
                    health[index],
                )
            )
    figures.append(
        Figure(f"writing {label} (setup)", setup_seconds, "s", "-", 0.0)
    )
    return figures


def _timed(
    client: Client, path: str, *, after: Callable[[], object] | None = None
) -> tuple[tuple[float, float], tuple[float, float]]:
    """p50 and p95, in milliseconds, of PATH and of the health check asked
    by the same CLIENT in turn with it, after a warm-up: taken turn about,
    both meet the same machine, however busy it is. AFTER runs after each
    request of PATH, untimed."""
    times: dict[str, list[float]] = {path: [], "/healthz": []}
    for number in range(WARM_UP + REQUESTS):
        for asked in times:
            start = time.perf_counter()
            client.get(asked)
            elapsed = (time.perf_counter() - start) * 1000
            if number >= WARM_UP:
                times[asked].append(elapsed)
            if asked == path and after is not None:
                after()
    page, health = (
        (statistics.median(t), statistics.quantiles(t, n=100)[94])
        for t in times.values()
    )
    return page, health


def _check(client: Client, path: str, *expected: str) -> None:
    """PATH answers 200 and shows what it should: the figures are of the
    page doing its work, not of a refusal or an error page."""
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    text = response.content.decode()
    for wanted in expected:
        if wanted not in text:
            raise RuntimeError(f"{path} does not show {wanted!r}")
    if "does not hold" in text:
        raise RuntimeError(f"{path} reports an integrity problem")


def _signed_in(user) -> Client:
    """A client signed in through the sign-in pages: the password unwraps
    the person's keys, and a role holder gives the code from their app."""
    client = Client()
    response = client.post(
        "/signin/", {"username": user.username, "password": PASSWORD}
    )
    if response.status_code != 302:
        raise RuntimeError(f"{user.username} could not sign in")
    if response["Location"] == "/signin/code/":
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        code = TOTP(device.bin_key, device.step, device.t0, device.digits)
        response = client.post(
            "/signin/code/", {"code": f"{code.token():0{device.digits}d}"}
        )
        if response.status_code != 302:
            raise RuntimeError(f"{user.username}'s code was refused")
    return client


def _people() -> dict:
    """The demo's people, records and cases, and a committee of five."""
    users = create_personas(password=PASSWORD)
    demo = Organization.objects.get(slug="demo")
    User = get_user_model()
    for username in MORE_MEMBERS:
        user = User.objects.create_user(username=username, password=PASSWORD)
        keys_create(user=user, password=PASSWORD)
        role_grant(user=user, role=Role.COMMITTEE, organization=demo)
        TOTPDevice.objects.create(user=user, name="Bench", confirmed=True)
        users[username] = user
    create_demo_records(users, PASSWORD)
    create_demo_cases(users, PASSWORD)
    return users


def _worked_case(users: dict) -> Case:
    """A report worked through the services to a signed finding, read by
    its panel many times over, as a case some months old would be."""
    survivor = users["survivor"]
    first, second = users["committee1"], users["committee2"]
    keys = keys_unlock(user=survivor, password=PASSWORD)
    first_keys = keys_unlock(user=first, password=PASSWORD)
    second_keys = keys_unlock(user=second, password=PASSWORD)
    record = record_save(
        owner=survivor,
        keys=keys,
        fields={"when": "Last spring", "what": REPORT_TEXT},
    ).version.record
    case = case_submit(
        survivor=survivor,
        keys=keys,
        record=record,
        organization=Organization.objects.get(slug="demo"),
        included_fields=["when", "what"],
        outcomes=["heard", "no_contact"],
        respondent="Bench respondent (no real person)",
    )
    panel_heard(
        case, [first, second], acknowledged_by=first, password=PASSWORD
    )
    for number in range(4):
        message_send(
            case=case,
            author=first,
            keys=first_keys,
            text=f"Bench message {number} from the panel. " * 10,
        )
        message_send(
            case=case,
            author=survivor,
            keys=keys,
            text=f"Bench message {number} from the survivor. " * 10,
        )
    path_propose(case=case, member=first, path="investigation")
    path_agree(case=case, survivor=survivor, keys=keys, path="investigation")
    for kind, member, member_keys in (
        ("statement", second, second_keys),
        ("note", first, first_keys),
        ("evidence", second, second_keys),
    ):
        panel_record_add(
            case=case,
            member=member,
            keys=member_keys,
            kind=kind,
            text=f"Bench {kind}: " + "what the panel wrote down. " * 20,
        )
    for _ in range(10):
        for member, member_keys in (
            (first, first_keys),
            (second, second_keys),
        ):
            case_report_open(case=case, reader=member, keys=member_keys)
    finding = finding_draft(
        case=case,
        member=first,
        keys=first_keys,
        outcome="upheld",
        rationale="Bench finding: " + "the panel's reasons. " * 40,
        measures="No contact with the person who reported.",
    )
    finding_sign(finding=finding, member=first, keys=first_keys)
    finding_sign(finding=finding, member=second, keys=second_keys)
    measure_issue(
        case=case,
        member=first,
        keys=first_keys,
        subject="Bench respondent",
        measure="No contact with the person who reported",
        until="1 June 2027",
    )
    return case


# The ledger events each state of a bulk case has behind it.
BASE = ("case_submitted",)
ACKNOWLEDGED = (
    *BASE,
    "panel_assigned",
    "conflict_declared",
    "conflict_declared",
    "case_acknowledged",
)
UNDER_WAY = (*ACKNOWLEDGED, "message_sent", "path_proposed", "path_agreed")
HISTORY = {
    CaseState.SUBMITTED: BASE,
    CaseState.ACKNOWLEDGED: ACKNOWLEDGED,
    CaseState.UNDER_WAY: UNDER_WAY,
    CaseState.FINDING: (*UNDER_WAY, "finding_drafted", "finding_signed"),
    CaseState.WITHDRAWN: (*BASE, "case_withdrawn"),
}


def _state_for(age: dt.timedelta, chooser: random.Random) -> CaseState:
    """Recent reports wait or are under way; older ones mostly ended."""
    if age < dt.timedelta(days=14):
        weights = {CaseState.SUBMITTED: 1, CaseState.ACKNOWLEDGED: 1}
    elif age < dt.timedelta(days=120):
        weights = {
            CaseState.ACKNOWLEDGED: 2,
            CaseState.UNDER_WAY: 6,
            CaseState.FINDING: 1,
            CaseState.WITHDRAWN: 1,
        }
    else:
        weights = {
            CaseState.UNDER_WAY: 1,
            CaseState.FINDING: 15,
            CaseState.WITHDRAWN: 4,
        }
    return chooser.choices(list(weights), list(weights.values()))[0]


def _payload(
    event_type: str, case: Case, panel: list, chooser: random.Random
) -> dict:
    """An event shaped as the service that writes it shapes it."""
    reference = case_reference(case)
    people = [person_reference(member) for member in panel]
    if event_type == "case_submitted":
        return {
            "case": reference,
            "organization": "demo",
            "acknowledge_by": case.acknowledge_by.date().isoformat(),
        }
    if event_type == "panel_assigned":
        return {"case": reference, "members": sorted(people), "by": people[0]}
    if event_type == "conflict_declared":
        return {
            "case": reference,
            "person": chooser.choice(people),
            "conflict": False,
        }
    if event_type == "case_acknowledged":
        return {"case": reference, "by": people[0], "on_time": True}
    if event_type == "message_sent":
        return {
            "case": reference,
            "from": chooser.choice(["panel", "survivor"]),
        }
    if event_type == "finding_drafted":
        return {"case": reference, "by": people[0]}
    if event_type == "finding_signed":
        return {
            "case": reference,
            "commitment": chooser.randbytes(32).hex(),
            "signatures": [
                {
                    "person": person,
                    "signature": base64.b64encode(
                        chooser.randbytes(64)
                    ).decode("ascii"),
                }
                for person in people
            ],
        }
    return {"case": reference}


def _bulk_cases(users: dict, count: int) -> None:
    """COUNT cases over the last YEARS years from a few thousand survivors,
    with the rows the services would have written for them, and their
    ledger entries interleaved in time order after the existing log."""
    if count <= 0:
        return
    chooser = random.Random(6)  # noqa: S311 (shapes of data, not secrets)
    organization = Organization.objects.get(slug="demo")
    members = committee_members(organization)
    author = users["committee1"]
    User = get_user_model()
    survivors = User.objects.bulk_create(
        User(
            username=f"bench-survivor-{number:05d}",
            password=make_password(None),
        )
        for number in range(max(1, count // 3))
    )
    now = timezone.now()
    span = dt.timedelta(days=365 * YEARS)
    taken = set(Case.objects.values_list("reference", flat=True))
    numbers: dict[int, int] = {}
    events = []
    for chunk_start in range(0, count, 1000):
        cases, keys, exclusions, documents, seats = [], [], [], [], []
        for number in range(chunk_start, min(count, chunk_start + 1000)):
            submitted = now - span + span * (number + 0.5) / count
            year = submitted.year
            numbers[year] = numbers.get(year, 0) + 1
            while f"C-{year}-{numbers[year]:04d}" in taken:
                numbers[year] += 1
            state = _state_for(now - submitted, chooser)
            responded = state not in (
                CaseState.SUBMITTED,
                CaseState.ACKNOWLEDGED,
                CaseState.WITHDRAWN,
            )
            case = Case(
                organization=organization,
                reference=f"C-{year}-{numbers[year]:04d}",
                survivor=chooser.choice(survivors),
                state=state,
                submitted_at=submitted,
                acknowledge_by=submitted
                + dt.timedelta(days=organization.acknowledge_days),
                respond_by=submitted
                + dt.timedelta(days=organization.respond_days),
                responded_at=submitted + dt.timedelta(days=5)
                if responded
                else None,
                proposed_path="investigation" if responded else "",
                path="investigation" if responded else "",
                paused_at=submitted + dt.timedelta(days=20)
                if state == CaseState.UNDER_WAY and chooser.random() < 0.03
                else None,
            )
            cases.append(case)
            # One report in twenty keeps a committee member off the case.
            excluded = (
                {chooser.choice(members).pk}
                if chooser.random() < 0.05
                else set()
            )
            readers = [m for m in members if m.pk not in excluded]
            exclusions += [
                CaseExclusion(case=case, member_id=pk) for pk in excluded
            ]
            panel = chooser.sample(readers, 2)
            history = HISTORY[state]
            if "panel_assigned" in history:
                seats += [
                    PanelSeat(
                        case=case,
                        member=member,
                        assigned_by=panel[0],
                        assigned_at=submitted + dt.timedelta(days=2),
                        has_conflict=False,
                        declared_at=submitted + dt.timedelta(days=3),
                    )
                    for member in panel
                ]
                # Assigning a panel destroys everyone else's copy.
                readers = panel
            keys += [
                CaseKey(case=case, reader=reader, sealed_key=_sealed())
                for reader in [case.survivor, *readers]
            ]
            documents.append(
                CaseDocument(
                    case=case,
                    kind=CaseDocument.Kind.REPORT,
                    author=case.survivor,
                    wrapped_key=chooser.randbytes(72),
                    ciphertext=chooser.randbytes(1500),
                )
            )
            documents += [
                CaseDocument(
                    case=case,
                    kind=CaseDocument.Kind.MESSAGE,
                    author=author,
                    wrapped_key=chooser.randbytes(72),
                    ciphertext=chooser.randbytes(400),
                )
                for event_type in history
                if event_type == "message_sent"
            ]
            for step, event_type in enumerate(history):
                moment = min(
                    submitted + dt.timedelta(days=step * 3, minutes=step),
                    now - dt.timedelta(minutes=1),
                )
                events.append(
                    (
                        moment,
                        event_type,
                        _payload(event_type, case, panel, chooser),
                    )
                )
        with transaction.atomic():
            Case.objects.bulk_create(cases)
            CaseExclusion.objects.bulk_create(exclusions)
            PanelSeat.objects.bulk_create(seats)
            CaseKey.objects.bulk_create(keys)
            CaseDocument.objects.bulk_create(documents)
    events.sort(key=lambda event: event[0])
    append_in_bulk(events)


def _sealed() -> bytes:
    # A sealed 32-byte key: 32 bytes of key, 48 of sealed-box overhead.
    return os.urandom(80)


def _forget_entries_from(size: int) -> None:
    """Take the log back to SIZE entries: the entries from SIZE on, and
    every subtree hash that covers one of them."""
    with transaction.atomic():
        LedgerEntry.objects.filter(sequence__gte=size).delete()
        covering = Q()
        for level in range(1, size.bit_length() + 2):
            covering |= Q(level=level, position__gte=size >> level)
        LedgerNode.objects.filter(covering).delete()
        LedgerHead.objects.filter(pk=1).update(size=size)
