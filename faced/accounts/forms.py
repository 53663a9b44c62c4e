from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    # Installed with django-stubs, for type hints only.
    from django_stubs_ext import StrOrPromise


def username_field(
    label: StrOrPromise | None = None, help_text: StrOrPromise = ""
) -> forms.CharField:
    return forms.CharField(
        label=label or _("Username"),
        max_length=40,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )


def email_field(
    *,
    label: StrOrPromise,
    help_text: StrOrPromise,
    required: bool = True,
    error_messages: dict[str, StrOrPromise] | None = None,
) -> forms.EmailField:
    """An e-mail address for contentless notices, typed as phones and
    browsers should leave it: no capitals added, no spelling fixed."""
    return forms.EmailField(
        label=label,
        required=required,
        # The longest address SMTP can carry (RFC 5321).
        max_length=254,
        help_text=help_text,
        error_messages=error_messages,
        widget=forms.EmailInput(
            attrs={
                "autocomplete": "email",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )


def password_field(
    *, label: StrOrPromise, autocomplete: str, help_text: StrOrPromise = ""
) -> forms.CharField:
    """A password input; AUTOCOMPLETE tells password managers whether to
    fill in the current password or offer a new one."""
    return forms.CharField(
        label=label,
        max_length=1024,
        # Spaces at either end are part of a password.
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class SigninForm(forms.Form):
    username = username_field()
    password = password_field(
        label=_("Password"), autocomplete="current-password"
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
            }
        ),
    )


class NewPasswordForm(forms.Form):
    """A new password, typed twice; checked by faced's password rules."""

    new_password = password_field(
        label=_("New password"),
        autocomplete="new-password",
        help_text=_(
            "At least 12 characters. A few unrelated words are easy to "
            "remember and hard to guess."
        ),
    )
    new_password_again = password_field(
        label=_("New password again"), autocomplete="new-password"
    )

    def clean(self):
        cleaned = super().clean()
        first = cleaned.get("new_password")
        second = cleaned.get("new_password_again")
        if first and second and first != second:
            self.add_error(
                "new_password_again", _("The two passwords are different.")
            )
        return cleaned


class PasswordChangeForm(NewPasswordForm):
    current_password = password_field(
        label=_("Current password"), autocomplete="current-password"
    )
    field_order = ("current_password", "new_password", "new_password_again")


class RecoverForm(NewPasswordForm):
    username = username_field()
    recovery_key = forms.CharField(
        label=_("Recovery key"),
        max_length=200,
        help_text=_("The 13 groups of letters and digits on your printout."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
    )
    field_order = (
        "username",
        "recovery_key",
        "new_password",
        "new_password_again",
    )


class ContactAddressForm(forms.Form):
    email = email_field(
        label=_("E-mail address"),
        help_text=_(
            "Give it only if nobody else reads this mailbox. To change it, "
            "type the new one in full."
        ),
        error_messages={
            "required": _(
                "Type an e-mail address. To stop the e-mails instead, "
                "remove the address faced has."
            ),
            "invalid": _(
                "That is not an e-mail address faced can use. Check it "
                "(it looks like name@example.org) and try again."
            ),
        },
    )
