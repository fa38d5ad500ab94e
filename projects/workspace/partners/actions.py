"""A centre's answers: accept or decline an invitation or a request to join, leave, sign the
mandate, accept the grant agreement. A form sent from the partners page (``page=partners``)
comes back to the partners page; from the project page, to the project page. The routes are in
projects/urls.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects.workspace._common import (
    InvalidInput,
    forbidden,
    load_project,
    partnership_label,
    safe_next,
)
from projects.workspace.partners._shared import (
    _form_errors,
    _load,
    _partnership_in,
    _partnership_project_id,
    _partnership_row,
    partners_url,
)
from projects.workspace.partners.page import _refused_on_partners, _render_partners
from projects.workspace.partners_forms import MandateForm
from projects.workspace.proposals import invalid, refused
from workflow import permissions, services
from workflow.exceptions import (
    ConditionsNotMet,
    NotPermitted,
    NotVisible,
    UnknownTransition,
    WrongState,
)

PARTNERS_PAGE = "partners"  # the value of `page` in the forms of the partners page


def _from_partners_page(request):
    return request.POST.get("page") == PARTNERS_PAGE


# --- A centre's answers -------------------------------------------------------------------------


@require_POST
@login_required
def partnership_transition(request, pk, name):
    project_id, state, centre_id = _partnership_row(pk)
    label = partnership_label(name, state=state, centre_id=centre_id, user=request.user)
    posted = {"action": f"partnership:{name}:{pk}"}
    on_partners = _from_partners_page(request)
    try:
        services.partnership_transition(partnership_id=pk, name=name, actor=request.user)
    except (NotVisible, UnknownTransition, NotPermitted, WrongState, ConditionsNotMet) as exc:
        if on_partners:
            return _refused_on_partners(
                request,
                exc,
                project_id=project_id,
                action_label=label,
                anchor=f"partnership-{pk}",
            )
        return refused(request, exc, project_id=project_id, posted=posted, action_label=label)
    messages.success(request, _("Done: %(action)s.") % {"action": label})
    default = (
        partners_url(project_id) if on_partners else reverse("workspace:project", args=[project_id])
    )
    return redirect(safe_next(request, default))


def _ticked(request, name):
    return request.POST.get(name, "").lower() in ("on", "yes", "true", "1")


def _mandate_on_partners_page(request, pk, project_id):
    """The mandate form of the partners page: the declaration and an optional signed PDF,
    errors next to their fields."""
    user = request.user
    project = _load(user, project_id)  # 404 first
    partnership = _partnership_in(project, pk)
    if not permissions.can_manage_partnership(user, partnership):
        return forbidden(request, None, project_id=project_id)
    label = _("Sign the mandate")
    form = MandateForm(request.POST, request.FILES, partnership_id=pk)
    if form.is_valid():
        try:
            services.partnership_sign_mandate(
                partnership_id=pk,
                actor=user,
                declaration=True,
                file=form.cleaned_data["file"] or None,
            )
        except ValidationError as error:  # the service's own check of the file
            for message in error.message_dict.get("file", error.messages):
                form.add_error("file", message)
        except (NotVisible, NotPermitted, WrongState, ConditionsNotMet) as exc:
            return _refused_on_partners(
                request, exc, project_id=project_id, action_label=label, anchor=f"mandate-{pk}"
            )
        else:
            messages.success(request, _("The mandate is signed."))
            return redirect(partners_url(project_id))
    return _render_partners(
        request,
        project,
        status=400,
        errors=_form_errors(form),
        error_title=_("Check what you entered for “%(action)s”:") % {"action": label},
        mandate_forms={pk: form},
    )


@require_POST
@login_required
def partnership_mandate(request, pk):
    project_id = _partnership_project_id(pk)
    if _from_partners_page(request):
        return _mandate_on_partners_page(request, pk, project_id)
    label = _("Sign the mandate")
    posted = {"action": f"mandate:{pk}"}
    if not _ticked(request, "declaration"):
        load_project(request.user, project_id)  # 404 first, for a project the user cannot see
        exc = InvalidInput(
            _("Tick the declaration to sign the mandate for your centre."), field="declaration"
        )
        return invalid(request, exc, project_id=project_id, posted=posted, action_label=label)
    try:
        services.partnership_sign_mandate(partnership_id=pk, actor=request.user, declaration=True)
    except (NotVisible, NotPermitted, WrongState, ConditionsNotMet) as exc:
        return refused(request, exc, project_id=project_id, posted=posted, action_label=label)
    messages.success(request, _("The mandate is signed."))
    return redirect(safe_next(request, reverse("workspace:project", args=[project_id])))


@require_POST
@login_required
def partnership_agreement(request, pk):
    project_id = _partnership_project_id(pk)
    label = _("Accept the grant agreement")
    posted = {"action": f"agreement:{pk}"}
    if not _ticked(request, "accept"):
        load_project(request.user, project_id)
        exc = InvalidInput(
            _("Tick the box to accept the grant agreement for your centre."), field="accept"
        )
        return invalid(request, exc, project_id=project_id, posted=posted, action_label=label)
    try:
        services.partnership_accept_agreement(partnership_id=pk, actor=request.user)
    except (NotVisible, NotPermitted, WrongState, ConditionsNotMet) as exc:
        return refused(request, exc, project_id=project_id, posted=posted, action_label=label)
    messages.success(request, _("The grant agreement is accepted."))
    return redirect(safe_next(request, reverse("workspace:project", args=[project_id])))
