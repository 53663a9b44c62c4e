from django import forms
from django.utils.translation import gettext_lazy as _

from faced.accounts.forms import NewPasswordForm, username_field
from faced.vault.fields import MAX_FIELD_CHARS


class ConsentForm(forms.Form):
    agree = forms.BooleanField(
        label=_("I have read what faced keeps and who can read it."),
        error_messages={
            "required": _(
                "Please tick the box to say you have read this. Nothing is "
                "kept until you do."
            )
        },
    )


class SignupForm(ConsentForm, NewPasswordForm):
    username = username_field(
        label=_("Choose a username"),
        help_text=_(
            "Not your real name: any word you will remember, 3 to 40 "
            "lower-case letters, digits, dots or dashes."
        ),
    )
    email = forms.EmailField(
        label=_("E-mail address (optional)"),
        required=False,
        max_length=254,
        help_text=_(
            "Only to tell you \u201cthere is an update in faced\u201d, "
            "never what it is about. It is kept locked. Leave it empty if "
            "anyone else reads your e-mail."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    field_order = (
        "username",
        "new_password",
        "new_password_again",
        "email",
        "agree",
    )


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=_("Your receipt"),
        max_length=300,
        help_text=_("The seven words, in order, with spaces between them."),
        widget=forms.Textarea(
            attrs={
                "rows": 2,
                "autocomplete": "off",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )


class StepForm(forms.Form):
    """One question of the guided form; the field is built per step."""

    def __init__(self, *args, record_field, **kwargs):
        super().__init__(*args, **kwargs)
        widget = (
            forms.Textarea(attrs={"rows": 10})
            if record_field.long
            else forms.TextInput()
        )
        self.fields["answer"] = forms.CharField(
            label=record_field.question,
            help_text=record_field.hint,
            required=False,
            max_length=MAX_FIELD_CHARS,
            widget=widget,
            strip=False,
        )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Add a file"),
        help_text=_(
            "A photo, screenshot, document or recording. It is locked like "
            "the record, and never opened on the server."
        ),
    )


class ShareForm(forms.Form):
    advocate = forms.ChoiceField(label=_("Choose an advocate"))

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["advocate"].choices = choices


class DeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
        error_messages={
            "required": _("Tick the box if you want to delete this record.")
        },
    )
