"""Asking to join a proposal (/workspace/projects/<pk>/join/, linked from the public Project
Fair)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from projects.partners_selectors import centres_by_ids
from projects.workspace._common import badge, forbidden
from projects.workspace.partners._shared import _form_errors, _load, partners_url
from projects.workspace.partners_forms import JoinForm
from workflow import permissions, services
from workflow.exceptions import ConditionsNotMet, NotPermitted, NotVisible
from workflow.states import ProjectState

# --- Asking to join ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def project_join(request, pk):
    """A manager asks, for one of their centres, to join a proposal open for partners (the
    Project Fair links here). 404 for a proposal the person may not see."""
    user = request.user
    project = _load(user, pk)
    roles = permissions.roles_of(user)
    taken = {p.centre_id for p in project.partnerships.all()}
    managed = [centre for centre, role in roles.centres.items() if role == "manager"]
    centres = centres_by_ids(managed, exclude=taken) if managed else []
    label = _("Ask to join")
    status = 200
    errors = []
    error_title = ""
    form = JoinForm(request.POST if request.method == "POST" else None, centres=centres)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.partnership_request(
                    project_id=project.pk, centre_id=form.cleaned_data["centre"], actor=user
                )
            except (NotVisible, NotPermitted) as exc:
                if isinstance(exc, NotVisible):
                    raise Http404(str(exc)) from None
                return forbidden(request, exc, project_id=project.pk)
            except ValidationError:
                form.add_error("centre", _("Choose one of the centres you manage."))
            except ConditionsNotMet as exc:
                status = 422
                error_title = _("“%(action)s” was not possible:") % {"action": label}
                errors = [
                    {"code": f.code, "message": str(f.message), "anchor": "join-centre"}
                    for f in exc.failures
                ]
            else:
                messages.success(
                    request,
                    _(
                        "Your request to join is sent. The lead centre's managers accept or "
                        "refuse it; until then you may take it back on this page."
                    ),
                )
                return redirect(partners_url(project.pk))
        if form.errors:
            status = 400
            error_title = _("Check what you entered for “%(action)s”:") % {"action": label}
            errors = _form_errors(form)
    in_project = [p.centre for p in project.partnerships.all() if roles.member_of(p.centre_id)]
    return render(
        request,
        "projects/workspace/partners/join.html",
        {
            "project": project,
            "badge": badge(project.state, project.get_state_display()),
            "open": project.state == ProjectState.OPEN_FOR_PARTNERS,
            "form": form,
            "centres": centres,
            "in_project": in_project,
            "is_member": bool(roles.centres),
            "errors": errors,
            "error_title": error_title,
            "partners_url": partners_url(project.pk),
        },
        status=status,
    )
