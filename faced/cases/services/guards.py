"""The refusals that every change to a case shares."""

from django.utils.translation import gettext as _

from faced.cases.errors import CaseError
from faced.cases.models import (
    Case,
    CaseState,
)


def refuse_if_withdrawn(case: Case) -> None:
    if case.state == CaseState.WITHDRAWN:
        raise CaseError(
            _(
                "The survivor withdrew this report. What was decided "
                "stays on the record; nothing new can be decided."
            )
        )


def refuse_while_paused(case: Case) -> None:
    if case.paused_at is not None:
        raise CaseError(
            _(
                "The survivor has paused this case. Messages and measures "
                "still work; the rest waits until they resume it."
            )
        )
