"""Leadership's page (namespace `leadership`): the measure notices it is
to enforce, and nothing else of any case."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from faced.cases.choices import MEASURE_STAGES
from faced.cases.errors import CaseError
from faced.cases.forms import NoticeForm
from faced.cases.models import MeasureNotice
from faced.cases.selectors import measure_open
from faced.cases.services.measures import measure_acknowledge
from faced.cases.views.case_page import keys_or_signin
from faced.orgs.models import Organization
from faced.orgs.roles import Role
from faced.orgs.views import role_home


def home(request: HttpRequest, org: str) -> HttpResponse:
    """Leadership sees measure notices to acknowledge, and nothing else of
    any case."""
    organization = get_object_or_404(Organization, slug=org)
    keys = keys_or_signin(request)
    if keys is None:
        return redirect("accounts:signin")
    of_organization = MeasureNotice.objects.filter(
        case__organization=organization
    )
    if request.method == "POST":
        form = NoticeForm(request.POST, notices=of_organization)
        if not form.is_valid():
            raise Http404
        try:
            measure_acknowledge(
                notice=form.cleaned_data["notice"],
                leader=request.user,
                keys=keys,
            )
        except CaseError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Acknowledged. The panel and the survivor see it."),
            )
        return redirect("leadership:home", org=org)
    notices = []
    for notice in of_organization.order_by("acknowledged_at", "-issued_at"):
        try:
            content = measure_open(
                notice=notice, reader=request.user, keys=keys
            )
        except CaseError:
            continue
        content["stage_label"] = dict(MEASURE_STAGES).get(
            content.get("stage"), ""
        )
        notices.append((notice, content))
    return role_home(
        request,
        "cases/leadership/home.html",
        role=Role.LEADERSHIP,
        organization=organization,
        notices=notices,
        now=timezone.now(),
    )
