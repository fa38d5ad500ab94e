"""A proposal's partners: the consortium page (/workspace/projects/<pk>/partners/) with the
search for partner centres and the invitations, the page to ask to join
(/workspace/projects/<pk>/join/, linked from the public Project Fair), and a centre's answers:
accept or decline an invitation or a request to join, leave, sign the mandate, accept the grant
agreement.

Refusals are mapped as on the project page (see projects.workspace.proposals): NotVisible → 404,
NotPermitted → 403 page, WrongState → back with a message, ConditionsNotMet → the page again
(422) listing every failure, malformed input → the page again (400) with the error next to the
field. A form sent from the partners page (``page=partners``) comes back to the partners page;
from the project page, to the project page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_countries import countries as all_countries

from projects import uploads
from projects.models import Partnership
from projects.partners_selectors import (
    centre_countries,
    centre_search,
    centres_by_ids,
    consortium_countries,
    disciplines,
    project_with_consortium,
)
from projects.workspace._common import (
    InvalidInput,
    badge,
    forbidden,
    load_project,
    partnership_actions,
    partnership_label,
    safe_next,
)
from projects.workspace.partners_forms import (
    InviteForm,
    JoinForm,
    MandateForm,
    PartnerSearchForm,
)
from projects.workspace.proposals import invalid, refused
from workflow import permissions, services
from workflow.exceptions import (
    ConditionsNotMet,
    NotPermitted,
    NotVisible,
    UnknownTransition,
    WrongState,
)
from workflow.states import PartnershipState, ProjectState

PAGE_SIZE = 20  # centres per page of search results
SEARCH_FIELDS = ("q", "country", "discipline", "new_countries", "page")
PARTNERS_PAGE = "partners"  # the value of `page` in the forms of the partners page


# --- Reading the consortium --------------------------------------------------------------------

# Country names per language, kept for the process: django-countries translates its whole list
# the first time a request asks for a name.
_COUNTRY_NAMES = {}


def _country_names():
    language = get_language()
    names = _COUNTRY_NAMES.get(language)
    if names is None:
        names = _COUNTRY_NAMES[language] = {code: str(name) for code, name in all_countries}
    return names


def _load(user, pk):
    """The project with its consortium, or 404 when the user may not see it."""
    project = project_with_consortium(pk)
    if project is None or not permissions.can_view_project(user, project):
        raise Http404("No such project.")
    return project


def _partnership_in(project, pk):
    for partnership in project.partnerships.all():
        if partnership.pk == pk:
            return partnership
    raise Http404("No such partnership.")


def _partnership_row(pk):
    """(project id, state, centre id) of a partnership; whether the user may see it is the
    service's to decide."""
    row = Partnership.objects.filter(pk=pk).values_list("project_id", "state", "centre_id").first()
    if row is None:
        raise Http404("No such partnership.")
    return row


def _partnership_project_id(pk):
    return _partnership_row(pk)[0]


def partners_url(project_id):
    return reverse("workspace:project_partners", args=[project_id])


def _from_partners_page(request):
    return request.POST.get("page") == PARTNERS_PAGE


# --- The partners page ---------------------------------------------------------------------------

# The consortium's order: the lead, the confirmed partners, then those who left or declined.
_STATE_ORDER = {
    PartnershipState.CONFIRMED: 0,
    PartnershipState.WITHDRAWN: 1,
    PartnershipState.DECLINED: 2,
}


def _rows(project, user, mandate_forms):
    roles = permissions.roles_of(user)
    names = _country_names()
    read_files = uploads.can_read_private_files(user, project)
    editable = project.state in ProjectState.editable()
    rows = []
    for partnership in project.partnerships.all():
        actions = partnership_actions(partnership, user)
        manages = roles.manager_of(partnership.centre_id)
        may_sign = (
            manages
            and editable
            and not partnership.mandate_signed
            and partnership.state in (*PartnershipState.pending(), PartnershipState.CONFIRMED)
        )
        rows.append(
            {
                "partnership": partnership,
                "country": names.get(partnership.centre.country.code, partnership.centre.country),
                "badge": badge(partnership.state, partnership.get_state_display()),
                "answers": [a for a in actions if a["name"] in ("accept", "decline")],
                "withdraw": next(
                    (
                        {
                            **action,
                            "url": reverse("workspace:partnership_withdraw", args=[partnership.pk]),
                        }
                        for action in actions
                        if action["name"] == "withdraw"
                    ),
                    None,
                ),
                "mine": roles.member_of(partnership.centre_id),
                "manages": manages,
                "mandate_form": (
                    mandate_forms.get(partnership.pk) or MandateForm(partnership_id=partnership.pk)
                )
                if may_sign
                else None,
                "mandate_file_url": reverse("workspace:mandate_file", args=[partnership.pk])
                if read_files and partnership.mandate_file
                else "",
                "signer": (
                    partnership.mandate_signed_by.get_full_name()
                    or partnership.mandate_signed_by.get_username()
                )
                if partnership.mandate_signed_by_id
                else "",
            }
        )
    return rows


def _page_link(data, number):
    query = data.copy()
    query["page"] = str(number)
    return "?" + query.urlencode()


def _search(request, project, data):
    """The search for partner centres, for whoever may invite while the proposal is editable;
    None for anyone else. `data`: the search's query (a QueryDict)."""
    user = request.user
    if project.state not in ProjectState.editable() or not permissions.can_invite(user, project):
        return None
    names = _country_names()
    countries = sorted(
        ((code, names.get(code, code)) for code in centre_countries()), key=lambda c: c[1]
    )
    searched = any(key in data for key in SEARCH_FIELDS)
    form = PartnerSearchForm(
        data if searched else None, countries=countries, disciplines=disciplines()
    )
    taken = consortium_countries(project)
    search = {
        "form": form,
        "searched": searched,
        "consortium_countries": sorted(names.get(code, code) for code in taken),
        "results": [],
        "page_obj": None,
        "count_label": "",
        "next": partners_url(project.pk) + ("?" + data.urlencode() if searched else ""),
    }
    if not searched or not form.is_valid():
        return search
    criteria = form.cleaned_data
    centres = centre_search(
        query=criteria["q"],
        country=criteria["country"],
        discipline=criteria["discipline"],
        exclude_countries=taken if criteria["new_countries"] else (),
    )
    page_obj = Paginator(centres, PAGE_SIZE).get_page(data.get("page"))
    in_project = {p.centre_id: p for p in project.partnerships.all()}
    results = []
    for centre in page_obj:
        partnership = in_project.get(centre.pk)
        results.append(
            {
                "centre": centre,
                "country": names.get(centre.country.code, centre.country.code),
                "disciplines": ", ".join(d.label for d in centre.disciplines.all()),
                "badge": badge(partnership.state, partnership.get_state_display())
                if partnership
                else None,
            }
        )
    count = page_obj.paginator.count
    search.update(
        results=results,
        page_obj=page_obj,
        count_label=ngettext("%(count)s centre found.", "%(count)s centres found.", count)
        % {"count": count},
        previous_url=_page_link(data, page_obj.previous_page_number())
        if page_obj.has_previous()
        else "",
        next_url=_page_link(data, page_obj.next_page_number()) if page_obj.has_next() else "",
    )
    return search


def _render_partners(
    request,
    project,
    *,
    status=200,
    errors=None,
    error_title="",
    search_data=None,
    mandate_forms=None,
):
    user = request.user
    roles = permissions.roles_of(user)
    rows = _rows(project, user, mandate_forms or {})
    search = _search(request, project, request.GET if search_data is None else search_data)
    if search is not None and request.htmx and search_data is None:
        # htmx asks for the results only (the search form's hx-get); they replace the old ones.
        response = render(
            request,
            "projects/workspace/partners/_search_response.html",
            {"search": search, "project": project, "partners_url": partners_url(project.pk)},
        )
        patch_vary_headers(response, ("HX-Request",))
        return response
    pending = [row for row in rows if row["partnership"].state in PartnershipState.pending()]
    consortium = sorted(
        (row for row in rows if row["partnership"].state not in PartnershipState.pending()),
        key=lambda row: (
            not row["partnership"].is_lead,
            _STATE_ORDER.get(row["partnership"].state, 3),
            row["partnership"].centre.name,
        ),
    )
    taken = {row["partnership"].centre_id for row in rows}
    context = {
        "project": project,
        "badge": badge(project.state, project.get_state_display()),
        "editable": project.state in ProjectState.editable(),
        "consortium": consortium,
        "invitations": [r for r in pending if r["partnership"].state == PartnershipState.INVITED],
        "requests": [r for r in pending if r["partnership"].state == PartnershipState.REQUESTED],
        "mine": [
            row
            for row in rows
            if row["mine"]
            and row["partnership"].state
            in (*PartnershipState.pending(), PartnershipState.CONFIRMED)
        ],
        "search": search,
        "may_join": project.state == ProjectState.OPEN_FOR_PARTNERS
        and any(
            role == "manager" and centre not in taken for centre, role in roles.centres.items()
        ),
        "partners_url": partners_url(project.pk),
        "errors": errors or [],
        "error_title": error_title,
    }
    response = render(request, "projects/workspace/partners/page.html", context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
@login_required
def project_partners(request, pk):
    return _render_partners(request, _load(request.user, pk))


# --- Refusals on the partners page ------------------------------------------------------------


def _form_errors(form):
    """The error summary's entries for a bound form: each leads to its field."""
    return [
        {"code": "invalid", "message": message, "anchor": form[name].auto_id}
        for name, messages_ in form.errors.items()
        if name in form.fields
        for message in messages_
    ]


def _refused_on_partners(request, exc, *, project_id, action_label, anchor, search_data=None):
    """The refusals of the services, shown on the partners page."""
    if isinstance(exc, (NotVisible, UnknownTransition)):
        raise Http404(str(exc))
    if isinstance(exc, NotPermitted):
        return forbidden(request, exc, project_id=project_id)
    if isinstance(exc, WrongState):
        messages.error(request, _("This was no longer possible: %(reason)s") % {"reason": str(exc)})
        return redirect(partners_url(project_id))
    if isinstance(exc, ConditionsNotMet):
        return _render_partners(
            request,
            _load(request.user, project_id),
            status=422,
            errors=[
                {"code": failure.code, "message": str(failure.message), "anchor": anchor}
                for failure in exc.failures
            ],
            error_title=_("“%(action)s” was not possible:") % {"action": action_label},
            search_data=search_data,
        )
    raise exc


def _search_data_of(url):
    """The search a form was sent from (its `next`), to show the results again."""
    _path, _sep, query = url.partition("?")
    return QueryDict(query)


@require_POST
@login_required
def project_invite(request, pk):
    user = request.user
    project = _load(user, pk)  # 404 before anything is read from the form
    back = safe_next(request, partners_url(project.pk))
    search_data = _search_data_of(back)
    label = _("Invite")
    form = InviteForm(request.POST)
    if form.is_valid():
        centre_id = form.cleaned_data["centre"]
    elif permissions.can_invite(user, project):
        return _render_partners(
            request,
            project,
            status=400,
            errors=[
                {"code": "invalid", "message": message, "anchor": "find-partners"}
                for message in form.errors.get("centre", [])
            ],
            error_title=_("Check what you entered for “%(action)s”:") % {"action": label},
            search_data=search_data,
        )
    else:
        centre_id = 0  # the service refuses this person first (403), whatever they sent
    try:
        partnership = services.partnership_invite(
            project_id=project.pk, centre_id=centre_id, actor=user
        )
    except ValidationError:  # no such centre
        return _render_partners(
            request,
            project,
            status=400,
            errors=[
                {
                    "code": "invalid",
                    "message": _("Choose a centre from the search results."),
                    "anchor": "find-partners",
                }
            ],
            error_title=_("Check what you entered for “%(action)s”:") % {"action": label},
            search_data=search_data,
        )
    except (NotVisible, NotPermitted, WrongState, ConditionsNotMet) as exc:
        return _refused_on_partners(
            request,
            exc,
            project_id=project.pk,
            action_label=label,
            anchor="find-partners",
            search_data=search_data,
        )
    messages.success(
        request,
        _("%(centre)s is invited. Its managers accept or decline the invitation.")
        % {"centre": partnership.centre.name},
    )
    return redirect(back)


@require_GET
@login_required
def partnership_withdraw(request, pk):
    """Confirm before a partner leaves (or the lead removes it): the button posts the
    `withdraw` transition."""
    user = request.user
    project_id, _state, _centre = _partnership_row(pk)
    project = _load(user, project_id)
    partnership = _partnership_in(project, pk)
    action = next(
        (a for a in partnership_actions(partnership, user) if a["name"] == "withdraw"), None
    )
    if action is None:
        if not permissions.partnership_may(user, partnership, "withdraw"):
            return forbidden(request, None, project_id=project_id)
        if partnership.is_lead:
            reason = _("The lead centre cannot leave its own project.")
        elif project.state not in ProjectState.editable():
            reason = _("The proposal is %(state)s: its partners can no longer change.") % {
                "state": project.get_state_display()
            }
        else:
            reason = _("%(centre)s is not a confirmed partner.") % {
                "centre": partnership.centre.name
            }
        messages.error(request, reason)
        return redirect(partners_url(project_id))
    leaving = permissions.roles_of(user).manager_of(partnership.centre_id)
    return render(
        request,
        "projects/workspace/partners/withdraw.html",
        {
            "project": project,
            "partnership": partnership,
            "action": action,
            "leaving": leaving,
            "partners_url": partners_url(project_id),
        },
    )


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


# The routes of issue 7 item 3 (the answers' routes are in projects/urls.py).
urlpatterns = [
    path("projects/<int:pk>/partners/", project_partners, name="project_partners"),
    path("projects/<int:pk>/partners/invite/", project_invite, name="project_invite"),
    path("projects/<int:pk>/join/", project_join, name="project_join"),
    path(
        "partnerships/<int:pk>/withdraw/",
        partnership_withdraw,
        name="partnership_withdraw",
    ),
]
