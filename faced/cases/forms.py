from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from faced.cases.choices import OUTCOMES


class ReportForm(forms.Form):
    included = forms.MultipleChoiceField(
        label=_("What to include from your record"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only what you tick is sent. Your record stays yours."),
    )
    outcomes = forms.MultipleChoiceField(
        label=_("What would you like to happen?"),
        required=False,
        choices=OUTCOMES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick any that fit. You can change your mind later."),
    )
    outcome_other = forms.CharField(
        label=_("Anything else you would like to happen"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    respondent = forms.CharField(
        label=_("Who is this about?"),
        required=False,
        max_length=5000,
        help_text=_(
            "Their name as the organization knows them, and anything that "
            "helps identify them."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    excluded = forms.MultipleChoiceField(
        label=_("Is there anyone here you do not want to read this?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick anyone on the committee you want kept off your report. "
            "They will not be able to read it or hear it, and they are not "
            "told."
        ),
    )
    confirm = forms.BooleanField(
        label=_("I want to send this report to the committee."),
        error_messages={
            "required": _("Tick the box to send the report, or go back.")
        },
    )

    def __init__(self, *args, field_choices, member_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["included"].choices = field_choices
        self.fields["excluded"].choices = member_choices


class CommitteeChoiceForm(forms.Form):
    """Which organization's committee a report goes to (the report page
    posts it beside the report)."""

    organization = forms.ChoiceField(required=False)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [
            (organization.slug, organization.name)
            for organization in organizations
        ]


# The forms of a case's pages read what each button posts. Choices (an
# outcome, a path, a record's kind) are the services' to check: they say
# which list to choose from. The forms check the shape of what names a row.

CHOOSE_FROM_THE_PAGE = _("Choose what to do from the page.")


class ActionForm(forms.Form):
    """The `action` a case page's button posts: one of the page's own."""

    action = forms.ChoiceField(
        error_messages={
            "required": CHOOSE_FROM_THE_PAGE,
            "invalid_choice": CHOOSE_FROM_THE_PAGE,
        }
    )

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(name, name) for name in actions]


def _text() -> forms.CharField:
    # Passed on as written: the services strip, check and cut what they
    # keep, and a signed finding holds exactly what its author wrote.
    return forms.CharField(required=False, strip=False)


class MessageForm(forms.Form):
    text = _text()


class GroundsForm(forms.Form):
    grounds = _text()


class PathForm(forms.Form):
    path = _text()


class FindingDraftForm(forms.Form):
    outcome = _text()
    rationale = _text()
    measures = _text()


class DecisionDraftForm(forms.Form):
    decision = _text()
    outcome = _text()
    rationale = _text()


class MeasureForm(forms.Form):
    subject = _text()
    measure = _text()
    until = _text()
    stage = _text()


class PanelRecordForm(forms.Form):
    kind = _text()
    text = _text()


class PanelForm(forms.Form):
    """The members chosen to sit, among those ELIGIBLE."""

    members = forms.MultipleChoiceField(
        required=False,
        error_messages={
            "invalid_choice": _("Choose the members from the list.")
        },
    )

    def __init__(self, *args, eligible, **kwargs):
        super().__init__(*args, **kwargs)
        self.eligible = list(eligible)
        self.fields["members"].choices = [
            (str(member.pk), member.username) for member in self.eligible
        ]

    def clean_members(self) -> list:
        chosen = set(self.cleaned_data["members"])
        return [m for m in self.eligible if str(m.pk) in chosen]


class DraftSignForm(forms.Form):
    """The draft the person read and now signs, by the id the page gave:
    a draft replaced since is not among DRAFTS, and is refused."""

    finding = forms.IntegerField(
        error_messages={
            "required": _("There is no draft to sign."),
            "invalid": _("There is no draft to sign."),
        }
    )

    def __init__(self, *args, drafts, **kwargs):
        super().__init__(*args, **kwargs)
        self.drafts = drafts

    def clean_finding(self):
        draft = self.drafts.filter(pk=self.cleaned_data["finding"]).first()
        if draft is None:
            raise forms.ValidationError(
                _(
                    "This draft was replaced by a newer one. Read the new "
                    "draft before you sign."
                )
            )
        return draft


NO_SUCH_APPEAL = _("There is no such appeal.")


class ShareRecordsForm(forms.Form):
    """The appeal, among APPEALS, whose panel may read the panel's own
    records."""

    appeal = forms.UUIDField(
        error_messages={"required": NO_SUCH_APPEAL, "invalid": NO_SUCH_APPEAL}
    )

    def __init__(self, *args, appeals, **kwargs):
        super().__init__(*args, **kwargs)
        self.appeals = appeals

    def clean_appeal(self):
        appeal = self.appeals.filter(pk=self.cleaned_data["appeal"]).first()
        if appeal is None:
            raise forms.ValidationError(NO_SUCH_APPEAL)
        return appeal


class NoticeForm(forms.Form):
    """The measure notice, among NOTICES, that leadership acknowledges."""

    notice = forms.ModelChoiceField(queryset=None)

    def __init__(self, *args, notices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notice"].queryset = notices


WHOLE_DAYS = _("Each deadline is a whole number of days.")


class DaysField(forms.CharField):
    """A whole number of days, digits only; whether it is in range is the
    service's to say."""

    def __init__(self, **kwargs):
        super().__init__(
            validators=[RegexValidator(r"\A\d+\Z", WHOLE_DAYS)],
            error_messages={"required": WHOLE_DAYS},
            **kwargs,
        )

    def clean(self, value) -> int:
        return int(super().clean(value))


class DeadlinesForm(forms.Form):
    acknowledge_days = DaysField(label=_("Days to acknowledge a report"))
    respond_days = DaysField(label=_("Days to a first substantive response"))
    appeal_days = DaysField(label=_("Days to appeal a finding"))
    measure_acknowledge_days = DaysField(
        label=_("Days for leadership to acknowledge a measure notice")
    )
