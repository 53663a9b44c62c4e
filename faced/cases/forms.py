from django import forms
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
