"""The call's conditions, as the submit transition checks them: the eligibility panel's items,
with the figures a person needs to act and where each condition is fixed."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projects.workspace.editor._shared import _budget_url, _country_name, _money, _partners_url
from workflow import conditions
from workflow.states import PartnershipState, ProjectState

# Where a condition of the call is fixed: a section of the editor, or another job's page.
PARTNER_RULES = ("min_partners", "min_countries", "mandate_missing")
BUDGET_RULES = ("budget_empty", "max_grant", "cofinancing_rate")
SUBMIT = ("project", "submit")


# --- The call's conditions, as the submit transition checks them ---------------------------------


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
    if code == "question_unanswered":
        label = _("The call's required questions are answered")
        return label, "" if met else str(failure.message)
    return (str(failure.message) if failure else code.replace("_", " ").capitalize()), ""


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
        applies = getattr(rule, "applies", None)
        if applies is not None and not applies(project):
            continue  # e.g. the call's own questions, for a call that asks none
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
    if code == "question_unanswered":
        return reverse("workspace:editor_questions", args=[project.pk])
    return ""
