from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from faced.accounts.forms import (
    NewPasswordForm,
    email_field,
    username_field,
)
from faced.accounts.models import normalize_username, validate_username
from faced.vault.fields import MAX_FIELD_CHARS, RecordField
from faced.vault.uploads import EncryptedUpload


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
    email = email_field(
        label=_("E-mail address (optional)"),
        required=False,
        help_text=_(
            "Only to tell you \u201cthere is an update in faced\u201d, "
            "never what it is about. It is kept locked. Leave it empty if "
            "anyone else reads your e-mail."
        ),
    )
    field_order = (
        "username",
        "new_password",
        "new_password_again",
        "email",
        "agree",
    )

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        validate_username(normalize_username(username))
        return username


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
    """One question of the guided form, and the button pressed under it
    (one of ACTIONS); the answer's field is built per step."""

    action = forms.ChoiceField(
        label=_("Button"),
        required=False,
        error_messages={
            "invalid_choice": _(
                "Please use one of the buttons below the question."
            )
        },
    )

    def __init__(
        self,
        *args,
        record_field: RecordField,
        actions: Iterable[str],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(name, name) for name in actions]
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

    def clean_action(self) -> str:
        # Sent without a button's name (never by a browser, which names
        # the first button when Enter is pressed): on, as Next goes.
        return self.cleaned_data["action"] or "next"


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Add a file"),
        help_text=_(
            "A photo, screenshot, document or recording. It is locked like "
            "the record, and never opened on the server."
        ),
        # An empty file is kept like any other.
        allow_empty_file=True,
        error_messages={"required": _("Choose a file to add.")},
    )

    def clean_file(self) -> EncryptedUpload:
        upload = self.cleaned_data["file"]
        # Only a file the encrypting upload handler received may be kept:
        # any other reached the server in the clear.
        if not isinstance(upload, EncryptedUpload):
            raise ValidationError(
                self.fields["file"].error_messages["required"],
                code="required",
            )
        return upload


class ShareForm(forms.Form):
    """CHOICES are "organization:username" values with their labels."""

    advocate = forms.ChoiceField(label=_("Choose an advocate"))

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["advocate"].choices = choices

    def clean_advocate(self) -> tuple[str, str]:
        """The chosen advocate's organization (slug) and username."""
        slug, username = self.cleaned_data["advocate"].split(":", 1)
        return slug, username


class RevokeForm(forms.Form):
    """Stop sharing with a reader, named by username."""

    reader = forms.CharField()


class DeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
        error_messages={
            "required": _("Tick the box if you want to delete this record.")
        },
    )
