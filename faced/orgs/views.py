"""The home page of each role.

Later capabilities fill these pages with their work (the committee's inbox,
leadership's measure notices); each page already says what the role is
for and what it can never do, so that nobody is unsure of their powers.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from faced.orgs.models import Organization
from faced.orgs.roles import Role
from faced.orgs.selectors import role_holders

# What each role may do and may never do, as DESIGN.md sets them out; shown
# on the role's home page so that nobody is unsure of their powers.
ROLE_DUTIES = {
    Role.COMMITTEE: {
        "may": [
            _("Be assigned to hear reports, after declaring any conflict."),
            _("Read the cases of panels you sit on, and message survivors."),
            _("Request measures and sign findings with your panel."),
        ],
        "never": [
            _(
                "Read a case the survivor kept from you, or one you are not "
                "on the panel of. Every opening of a case is in the ledger."
            ),
        ],
    },
    Role.ADVOCATE: {
        "may": [
            _(
                "Support a survivor who chooses to share a record or a case "
                "with you."
            ),
        ],
        "never": [_("Act without the survivor's choice.")],
    },
    Role.APPEALS: {
        "may": [_("Sit on an appeal panel and sign its decision.")],
        "never": [_("Sit on the appeal of a case you heard.")],
    },
    Role.LEADERSHIP: {
        "may": [
            _("See and acknowledge the measure notices you must enforce."),
            _("See the accountability report."),
        ],
        "never": [
            _(
                "Read what is in a case, or change any case, finding or "
                "appeal."
            ),
            _("Hold a committee or appeals role in this organization."),
        ],
    },
    Role.COORDINATOR: {
        "may": [
            _(
                "Run the survivors' caucus: review requests to join, post "
                "announcements."
            ),
        ],
        "never": [_("See what survivors wrote in their records or cases.")],
    },
    Role.COUNSELOR: {
        "may": [
            _(
                "Open matched entries of the matching escrow and contact the "
                "survivors who made them."
            ),
        ],
        "never": [_("Open an entry that nobody else matched.")],
    },
    Role.OPERATOR: {
        "may": [
            _("Install, configure and back up faced; create organizations.")
        ],
        "never": [_("Read anything survivors or the committee wrote.")],
    },
}


def role_home(
    request: HttpRequest,
    template: str,
    *,
    role: Role,
    organization: Organization | None = None,
    **listed: object,
) -> HttpResponse:
    """A role's home page: the ORGANIZATION it is held in (none for a
    deployment-wide role), the role and its duties, and what the page
    LISTS."""
    context: dict[str, object] = {"role": role, "duties": ROLE_DUTIES[role]}
    if organization is not None:
        context["organization"] = organization
    return render(request, template, {**context, **listed})


def _organization_home(request, org: str, role: Role) -> HttpResponse:
    organization = get_object_or_404(Organization, slug=org)
    return role_home(
        request, "staff/role_home.html", role=role, organization=organization
    )


def coordinator_home(request: HttpRequest, org: str) -> HttpResponse:
    return _organization_home(request, org, Role.COORDINATOR)


def operator_home(request: HttpRequest) -> HttpResponse:
    organizations = [
        {
            "organization": organization,
            "committee": role_holders(organization, Role.COMMITTEE).count(),
            "appeals": role_holders(organization, Role.APPEALS).count(),
            "leadership": role_holders(organization, Role.LEADERSHIP).count(),
        }
        for organization in Organization.objects.all()
    ]
    return role_home(
        request,
        "staff/operator_home.html",
        role=Role.OPERATOR,
        organizations=organizations,
    )
