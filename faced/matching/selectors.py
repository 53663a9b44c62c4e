"""Reads of the matching escrow: its threshold, its counselors, and what
a survivor chose for a report held until their entry matches."""

import json

from django.conf import settings
from django.utils.translation import gettext as _

from faced.accounts.models import User
from faced.crypto.envelope import DecryptionError, decrypt, open_sealed_key
from faced.crypto.keys import PersonKeys
from faced.matching.errors import MatchingError
from faced.matching.models import HeldReport
from faced.matching.sealing import associated_data
from faced.orgs.models import RoleAssignment
from faced.orgs.roles import Role


def threshold() -> int:
    """How many distinct survivors must name one person for a match."""
    level: int = settings.MATCHING_THRESHOLD
    return level


def counselors() -> list[User]:
    return [
        assignment.user
        for assignment in RoleAssignment.objects.filter(
            role=Role.COUNSELOR, organization=None, revoked_at=None
        ).select_related("user")
    ]


def held_report_choices(
    *, held: HeldReport, owner: User, keys: PersonKeys
) -> dict[str, list[str]]:
    """What the survivor chose for their held report, once their entry has
    matched: they then review it on the usual report page and send it
    themselves, or not."""
    entry = held.entry
    if entry.owner_id != owner.pk:
        raise MatchingError(_("This is not your report."))
    if entry.match is None or entry.match.opened_at is None:
        raise MatchingError(
            _("This report waits for a match; nothing was sent.")
        )
    blob = bytes(held.sealed_choices)
    cut = 32 + 48
    try:
        item_key = open_sealed_key(
            blob[:cut], keys.box_public_key, keys.box_private_key
        )
        choices: dict[str, list[str]] = json.loads(
            decrypt(
                item_key,
                blob[cut:],
                associated_data=associated_data(entry.pk, "held"),
            )
        )
    except DecryptionError:
        raise MatchingError(
            _("Your held report could not be opened.")
        ) from None
    return choices
