"""Start a proposal (/workspace/proposals/new/): an open call (and tier), one of the person's
centres as lead, a working title → `projects.services.project_create`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from projects.models import Centre
from projects.selectors import open_calls
from projects.services import project_create
from projects.workspace import editor_forms as forms
from projects.workspace._common import forbidden
from projects.workspace.editor._shared import _add_service_errors, _describe_fields, _error_list
from workflow import permissions
from workflow.exceptions import NotPermitted

# --- Start a proposal -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def proposal_start(request):
    user = request.user
    roles = permissions.roles_of(user)
    centres = list(Centre.objects.filter(pk__in=list(roles.centres)).order_by("name"))
    if not centres:
        return render(
            request, "projects/workspace/editor/start.html", {"no_centre": True}, status=403
        )
    calls = open_calls().prefetch_related("tiers")
    form = forms.StartForm(
        request.POST if request.method == "POST" else None, open_calls=calls, centres=centres
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                project = project_create(
                    actor=user,
                    call=data["call"],
                    tier=data["tier"],
                    lead_centre=data["lead_centre"],
                    title=data["title"],
                )
            except NotPermitted as exc:
                return forbidden(request, exc)
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Your proposal is started. Complete each section; you can stop and come "
                        "back at any time."
                    ),
                )
                return redirect("workspace:editor", pk=project.pk)
        status = 400
    return render(
        request,
        "projects/workspace/editor/start.html",
        {
            "form": _describe_fields(form),
            "errors": _error_list(form) if form.is_bound else [],
            "open_calls": form.open_calls,
        },
        status=status,
    )
