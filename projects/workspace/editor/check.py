"""Check your answers and submit (/workspace/projects/<pk>/edit/check/) →
`workflow.services.project_transition(name="submit")`; conditions not met → the page again
(422) listing every one."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from projects.questions import answers_for_display
from projects.workspace import editor_forms as forms
from projects.workspace._common import badge, forbidden
from projects.workspace.editor._shared import (
    Locked,
    _budget_url,
    _country_name,
    _describe_fields,
    _error_list,
    _load,
    _partners_url,
    editor_view,
)
from projects.workspace.editor.sections import COMPLETED, _context
from workflow import permissions, services
from workflow.exceptions import (
    ConditionsNotMet,
    NotPermitted,
    NotVisible,
    UnknownTransition,
    WrongState,
)

# --- Check your answers and submit -------------------------------------------------------------


def _render_check(request, project, *, form, errors=None, status=200, error_title=""):
    context = _context(
        request,
        project,
        form=_describe_fields(form),
        errors=errors or [],
        error_title=error_title,
        themes=list(project.themes.all()),
        duration=ngettext("%(months)s month", "%(months)s months", project.duration_months)
        % {"months": project.duration_months}
        if project.duration_months
        else "",
        partner_rows=[
            {
                "partnership": p,
                "badge": badge(p.state, p.get_state_display()),
                "country": _country_name(p.centre.country),
            }
            for p in project.partnerships.all()
        ],
        may_submit=permissions.can_run_project_transition(request.user, project, "submit"),
        partners_url=_partners_url(project),
        budget_url=_budget_url(project),
        # The call's own questions (none for most calls): _questions_check.html lists them.
        question_answers=answers_for_display(project),
    )
    incomplete = [row for row in context["tasks"]["rows"] if row["status"] != COMPLETED]
    context["incomplete"] = incomplete
    return render(request, "projects/workspace/editor/check.html", context, status=status)


@require_http_methods(["GET", "POST"])
@editor_view(edit=False)  # reading: whoever sees the proposal; submitting: the service decides
def check(request, project):
    if request.method == "GET":
        return _render_check(request, project, form=forms.SubmitForm())
    if not project.is_editable:
        raise Locked
    form = forms.SubmitForm(request.POST)
    if not form.is_valid():
        return _render_check(
            request,
            project,
            form=form,
            errors=_error_list(form),
            status=400,
            error_title=_("Check what you entered:"),
        )
    try:
        services.project_transition(
            project_id=project.pk,
            name="submit",
            actor=request.user,
            comment=form.cleaned_data["comment"],
        )
    except (NotVisible, UnknownTransition):
        raise Http404("No such project.") from None
    except NotPermitted as exc:
        return forbidden(request, exc, project_id=project.pk)
    except WrongState:
        raise Locked from None
    except ConditionsNotMet as exc:
        project = _load(request.user, project.pk, edit=False)  # as it is now, for the panel
        return _render_check(
            request,
            project,
            form=form,
            status=422,
            error_title=_("The proposal cannot be submitted yet:"),
            errors=[
                {
                    "code": failure.code,
                    "message": str(failure.message),
                    "anchor": f"eligibility-{failure.code}",
                }
                for failure in exc.failures
            ],
        )
    messages.success(request, _("Your proposal is submitted."))
    return redirect("workspace:project", pk=project.pk)
