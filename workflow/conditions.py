"""The conditions of every transition, as data-driven rules (PRODUCT.md §3).

Each rule reads the object and the rules of its Call (or tier) and returns a Failure with a code
and a plain-language message (English and French through gettext), or None. The service runs
every rule of a transition and reports *all* failures, not just the first.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from workflow.states import ProjectState, ReviewState


@dataclass(frozen=True)
class Failure:
    code: str
    message: str


@dataclass(frozen=True)
class TransitionInput:
    """What a person may send with a transition."""

    comment: str = ""
    awarded_amount: Decimal | None = None
    override_reason: str = ""
    resubmission_date: datetime | None = None


def money(value):
    return f"{number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)} EUR"


# --- Proposal / project ---------------------------------------------------------------------


def title_missing(project, data):
    if not project.title.strip():
        return Failure("title_missing", _("The proposal needs a title."))


def summary_missing(project, data):
    if not project.summary.strip():
        return Failure("summary_missing", _("The proposal needs a public summary."))


def call_closed(project, data):
    now = timezone.now()
    call = project.call
    if project.state == ProjectState.CHANGES_REQUESTED and project.resubmission_date:
        if now > project.resubmission_date:
            return Failure(
                "call_closed",
                _("The date for resubmission (%(date)s) has passed.")
                % {
                    "date": date_format(
                        timezone.localtime(project.resubmission_date), "DATETIME_FORMAT"
                    )
                },
            )
        return None
    if now < call.opens_at:
        return Failure(
            "call_closed",
            _("The call opens on %(date)s.")
            % {"date": date_format(timezone.localtime(call.opens_at), "DATETIME_FORMAT")},
        )
    if now > call.deadline:
        return Failure(
            "call_closed",
            _("The call closed on %(date)s.")
            % {"date": date_format(timezone.localtime(call.deadline), "DATETIME_FORMAT")},
        )


def min_partners(project, data):
    needed = project.rules.min_partners
    confirmed = len(project.confirmed_partnerships())
    if confirmed < needed:
        return Failure(
            "min_partners",
            _("%(needed)s confirmed centres are needed (the lead included); there are %(count)s.")
            % {"needed": needed, "count": confirmed},
        )


def min_countries(project, data):
    needed = project.rules.min_countries
    countries = len(project.countries)
    if countries < needed:
        return Failure(
            "min_countries",
            _("Confirmed centres from %(needed)s countries are needed; there are %(count)s.")
            % {"needed": needed, "count": countries},
        )


def mandate_missing(project, data):
    missing = [p.centre.name for p in project.confirmed_partnerships() if not p.mandate_signed]
    if missing:
        return Failure(
            "mandate_missing",
            _("A manager must sign the mandate for: %(centres)s.")
            % {"centres": ", ".join(missing)},
        )


def budget_empty(project, data):
    if not project.total_cost:
        return Failure("budget_empty", _("The budget is empty: add the partners' budget lines."))


def max_grant(project, data):
    limit = project.rules.max_grant
    if project.requested_grant > limit:
        return Failure(
            "max_grant",
            _("The requested grant (%(requested)s) exceeds the maximum of %(limit)s.")
            % {"requested": money(project.requested_grant), "limit": money(limit)},
        )


def cofinancing_rate(project, data):
    rate, limit = project.cofinancing_rate, project.rules.max_cofinancing_rate
    if rate is not None and rate > limit:
        return Failure(
            "cofinancing_rate",
            _("The grant would cover %(rate)s %% of the costs; at most %(limit)s %% is allowed.")
            % {
                "rate": number_format(rate * 100, decimal_pos=1),
                "limit": number_format(limit * 100, decimal_pos=0),
            },
        )


def duration(project, data):
    months, limit = project.duration_months, project.rules.max_duration_months
    if months is None:
        return Failure("duration", _("The planned start and end dates are missing."))
    if months > limit:
        return Failure(
            "duration",
            _("The project lasts %(months)s months; the call allows at most %(limit)s.")
            % {"months": months, "limit": limit},
        )


def question_unanswered(project, data):
    """The call's own required questions (Call.questions), answered in the proposal editor."""
    from projects.questions import questions_unanswered

    missing = questions_unanswered(project)
    if missing:
        return Failure(
            "question_unanswered",
            _("Answer the call's required questions: %(questions)s.")
            % {"questions": ", ".join(f"“{label}”" for label in missing)},
        )


def _asks_required_questions(project):
    from projects.questions import call_questions

    return any(question.required for question in call_questions(project.call))


# Whether the rule concerns a proposal at all: the eligibility panel leaves out a rule about
# questions for a call that asks none (the rule itself then simply passes).
question_unanswered.applies = _asks_required_questions


def comment_required(obj, data):
    if not (data.comment or "").strip():
        return Failure("comment_required", _("A comment explaining the decision is required."))


def min_reviews(project, data):
    needed = project.call.min_reviews
    done = project.reviews.filter(state=ReviewState.SUBMITTED).count()
    if done < needed:
        return Failure(
            "min_reviews",
            _("%(needed)s submitted reviews are needed; there are %(count)s.")
            % {"needed": needed, "count": done},
        )


def awarded_amount(project, data):
    amount, requested = data.awarded_amount, project.requested_grant
    if amount is None or amount <= 0 or amount > requested:
        return Failure(
            "awarded_amount",
            _("The awarded amount must be more than 0 and at most the requested %(requested)s.")
            % {"requested": money(requested)},
        )


def call_budget(project, data):
    if data.awarded_amount is None:
        return None
    from workflow.selectors import call_awarded_total

    committed = call_awarded_total(project.call, excluding=project.pk)
    available = project.call.budget - committed
    if data.awarded_amount > available:
        return Failure(
            "call_budget",
            _("Only %(available)s of the call's budget remain.")
            % {"available": money(max(available, 0))},
        )


def below_threshold(project, data):
    from workflow.selectors import project_score

    score = project_score(project)
    if score.above_threshold or (data.override_reason or "").strip():
        return None
    return Failure(
        "below_threshold",
        _("The proposal scores below a threshold; give an override reason to approve it anyway."),
    )


def agreement_pending(project, data):
    pending = [p.centre.name for p in project.confirmed_partnerships() if not p.agreement_accepted]
    if pending:
        return Failure(
            "agreement_pending",
            _("A manager must accept the grant agreement for: %(centres)s.")
            % {"centres": ", ".join(pending)},
        )


def report_incomplete(obj, data):
    """The final report has a narrative, indicators and every confirmed partner's actual costs."""
    from projects.models import JointProject, ReportKind

    if isinstance(obj, JointProject):
        report = obj.reports.filter(kind=ReportKind.FINAL).first()
        project = obj
    else:
        report, project = obj, obj.project
        if not report.is_final:
            return None
    if report is None:
        return Failure("report_incomplete", _("The final report has not been started."))
    missing = []
    if not report.narrative.strip():
        missing.append(_("the narrative"))
    if not any(value not in (None, "", [], {}, 0) for value in (report.indicators or {}).values()):
        missing.append(_("the indicators"))
    reported = set(report.costs.values_list("partnership_id", flat=True))
    without_costs = [
        p.centre.name for p in project.confirmed_partnerships() if p.pk not in reported
    ]
    if without_costs:
        missing.append(_("the actual costs of %(centres)s") % {"centres": ", ".join(without_costs)})
    if missing:
        return Failure(
            "report_incomplete",
            _("The final report lacks %(missing)s.")
            % {"missing": ", ".join(str(part) for part in missing)},
        )


# --- Partnership ----------------------------------------------------------------------------


def project_locked(partnership, data):
    project = partnership.project
    if project.state not in ProjectState.editable():
        return Failure(
            "project_locked",
            _("The proposal is %(state)s: its partners can no longer change.")
            % {"state": project.get_state_display()},
        )


def lead_cannot_leave(partnership, data):
    if partnership.is_lead:
        return Failure("lead_cannot_leave", _("The lead centre cannot leave its own project."))


# --- Review ---------------------------------------------------------------------------------


def scores_incomplete(review, data):
    scored = {score.criterion_id for score in review.scores.all()}
    missing = [c.name for c in review.project.call.criteria.all() if c.pk not in scored]
    if missing:
        return Failure(
            "scores_incomplete",
            _("Score every criterion before submitting; missing: %(criteria)s.")
            % {"criteria": ", ".join(missing)},
        )


# The table: (kind of object, transition) → its rules, in the order they are reported.
RULES = {
    ("project", "open_partner_search"): [title_missing, summary_missing, call_closed],
    ("project", "submit"): [
        call_closed,
        min_partners,
        min_countries,
        mandate_missing,
        budget_empty,
        max_grant,
        cofinancing_rate,
        duration,
        question_unanswered,
    ],
    ("project", "request_changes"): [comment_required],
    ("project", "approve"): [min_reviews, awarded_amount, call_budget, below_threshold],
    ("project", "reject"): [comment_required],
    ("project", "start"): [agreement_pending],
    ("project", "submit_report"): [report_incomplete],
    ("project", "return_report"): [comment_required],
    ("project", "terminate"): [comment_required],
    ("partnership", "accept"): [project_locked],
    ("partnership", "withdraw"): [lead_cannot_leave, project_locked],
    ("review", "submit"): [scores_incomplete],
    ("report", "submit"): [report_incomplete],
    ("report", "return"): [comment_required],
}


def failures(kind, name, obj, data=None):
    data = data or TransitionInput()
    return [failure for rule in RULES.get((kind, name), []) if (failure := rule(obj, data))]
