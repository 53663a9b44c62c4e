"""The advocate's pages: the records survivors shared with them, and each
record's latest version."""

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from faced.orgs.models import Organization
from faced.orgs.roles import Role
from faced.orgs.views import role_home
from faced.vault import selectors
from faced.vault.models import VaultRecord
from faced.vault.views.reading import keys_or_signin, version_page, written_on


def home(request: HttpRequest, org: str) -> HttpResponse:
    organization = get_object_or_404(Organization, slug=org)
    return role_home(
        request,
        "vault/advocate/home.html",
        role=Role.ADVOCATE,
        organization=organization,
        records=selectors.shared_with(request.user, organization),
    )


def record(
    request: HttpRequest, org: str, record_id: uuid.UUID
) -> HttpResponse:
    """An advocate reads a record a survivor shared with them."""
    organization = get_object_or_404(Organization, slug=org)
    # A record not shared with this advocate in this organization is "not
    # found", like a record that does not exist.
    item = get_object_or_404(
        VaultRecord,
        pk=record_id,
        keys__reader=request.user,
        keys__organization=organization,
    )
    keys = keys_or_signin(request)
    if keys is None:
        return redirect("accounts:signin")
    return version_page(
        request,
        record=item,
        version=item.versions.order_by("-number").first(),
        keys=keys,
        template="vault/advocate/record.html",
        context={
            "organization": organization,
            "written_on": written_on(item.versions.order_by("number")[0]),
        },
    )
