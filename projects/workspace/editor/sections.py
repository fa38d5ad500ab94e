"""The task list (/workspace/projects/<pk>/edit/), a section's page
(/workspace/projects/<pk>/edit/<section>/) and the eligibility panel alone (for htmx)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from projects.editor_services import project_section_save
from projects.questions import answers_for_display, call_questions, questions_unanswered
from projects.workspace import editor_forms as forms
from projects.workspace._common import badge
from projects.workspace.editor._shared import (
    Locked,
    _add_service_errors,
    _budget_url,
    _money,
    _partners_url,
    editor_view,
    render_section_form,
)
from projects.workspace.editor.eligibility import (
    BUDGET_RULES,
    PARTNER_RULES,
    _partner_facts,
    eligibility,
)
from workflow import permissions
from workflow.exceptions import WrongState
from workflow.states import ProjectState

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
        *_questions_rows(project, can_edit=can_edit),
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


def _questions_rows(project, *, can_edit):
    """The call's own questions, as one section: only when the call asks any."""
    questions = call_questions(project.call)
    if not questions:
        return []
    shown = answers_for_display(project)
    answered = sum(1 for row in shown if row["value"])
    missing = questions_unanswered(project)
    url = reverse("workspace:editor_questions", args=[project.pk]) if can_edit else ""
    return [
        {
            "slug": "questions",
            "title": _("Questions of the call"),
            "url": url,
            "status": _status_of([answered > 0], complete=not missing),
            "hint": ngettext(
                "%(answered)s of %(count)s question answered",
                "%(answered)s of %(count)s questions answered",
                len(questions),
            )
            % {"answered": answered, "count": len(questions)},
        }
    ]


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
    return render_section_form(
        request,
        project,
        "projects/workspace/editor/section.html",
        title=title,
        form=form,
        back_to_check=back_to_check,
        status=status,
        slug=slug,
    )
