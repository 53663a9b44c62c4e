"""Writes of the matching escrow: entries, matches, a counselor's opening.

How an entry is made (the Callisto design):

1. The identifier is normalized, then hardened by the RFC 9497 OPRF with
   the deployment's matching key, which lives in the key service: the
   server blinds it, so even the key service never sees it.
2. From the 64-byte OPRF output come the match index and a derivation key
   k (keyed BLAKE2b, each with its own personalization). From k come the
   coefficients of a polynomial whose constant term is the payload key.
3. The entry stores the index; the survivor's share of that polynomial (at
   a point derived from k and the survivor, so that one survivor filing
   twice adds no second share) together with the entry's own key wrapped
   under the constant term, both encrypted under a share key sealed to
   each counselor; and the payload encrypted under the entry's own key.

The server can see which entries share an index, and nothing else; a
counselor can open entries only when the threshold of distinct survivors
(default 2) have named the same person, by combining their shares.
"""

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from faced.accounts.models import User
from faced.crypto import shamir
from faced.crypto.envelope import (
    DecryptionError,
    decrypt,
    encrypt,
    new_content_key,
    seal_key,
)
from faced.crypto.keys import PersonKeys
from faced.crypto.signing import canonical_json
from faced.ledger.services import ledger_append
from faced.matching.errors import MatchingError
from faced.matching.keyservice import KeyServiceError, oprf_outputs
from faced.matching.models import (
    Entry,
    EntryAddition,
    EntryShareKey,
    HeldReport,
    Match,
)
from faced.matching.normalize import NotAnIdentifier, normalize
from faced.matching.sealing import associated_data
from faced.matching.selectors import counselors, threshold
from faced.notify.services import notify
from faced.orgs.models import Organization
from faced.orgs.roles import Role
from faced.orgs.services import person_reference, person_signer
from faced.vault.models import VaultRecord
from faced.vault.services import (
    VaultError,
    open_own_copy,
    own_public_key,
    seal_to_confirmed,
)

_INDEX_PERSON = b"faced.match.idx"
_KEY_PERSON = b"faced.match.key"


def derive(oprf_output: bytes) -> tuple[str, bytes]:
    """The match index (hex) and the derivation key k of one OPRF output."""
    index = hashlib.blake2b(
        oprf_output, digest_size=32, person=_INDEX_PERSON
    ).hexdigest()
    key = hashlib.blake2b(
        oprf_output, digest_size=32, person=_KEY_PERSON
    ).digest()
    return index, key


def match_reference(match: Match) -> str:
    return f"match/{match.pk}"


def index_commitment(index: str) -> str:
    """What the public ledger says of an index: a hash of it, so that the
    log never carries the index an entry is stored under."""
    return hashlib.sha256(
        b"faced match commitment|" + index.encode()
    ).hexdigest()


def entry_add(
    *,
    owner: User,
    keys: PersonKeys,
    kind: str,
    value: str,
    contact: str,
    message: str = "",
    region: str = "GB",
    organization: str = "",
) -> Entry:
    """Store an escrow entry naming someone, for OWNER. Raises
    MatchingError with a message to show when the identifier does not
    read as one, the key service cannot answer, nobody could ever open a
    match (no counselor), or the survivor named this person this way
    already. A match found is recorded at once."""
    if kind not in Entry.Kind.values:
        raise MatchingError(_("Choose what kind of identifier this is."))
    contact, message = contact.strip(), message.strip()
    if len(contact) > 2000 or len(message) > 5000:
        raise MatchingError(
            _(
                "Please keep how to reach you under 2,000 characters and "
                "the message under 5,000."
            )
        )
    if not contact:
        raise MatchingError(
            _(
                "Say how a counselor can reach you, safely, if someone else "
                "names the same person."
            )
        )
    try:
        canonical = normalize(
            kind, value, region=region, organization=organization
        )
    except NotAnIdentifier as error:
        raise MatchingError(str(error)) from None
    except ValueError:
        # An unknown country code: the form's, not the survivor's words.
        raise MatchingError(
            _("Choose the country by its two-letter code, like GB or IE.")
        ) from None
    readers = counselors()
    if not readers:
        raise MatchingError(
            _(
                "This server has no counselor yet, so nobody could ever put "
                "you in touch. Nothing was stored."
            )
        )
    # Rationed before the key service is asked, so that a refused
    # addition spends none of its budget.
    _check_ration(owner)
    try:
        (output,) = oprf_outputs([canonical.encode("utf-8")])
    except KeyServiceError as error:
        raise MatchingError(str(error)) from None
    index, k = derive(output)
    level = threshold()
    share = shamir.make_share(
        k, level, shamir.point_from_identity(k, str(owner.pk).encode())
    )
    shared_key = shamir.secret_key(k, level)
    entry_key = new_content_key()
    share_key = new_content_key()
    sealed = seal_to_confirmed(share_key, readers)
    if not sealed:
        raise MatchingError(
            _(
                "No counselor's key could be confirmed against the ledger, "
                "so nothing was stored. Please tell the people who run "
                "this server."
            )
        )
    try:
        own_public_key(owner, keys)
    except VaultError as error:
        raise MatchingError(str(error)) from None
    entry = Entry(owner=owner, kind=kind, index=index, threshold=level)
    wrapped_entry_key = encrypt(
        shared_key,
        entry_key,
        associated_data=associated_data(entry.pk, "entry key"),
    )
    entry.share_ciphertext = encrypt(
        share_key,
        shamir.share_to_bytes(share) + wrapped_entry_key,
        associated_data=associated_data(entry.pk, "share"),
    )
    entry.payload_ciphertext = encrypt(
        entry_key,
        canonical_json({"contact": contact, "message": message}),
        associated_data=associated_data(entry.pk, "payload"),
    )
    with transaction.atomic():
        _count_an_addition(owner)
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError:
            raise MatchingError(
                _("You have named this person this way already.")
            ) from None
        EntryShareKey.objects.bulk_create(
            EntryShareKey(entry=entry, counselor=reader, sealed_key=key)
            for reader, key in sealed
        )
        _find_match(index, level)
    entry.refresh_from_db()
    return entry


def _check_ration(owner: User) -> None:
    """At most MATCHING_ENTRIES_PER_DAY additions per survivor per day,
    withdrawn ones included: each addition is a question to the escrow
    ("has anyone named this person?"), so they are rationed."""
    limit = settings.MATCHING_ENTRIES_PER_DAY
    since = timezone.now() - dt.timedelta(days=1)
    EntryAddition.objects.filter(added_at__lt=since).delete()
    if EntryAddition.objects.filter(owner=owner).count() >= limit:
        raise MatchingError(
            _(
                "You have added %(n)s entries in the last day, the most "
                "faced allows. Please come back tomorrow."
            )
            % {"n": limit}
        )


def _count_an_addition(owner: User) -> None:
    # Checked again inside the adding transaction: two additions at once
    # cannot both slip under the ration.
    _check_ration(owner)
    EntryAddition.objects.create(owner=owner)


def _find_match(index: str, level: int) -> Match | None:
    """Note a match when entries of the threshold of distinct survivors
    share INDEX, inside the adding transaction. Adders of one index queue
    behind each other, so that two survivors adding at once cannot each
    miss the other's entry. Nobody is told yet: matches_publish does that,
    on its own schedule."""
    _lock_index(index)
    entries = Entry.objects.select_for_update().filter(
        index=index, threshold=level
    )
    owners = {entry.owner_id for entry in entries}
    if len(owners) < level:
        return None
    match, _created = Match.objects.get_or_create(index=index, threshold=level)
    entries.filter(match=None).update(match=match)
    return match


def matches_publish() -> int:
    """Record each match found (or grown) since the last run in the
    ledger (a commitment to its index and its count only) and tell the
    counselors. Run periodically, so that the ledger's timing does not
    tell an adder whether their entry completed a match. Returns how many
    were published."""
    published = 0
    # One query finds the matches whose count changed since last run.
    changed = Match.objects.annotate(
        count=Count("entries__owner", distinct=True)
    ).exclude(count=F("published_count"))
    for match in changed:
        count = match.count
        with transaction.atomic():
            if not Match.objects.filter(
                pk=match.pk, published_count=match.published_count
            ).update(published_count=count, published_at=timezone.now()):
                continue
            ledger_append(
                event_type="match_found"
                if match.published_at is None
                else "match_grew",
                payload={
                    "match": match_reference(match),
                    "commitment": index_commitment(match.index),
                    "count": count,
                },
            )
            notify(counselors())
        published += 1
    return published


def _lock_index(index: str) -> None:
    # SQLite's IMMEDIATE transactions already let one writer in at a time;
    # PostgreSQL takes a transaction-scoped lock named after the index.
    if connection.vendor != "postgresql":
        return
    number = int.from_bytes(bytes.fromhex(index)[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])


def entry_withdraw(*, entry: Entry, owner: User) -> None:
    """The survivor withdraws an entry that no counselor has opened: it is
    deleted, and with it every sealed copy of its share key and its entry
    key (crypto-shredded)."""
    if entry.owner_id != owner.pk:
        raise MatchingError(_("This entry is not yours."))
    with transaction.atomic():
        locked = Entry.objects.select_for_update().filter(pk=entry.pk).first()
        if locked is None:
            raise MatchingError(_("This entry was withdrawn already."))
        match = locked.match
        if match is not None and match.opened_at is not None:
            raise MatchingError(
                _(
                    "A counselor has this entry and is getting in touch. "
                    "Tell them if you would rather not go on."
                )
            )
        locked.delete()
        if match is not None:
            # A match no counselor opened yet dissolves when it no longer
            # has enough survivors; the survivor is never told it existed.
            owners = match.entries.values("owner").distinct().count()
            if owners < match.threshold:
                match.entries.update(match=None)
                match.delete()


def match_open(
    *, match: Match, counselor: User, keys: PersonKeys
) -> list[dict[str, object]]:
    """A counselor combines the matched entries' shares, unwraps each
    entry's key with the key they recover, and opens the payloads. Each
    opening is a ledger entry; the first tells the matched survivors that
    a counselor will be in touch. An entry made before this counselor
    joined was not sealed to them and stays closed to them."""
    if match.published_at is None:
        raise MatchingError(_("This match is not published yet."))
    entries = list(match.entries.all())
    shares, wrapped = [], {}
    for entry in entries:
        copies = entry.share_keys.filter(counselor=counselor)
        if not copies.exists():
            continue
        share_key = open_own_copy(
            copies,
            keys,
            missing=_("This entry was not sealed to you."),
            damaged=_("Your copy of this entry's key does not open."),
            error=MatchingError,
        )
        try:
            opened = decrypt(
                share_key,
                bytes(entry.share_ciphertext),
                associated_data=associated_data(entry.pk, "share"),
            )
            shares.append(
                shamir.share_from_bytes(opened[: shamir.SHARE_BYTES])
            )
        except (DecryptionError, ValueError):
            raise MatchingError(
                _("An entry's share could not be opened: its data changed.")
            ) from None
        wrapped[entry.pk] = opened[shamir.SHARE_BYTES :]
    if len({x for x, _y in shares}) < max(2, match.threshold):
        raise MatchingError(
            _(
                "There are not enough entries sealed to you to open this "
                "match; another counselor may be able to."
            )
        )
    shared_key = shamir.secret_to_bytes(shamir.recover_secret(shares))
    result: list[dict[str, object]] = []
    for entry in entries:
        try:
            entry_key = decrypt(
                shared_key,
                wrapped[entry.pk],
                associated_data=associated_data(entry.pk, "entry key"),
            )
            payload = json.loads(
                decrypt(
                    entry_key,
                    bytes(entry.payload_ciphertext),
                    associated_data=associated_data(entry.pk, "payload"),
                )
            )
        except (KeyError, DecryptionError):
            payload = None
        result.append({"entry": entry, "payload": payload})
    with transaction.atomic():
        first = Match.objects.filter(pk=match.pk, opened_at=None).update(
            opened_at=timezone.now()
        )
        ledger_append(
            event_type="match_opened",
            payload={
                "match": match_reference(match),
                "by": person_reference(counselor),
            },
            signer=person_signer(counselor, keys),
        )
        if first:
            notify(entry.owner for entry in entries)
    return result


def entry_mark_contacted(*, entry: Entry, counselor: User) -> None:
    match = entry.match
    if match is None:
        raise MatchingError(_("Only matched entries are contacted."))
    with transaction.atomic():
        updated = Entry.objects.filter(pk=entry.pk, contacted_at=None).update(
            contacted_at=timezone.now()
        )
        if not updated:
            raise MatchingError(
                _("This survivor was marked contacted already.")
            )
        ledger_append(
            event_type="match_contacted",
            payload={
                "match": match_reference(match),
                "by": person_reference(counselor),
            },
        )
        notify([entry.owner])


# Going together.


def report_hold(
    *,
    entry: Entry,
    owner: User,
    keys: PersonKeys,
    record: VaultRecord,
    organization: Organization,
    included_fields: list[str],
    outcomes: list[str],
) -> HeldReport:
    """Prepare a report to ORGANIZATION's committee that waits for a
    match: what it would include is sealed to the survivor alone."""
    if entry.owner_id != owner.pk or record.owner_id != owner.pk:
        raise MatchingError(_("You can only hold your own report."))
    item_key = new_content_key()
    try:
        public = own_public_key(owner, keys)
    except VaultError as error:
        raise MatchingError(str(error)) from None
    sealed = seal_key(item_key, public) + encrypt(
        item_key,
        canonical_json(
            {"included": sorted(included_fields), "outcomes": sorted(outcomes)}
        ),
        associated_data=associated_data(entry.pk, "held"),
    )
    held, _created = HeldReport.objects.update_or_create(
        entry=entry,
        defaults={
            "record": record,
            "organization": organization,
            "sealed_choices": sealed,
        },
    )
    return held


def counselor_leaves(
    sender: object,
    *,
    user: User,
    role: str,
    organization: Organization | None,
    **kwargs: object,
) -> None:
    """A counselor whose role is revoked loses every sealed copy of an
    entry's share key. Runs inside the revoking transaction."""
    if role == Role.COUNSELOR and organization is None:
        EntryShareKey.objects.filter(counselor=user).delete()
