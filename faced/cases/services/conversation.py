"""The conversation between the survivor and the panel."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from faced.accounts.models import User
from faced.cases.errors import CaseError
from faced.cases.models import (
    Case,
    CaseDocument,
)
from faced.cases.selectors import (
    active_panel,
    case_reference,
)
from faced.cases.services.sealing import (
    case_key_open,
    document_store,
)
from faced.crypto.keys import PersonKeys
from faced.ledger.services import ledger_append
from faced.notify.services import notify


def message_send(
    *, case: Case, author: User, keys: PersonKeys, text: str
) -> None:
    """A message between the survivor and the panel, both ways, encrypted
    under the case key (anonymous survivors included: their receipt holds
    their key). An appeals panel reads the conversation; it does not
    write in it."""
    if author.pk != case.survivor_id and author not in active_panel(case):
        raise CaseError(
            _("Only the survivor and the case's panel can write here.")
        )
    text = text.strip()
    if not text:
        raise CaseError(_("Write something first."))
    with transaction.atomic():
        document_store(
            case,
            case_key_open(case, author, keys),
            kind=CaseDocument.Kind.MESSAGE,
            author=author,
            text=text[:20000],
        )
        from_survivor = author.pk == case.survivor_id
        ledger_append(
            event_type="message_sent",
            payload={
                "case": case_reference(case),
                "from": "survivor" if from_survivor else "panel",
            },
        )
        if from_survivor:
            notify(active_panel(case))
        else:
            mark_responded(case)
            notify([case.survivor])


def mark_responded(case: Case) -> None:
    """The first substantive response to the survivor stops its clock."""
    Case.objects.filter(pk=case.pk, responded_at=None).update(
        responded_at=timezone.now()
    )
