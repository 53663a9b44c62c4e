"""The record's fields, in the order the guided form asks for them.

Every field is optional; the words are chosen to be gentle and plain.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

MAX_FIELD_CHARS = 20_000


@dataclass(frozen=True)
class RecordField:
    name: str
    question: str
    hint: str
    long: bool = False


RECORD_FIELDS = (
    RecordField(
        "when",
        _("When did it happen?"),
        _(
            "A date, a season, or \u201cthe night of the party\u201d: any "
            "way you remember it is fine."
        ),
    ),
    RecordField(
        "where",
        _("Where did it happen?"),
        _("You can skip this."),
    ),
    RecordField(
        "what",
        _("What happened?"),
        _(
            "In your own words, as much or as little as you want. You can "
            "come back and add to it later."
        ),
        long=True,
    ),
    RecordField(
        "who",
        _("Who did this?"),
        _(
            "Names, nicknames, phone numbers, profile links: whatever helps "
            "you. Only you can read this unless you choose to share it."
        ),
        long=True,
    ),
    RecordField(
        "witnesses",
        _("Was anyone else there, or did you tell anyone?"),
        _("People who saw, heard, or whom you told afterwards."),
        long=True,
    ),
    RecordField(
        "evidence",
        _("Is there anything that shows what happened?"),
        _("Messages, photos, notes. You can attach files after saving."),
        long=True,
    ),
    RecordField(
        "wellbeing",
        _("How are you, and what do you need now?"),
        _(
            "This is for you. If you share the record, it may help someone "
            "support you."
        ),
        long=True,
    ),
)
FIELD_NAMES = tuple(field.name for field in RECORD_FIELDS)


def clean_fields(fields: Mapping[str, str]) -> dict[str, str]:
    """Only the known fields, as text, trimmed to the size limit."""
    return {
        name: str(fields.get(name, ""))[:MAX_FIELD_CHARS]
        for name in FIELD_NAMES
    }
