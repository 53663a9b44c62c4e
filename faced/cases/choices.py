"""The choices a case offers: outcomes a survivor may ask for, a finding's
outcomes, a measure's stage, an appeal's decisions."""

from django.utils.translation import gettext_lazy

OUTCOMES = (
    ("heard", gettext_lazy("To be heard")),
    ("apology", gettext_lazy("An apology")),
    ("no_contact", gettext_lazy("No contact with me")),
    ("exclusion", gettext_lazy("Exclusion from spaces, events or roles")),
    ("restorative", gettext_lazy("A restorative process")),
    ("expulsion", gettext_lazy("Expulsion")),
    ("other", gettext_lazy("Something else")),
)


OUTCOME_NAMES = {name for name, _label in OUTCOMES}


FINDING_OUTCOMES = (
    ("upheld", gettext_lazy("Upheld: what was reported happened")),
    ("partly_upheld", gettext_lazy("Partly upheld")),
    ("not_upheld", gettext_lazy("Not upheld")),
)


MEASURE_STAGES = (
    ("interim", gettext_lazy("Interim: while the case is heard")),
    ("final", gettext_lazy("Final: from the finding")),
)


APPEAL_DECISIONS = (
    ("uphold", gettext_lazy("Uphold the finding")),
    ("vary", gettext_lazy("Vary the finding's outcome")),
    ("send_back", gettext_lazy("Send it back to the panel to decide again")),
)
