"""The proposal editor (issue 7, item 2): GOV.UK's "complete multiple tasks" pattern.

- Start a proposal (/workspace/proposals/new/): an open call (and tier), one of the person's
  centres as lead, a working title → `projects.services.project_create`.
- The task list (/workspace/projects/<pk>/edit/): one section per part of the proposal, each
  with a status (not started, in progress, completed, cannot start yet), and the live
  eligibility panel.
- One page per section (/workspace/projects/<pk>/edit/<section>/), saved through
  `projects.editor_services.project_section_save` (which calls `project_update`): save and
  come back.
- Check your answers and submit (/workspace/projects/<pk>/edit/check/) →
  `workflow.services.project_transition(name="submit")`.

The eligibility panel runs the submit transition's own rules (`workflow.conditions.RULES`, as
`conditions.failures` does for the service) and only adds the figures a person needs to act
("2 more countries needed", "requested … of max …").

Views stay thin: forms check what was typed, services decide. Refusals: not visible → 404; not
a member of the lead centre → 403 page; no longer editable → 409 page; conditions not met →
the check page again (422) listing every one.
"""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import CheckboxSelectMultiple, RadioSelect
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from projects.editor_services import project_section_save
from projects.models import Centre, JointProject
from projects.selectors import open_calls, with_partners
from projects.services import project_create
from projects.workspace import editor_forms as forms
from projects.workspace._common import badge, forbidden
from workflow import conditions, permissions, services
from workflow.exceptions import (
    ConditionsNotMet,
    NotPermitted,
    NotVisible,
    UnknownTransition,
    WrongState,
)
from workflow.states import PartnershipState, ProjectState

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
CANNOT_START = "cannot_start"
# A section's status: in French the words agree with « section » (feminine), unlike the same
# words for a report or a project's state.
STATUS_LABELS = {
    NOT_STARTED: pgettext_lazy("proposal section", "Not started"),
    IN_PROGRESS: gettext_lazy("In progress"),
    COMPLETED: pgettext_lazy("proposal section", "Completed"),
    CANNOT_START: gettext_lazy("Cannot start yet"),
}

# The sections edited on their own page here: slug → (title, form, the fields it saves).
FORM_SECTIONS = {
    "title": (gettext_lazy("Title and summary"), forms.TitleForm, ("title", "acronym", "summary")),
    "description": (
        gettext_lazy("Description and themes"),
        forms.DescriptionForm,
        ("description", "themes"),
    ),
    "dates": (gettext_lazy("Dates"), forms.DatesForm, ("start_date", "end_date")),
    "partners-sought": (
        gettext_lazy("Partners sought"),
        forms.PartnersSoughtForm,
        ("sought_partner_profile",),
    ),
}

# Where a condition of the call is fixed: a section of the editor, or another job's page.
PARTNER_RULES = ("min_partners", "min_countries", "mandate_missing")
BUDGET_RULES = ("budget_empty", "max_grant", "cofinancing_rate")
SUBMIT = ("project", "submit")


def _partners_url(project):
    """The partners' page (projects/workspace/partners.py): invite, answer, sign mandates."""
    return reverse("workspace:project_partners", args=[project.pk])


def _budget_url(project):
    """The budget page (projects/workspace/budgets.py): each partner's lines and contribution."""
    return reverse("workspace:budget", args=[project.pk])


# --- Loading and refusing -----------------------------------------------------------------------


class Locked(Exception):
    """The proposal can no longer be edited (409)."""


def _load(user, pk, *, edit):
    """The proposal with what the task list shows (partners, centres, budget lines, themes) in
    a fixed number of queries; 404 when the user may not see it. `edit`: NotPermitted unless
    the user is a member of its lead centre (who sees the proposal may read its task list)."""
    project = with_partners(JointProject.objects.filter(pk=pk)).prefetch_related("themes").first()
    if project is None or not permissions.can_view_project(user, project):
        raise Http404("No such project.")
    if edit and not permissions.can_edit_project(user, project):
        raise NotPermitted("Only the lead centre edits the proposal.")
    return project


def _locked(request, project):
    return render(
        request,
        "projects/workspace/editor/locked.html",
        {"project": project, "badge": badge(project.state, project.get_state_display())},
        status=409,
    )


def editor_view(*, edit):
    """Load the proposal for its editor and map the refusals to pages. `edit`: only for the
    members of the lead centre (the section forms); whoever sees the proposal may read its task
    list and answers, and the submit service decides who submits."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, pk, *args, **kwargs):
            try:
                project = _load(request.user, pk, edit=edit)
                return view(request, project, *args, **kwargs)
            except NotVisible:
                raise Http404("No such project.") from None
            except NotPermitted as exc:
                return forbidden(request, exc, project_id=pk)
            except Locked:
                return _locked(request, JointProject.objects.get(pk=pk))

        return login_required(wrapped)

    return decorator


# --- The call's conditions, as the submit transition checks them ---------------------------------


def _money(value):
    return conditions.money(value)


def _percent(rate, places):
    return number_format(rate * 100, decimal_pos=places)


def _describe(code, project, rules, failure, partners):
    """(what the rule asks, the figures that show where the proposal stands)."""
    met = failure is None
    if code == "call_closed":
        label = _("The call accepts submissions")
        if not met:
            return label, str(failure.message)
        if project.state == ProjectState.CHANGES_REQUESTED and project.resubmission_date:
            when = project.resubmission_date
            return label, _("Resubmit by %(date)s") % {
                "date": date_format(timezone.localtime(when), "DATETIME_FORMAT")
            }
        return label, _("Deadline %(date)s") % {
            "date": date_format(timezone.localtime(project.call.deadline), "DATETIME_FORMAT")
        }
    if code == "min_partners":
        needed, count = rules.min_partners, len(partners["confirmed"])
        label = _("At least %(needed)s confirmed centres, the lead included") % {"needed": needed}
        if met:
            return label, ngettext(
                "%(count)s confirmed centre", "%(count)s confirmed centres", count
            ) % {"count": count}
        missing = needed - count
        return label, ngettext(
            "%(missing)s more confirmed centre needed (%(count)s of %(needed)s)",
            "%(missing)s more confirmed centres needed (%(count)s of %(needed)s)",
            missing,
        ) % {"missing": missing, "count": count, "needed": needed}
    if code == "min_countries":
        needed, countries = rules.min_countries, partners["countries"]
        label = _("Confirmed centres from at least %(needed)s countries") % {"needed": needed}
        named = ", ".join(countries) if countries else _("none yet")
        if met:
            return label, named
        missing = needed - len(countries)
        return label, ngettext(
            "%(missing)s more country needed (so far: %(countries)s)",
            "%(missing)s more countries needed (so far: %(countries)s)",
            missing,
        ) % {"missing": missing, "countries": named}
    if code == "mandate_missing":
        label = _("A manager of every confirmed centre signed its mandate")
        if met:
            count = len(partners["confirmed"])
            return label, ngettext(
                "%(count)s mandate signed", "%(count)s mandates signed", count
            ) % {"count": count}
        return label, _("Mandate missing: %(centres)s") % {
            "centres": ", ".join(partners["without_mandate"])
        }
    if code == "budget_empty":
        label = _("The partners’ budgets are filled in")
        if met:
            return label, _("Total eligible cost %(total)s") % {"total": _money(project.total_cost)}
        return label, _("No budget line yet")
    if code == "max_grant":
        label = _("The requested grant is at most %(limit)s") % {"limit": _money(rules.max_grant)}
        return label, _("requested %(requested)s of max %(limit)s") % {
            "requested": _money(project.requested_grant),
            "limit": _money(rules.max_grant),
        }
    if code == "cofinancing_rate":
        limit = _percent(rules.max_cofinancing_rate, 0)
        label = _("The grant covers at most %(limit)s %% of the costs") % {"limit": limit}
        rate = project.cofinancing_rate
        if rate is None:
            return label, _("No costs yet")
        values = {"rate": _percent(rate, 1), "limit": limit}
        if met:
            return label, _("co-financing %(rate)s %% ≤ %(limit)s %%") % values
        return label, _("co-financing %(rate)s %% > %(limit)s %%") % values
    if code == "duration":
        limit = rules.max_duration_months
        label = _("The project lasts at most %(limit)s months") % {"limit": limit}
        months = project.duration_months
        if months is None:
            return label, _("The planned start and end dates are missing")
        return label, ngettext(
            "%(months)s month of at most %(limit)s",
            "%(months)s months of at most %(limit)s",
            months,
        ) % {"months": months, "limit": limit}
    # A rule added to the call's conditions later: its own message says what is missing.
    return (str(failure.message) if failure else code.replace("_", " ").capitalize()), ""


# Country names per language, kept for the process: django-countries translates its whole list
# the first time a request asks for a country's name.
_COUNTRY_NAMES = {}


def _country_name(country):
    key = (get_language(), country.code)
    name = _COUNTRY_NAMES.get(key)
    if name is None:
        name = _COUNTRY_NAMES[key] = str(country.name)
    return name


def _partner_facts(project):
    """Counts and names of the partnerships, from the prefetched rows (no query)."""
    confirmed = project.confirmed_partnerships()
    states = [p.state for p in project.partnerships.all()]
    return {
        "confirmed": confirmed,
        "countries": sorted({_country_name(p.centre.country) for p in confirmed}),
        "without_mandate": [p.centre.name for p in confirmed if not p.mandate_signed],
        "invited": states.count(PartnershipState.INVITED),
        "requested": states.count(PartnershipState.REQUESTED),
        "mandates": sum(1 for p in confirmed if p.mandate_signed),
        "others": len(states) - 1,  # everyone but the lead, in any state
    }


def eligibility(project, partners=None):
    """Each condition of the submit transition, met or not, in the order the service reports
    them: the rules are the service's own (`conditions.RULES`, run as `conditions.failures`
    runs them); only the labels and figures are added here."""
    partners = partners or _partner_facts(project)
    rules = project.rules
    data = conditions.TransitionInput()
    items = []
    for rule in conditions.RULES[SUBMIT]:
        failure = rule(project, data)
        code = failure.code if failure else rule.__name__
        label, detail = _describe(code, project, rules, failure, partners)
        items.append(
            {
                "code": code,
                "met": failure is None,
                "label": label,
                "detail": detail,
                "message": str(failure.message) if failure else "",
                "fix": _fix_url(code, project),
            }
        )
    met = sum(1 for item in items if item["met"])
    return {
        "items": items,
        "met": met,
        "total": len(items),
        "ready": met == len(items),
        "failed": {item["code"] for item in items if not item["met"]},
    }


def _fix_url(code, project):
    if code in PARTNER_RULES:
        return _partners_url(project)
    if code in BUDGET_RULES:
        return _budget_url(project)
    if code == "duration":
        return reverse("workspace:editor_section", args=[project.pk, "dates"])
    return ""


# --- The sections and their status -----------------------------------------------------------


def _filled(*values):
    return [bool(str(v or "").strip()) for v in values]


def _status_of(filled, *, complete):
    if complete:
        return COMPLETED
    return IN_PROGRESS if any(filled) else NOT_STARTED


def sections(project, checks, partners, *, can_edit):
    """The task list: each section with its status, and what it holds in a few words. A section
    links to its form for who may edit it (the lead centre's members, while editable)."""
    pk = project.pk
    editable = project.is_editable

    def section_url(slug):
        return reverse("workspace:editor_section", args=[pk, slug]) if can_edit else ""

    themes = list(project.themes.all())
    title = _filled(project.title, project.summary)
    description = [*_filled(project.description), bool(themes)]
    dates = [project.start_date is not None, project.end_date is not None]
    rows = [
        {
            "slug": "title",
            "title": FORM_SECTIONS["title"][0],
            "url": section_url("title"),
            "status": _status_of(title + _filled(project.acronym), complete=all(title)),
            "hint": _("Title, acronym and the public summary"),
        },
        {
            "slug": "description",
            "title": FORM_SECTIONS["description"][0],
            "url": section_url("description"),
            "status": _status_of(description, complete=description[0]),
            "hint": ngettext("%(count)s theme chosen", "%(count)s themes chosen", len(themes))
            % {"count": len(themes)},
        },
        {
            "slug": "dates",
            "title": FORM_SECTIONS["dates"][0],
            "url": section_url("dates"),
            "status": _status_of(dates, complete=all(dates) and "duration" not in checks["failed"]),
            "hint": _("At most %(months)s months") % {"months": project.rules.max_duration_months},
        },
        {
            "slug": "partners-sought",
            "title": FORM_SECTIONS["partners-sought"][0],
            "url": section_url("partners-sought"),
            "status": _status_of([], complete=all(_filled(project.sought_partner_profile))),
            "hint": _("Shown in the Project Fair"),
        },
        {
            "slug": "partners",
            "title": _("Partners"),
            "url": _partners_url(project),
            "status": _status_of(
                [partners["others"] > 0, partners["mandates"] > 0],
                complete=not (checks["failed"] & set(PARTNER_RULES)),
            ),
            "hint": _partners_hint(partners),
        },
        {
            "slug": "budget",
            "title": _("Budget"),
            "url": _budget_url(project),
            "status": _status_of(
                [bool(project.total_cost)], complete=not (checks["failed"] & set(BUDGET_RULES))
            ),
            "hint": _("Total cost %(total)s · requested grant %(requested)s")
            % {"total": _money(project.total_cost), "requested": _money(project.requested_grant)},
        },
    ]
    done = sum(1 for row in rows if row["status"] == COMPLETED)
    if not editable:
        # Submitted at some point, or withdrawn (perhaps before it ever was).
        check_status = CANNOT_START if project.state == ProjectState.WITHDRAWN else COMPLETED
    elif done == len(rows):
        check_status = NOT_STARTED
    else:
        check_status = CANNOT_START
    check = {
        "slug": "check",
        "title": _("Check your answers and submit"),
        # Once submitted, the answers stay readable there.
        "url": reverse("workspace:editor_check", args=[pk]) if check_status != CANNOT_START else "",
        "status": check_status,
        "hint": _("Once every section above is completed") if check_status == CANNOT_START else "",
    }
    for row in [*rows, check]:
        row["status_label"] = STATUS_LABELS[row["status"]]
    return {"rows": rows, "check": check, "done": done, "total": len(rows)}


def _partners_hint(partners):
    parts = [
        ngettext("%(count)s confirmed", "%(count)s confirmed", len(partners["confirmed"]))
        % {"count": len(partners["confirmed"])}
    ]
    if partners["invited"]:
        parts.append(
            ngettext("%(count)s invited", "%(count)s invited", partners["invited"])
            % {"count": partners["invited"]}
        )
    if partners["requested"]:
        parts.append(
            ngettext("%(count)s asks to join", "%(count)s ask to join", partners["requested"])
            % {"count": partners["requested"]}
        )
    parts.append(
        ngettext("%(count)s mandate signed", "%(count)s mandates signed", partners["mandates"])
        % {"count": partners["mandates"]}
    )
    return " · ".join(parts)


def _context(request, project, **extra):
    partners = _partner_facts(project)
    checks = eligibility(project, partners)
    can_edit = project.is_editable and permissions.can_edit_project(request.user, project)
    return {
        "project": project,
        "badge": badge(project.state, project.get_state_display()),
        "checks": checks,
        "tasks": sections(project, checks, partners, can_edit=can_edit),
        "partners": partners,
        "eligibility_url": reverse("workspace:editor_eligibility", args=[project.pk]),
        "tasks_url": reverse("workspace:editor", args=[project.pk]),
        "can_edit": can_edit,
        **extra,
    }


# --- Start a proposal -----------------------------------------------------------------------------


def _error_list(form):
    """The error summary's entries, each leading to its field (the first option of a group)."""
    errors = []
    for name, messages_ in form.errors.items():
        if name == NON_FIELD_ERRORS:
            errors.extend({"code": "invalid", "message": m, "anchor": ""} for m in messages_)
            continue
        field = form[name]
        grouped = isinstance(field.field.widget, (RadioSelect, CheckboxSelectMultiple))
        anchor = f"{field.auto_id}_0" if grouped else field.auto_id
        errors.extend({"code": "invalid", "message": m, "anchor": anchor} for m in messages_)
    return errors


def _describe_fields(form):
    """Each field's help and error named by its input (aria-describedby, aria-invalid); a group
    of radios or checkboxes is described by its fieldset in the template."""
    for name, field in form.fields.items():
        bound = form[name]
        ids = [f"{bound.auto_id}-help"] if field.help_text else []
        if form.is_bound and bound.errors:
            ids.append(f"{bound.auto_id}-error")
            field.widget.attrs["aria-invalid"] = "true"
        if ids and not isinstance(field.widget, (RadioSelect, CheckboxSelectMultiple)):
            field.widget.attrs["aria-describedby"] = " ".join(ids)
    form.use_required_attribute = False
    return form


def _add_service_errors(form, error):
    """A ValidationError from the model (through the service) next to its field."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


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


# --- The task list, a section, the eligibility panel -----------------------------------------


@require_GET
@editor_view(edit=False)
def task_list(request, project):
    return render(request, "projects/workspace/editor/task_list.html", _context(request, project))


@require_GET
@editor_view(edit=False)
def eligibility_panel(request, project):
    """The panel alone, for htmx to refresh in place (the pages include it in full)."""
    context = _context(request, project)
    return render(request, "projects/workspace/editor/_eligibility.html", context)


def _initial(project, names):
    initial = {}
    for name in names:
        if name == "themes":
            initial[name] = [theme.pk for theme in project.themes.all()]
        else:
            initial[name] = getattr(project, name)
    return initial


@require_http_methods(["GET", "POST"])
@editor_view(edit=True)
def section(request, project, slug):
    if slug not in FORM_SECTIONS:
        raise Http404("No such section.")
    if not project.is_editable:
        raise Locked
    title, form_class, names = FORM_SECTIONS[slug]
    kwargs = {"project": project} if form_class is forms.DatesForm else {}
    back_to_check = request.GET.get("return") == "check" or request.POST.get("return") == "check"
    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in names}
            try:
                project_section_save(project_id=project.pk, actor=request.user, **fields)
            except WrongState:
                raise Locked from None
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, _("Saved: %(section)s.") % {"section": title})
                target = "workspace:editor_check" if back_to_check else "workspace:editor"
                return redirect(target, pk=project.pk)
        status = 400
    else:
        form = form_class(initial=_initial(project, names), **kwargs)
        status = 200
    return render(
        request,
        "projects/workspace/editor/section.html",
        {
            "project": project,
            "badge": badge(project.state, project.get_state_display()),
            "slug": slug,
            "section_title": title,
            "form": _describe_fields(form),
            "errors": _error_list(form) if form.is_bound else [],
            "back_to_check": back_to_check,
            "tasks_url": reverse("workspace:editor", args=[project.pk]),
        },
        status=status,
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


urlpatterns = [
    path("proposals/new/", proposal_start, name="proposal_start"),
    path("projects/<int:pk>/edit/", task_list, name="editor"),
    path("projects/<int:pk>/edit/check/", check, name="editor_check"),
    path("projects/<int:pk>/edit/eligibility/", eligibility_panel, name="editor_eligibility"),
    path("projects/<int:pk>/edit/<slug:slug>/", section, name="editor_section"),
]
