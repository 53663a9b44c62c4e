"""What the survivor's and the advocate's pages both need to open a
record: the session's keys, and the page of one version."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import gettext as _

from faced.accounts.session_keys import session_keys
from faced.crypto.keys import PersonKeys
from faced.vault.fields import RECORD_FIELDS, RecordField
from faced.vault.models import RecordVersion, VaultRecord
from faced.vault.services import VaultError, version_open


def keys_or_signin(request: HttpRequest) -> PersonKeys | None:
    """The session's keys; without them, a note asking to sign in again
    (the caller sends the person to the sign-in page)."""
    keys = session_keys(request)
    if keys is None:
        messages.info(
            request,
            _("To open your records, please sign in again."),
        )
    return keys


def written_on(version: RecordVersion) -> str:
    return formats.date_format(version.created_at, "j F Y")


def answers(fields: dict[str, str]) -> list[tuple[RecordField, str]]:
    """Each question of the record beside its answer, in the form's
    order."""
    return [
        (record_field, fields.get(record_field.name, ""))
        for record_field in RECORD_FIELDS
    ]


def damaged_page(
    request: HttpRequest, record: VaultRecord, problem: str
) -> HttpResponse:
    return render(
        request,
        "vault/record_damaged.html",
        {"record": record, "problem": problem},
        status=409,
    )


def version_page(
    request: HttpRequest,
    *,
    record: VaultRecord,
    version: RecordVersion,
    keys: PersonKeys,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """A version's page, or a plain page saying it could not be opened."""
    try:
        opened = version_open(version=version, reader=request.user, keys=keys)
    except VaultError as error:
        return damaged_page(request, record, str(error))
    return render(
        request,
        template,
        {
            "record": record,
            "opened": opened,
            "answers": answers(opened.fields),
            **context,
        },
    )
