"""What the secretariat must do next on a proposal: the "Actions to take" panel of its admin
page, worked out from its state and what the page has already loaded.

`coordinator_actions` is pure: it reads the objects it is given and runs no query, so the page
keeps its fixed number of queries and every rule is tested on hand-made objects.
"""

from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workflow.conditions import money
from workflow.scheduled import report_due_date
from workflow.states import ProjectState, ReviewState

# The coordinator acts; or someone else must act first (shown, to say why nothing is asked).
ACTION = "action"
WAITING = "waiting"

PAYMENT_LABELS = {
    "prefinancing": lambda amount, due: (
        _("Pay the pre-financing: %(amount)s, due %(due)s") % {"amount": amount, "due": due}
    ),
    "balance": lambda amount, due: (
        _("Pay the balance: %(amount)s, due %(due)s") % {"amount": amount, "due": due}
    ),
    "recovery": lambda amount, due: (
        _("Recover %(amount)s owed back to the network, due %(due)s")
        % {"amount": amount, "due": due}
    ),
}


@dataclass(frozen=True)
class NextAction:
    code: str
    kind: str  # ACTION or WAITING
    label: str
    url: str = ""
    overdue: bool = False


def _date(value):
    return date_format(value, "DATE_FORMAT")


def coordinator_actions(
    project,
    *,
    today,
    reviews=(),
    payments=(),
    final_report=None,
    eligibility_failed=(),
    links=None,
):
    """The proposal's next steps for the secretariat, the most pressing first.

    project: reads `state`, `call.min_reviews`, `confirmed_partnerships()` (prefetched),
    `resubmission_date` and `end_date`. reviews: its reviews (`state`, `due_date`).
    payments: its payments (`kind`, `amount`, `due_date`, `paid_at`). final_report: its final
    report or None. eligibility_failed: the codes of the submit conditions it fails now.
    links: {"eligibility", "reviews", "decisions", "partners", "payments", "report"} → URL.
    """
    links = links or {}
    actions = _state_actions(project, today, reviews, final_report, eligibility_failed, links)
    for payment in payments:
        if payment.paid_at is not None:
            continue
        label = PAYMENT_LABELS.get(payment.kind)
        if label is None:
            continue
        actions.append(
            NextAction(
                code=f"pay_{payment.kind}",
                kind=ACTION,
                label=label(money(payment.amount), _date(payment.due_date)),
                url=links.get("payments", ""),
                overdue=payment.due_date < today,
            )
        )
    return actions


def _state_actions(project, today, reviews, final_report, eligibility_failed, links):
    state = project.state
    if state in (ProjectState.DRAFT, ProjectState.OPEN_FOR_PARTNERS):
        return [NextAction("preparing", WAITING, _("The lead centre is preparing the proposal."))]
    if state == ProjectState.SUBMITTED:
        failed = len(eligibility_failed)
        if failed:
            label = ngettext(
                "%(count)s submission condition fails now: request changes or reject",
                "%(count)s submission conditions fail now: request changes or reject",
                failed,
            ) % {"count": failed}
            return [NextAction("eligibility_failed", ACTION, label, links.get("eligibility", ""))]
        return [
            NextAction(
                "start_review",
                ACTION,
                _("Check eligibility and start the review"),
                links.get("eligibility", ""),
            )
        ]
    if state == ProjectState.UNDER_REVIEW:
        return [_review_action(project, today, reviews, links)]
    if state == ProjectState.CHANGES_REQUESTED:
        if project.resubmission_date:
            label = _("Waiting for the lead centre to resubmit by %(date)s") % {
                "date": _date(project.resubmission_date)
            }
        else:
            label = _("Waiting for the lead centre to resubmit")
        return [NextAction("resubmission", WAITING, label)]
    if state == ProjectState.APPROVED:
        pending = [p for p in project.confirmed_partnerships() if p.agreement_accepted_at is None]
        if pending:
            label = ngettext(
                "Waiting for %(count)s partner to accept the grant agreement",
                "Waiting for %(count)s partners to accept the grant agreement",
                len(pending),
            ) % {"count": len(pending)}
            return [NextAction("agreements_pending", WAITING, label, links.get("partners", ""))]
        return [NextAction("start", ACTION, _("Start the project"), links.get("decisions", ""))]
    if state == ProjectState.IN_PROGRESS:
        end = project.end_date
        if end and end < today:
            label = _("Begin reporting: the project ended on %(date)s") % {"date": _date(end)}
            return [NextAction("begin_reporting", ACTION, label, links.get("decisions", ""))]
        if end:
            label = _("The project runs until %(date)s") % {"date": _date(end)}
        else:
            label = _("The project is running")
        return [NextAction("running", WAITING, label)]
    if state == ProjectState.REPORTING:
        return [_report_due_action(project, today, final_report, links)]
    if state == ProjectState.REPORT_SUBMITTED:
        url = links.get("report") or links.get("decisions", "")
        return [NextAction("review_report", ACTION, _("Review the final report"), url)]
    return []  # rejected, withdrawn, terminated, completed: only payments may be left


def _review_action(project, today, reviews, links):
    needed = project.call.min_reviews
    active = [r for r in reviews if r.state != ReviewState.DECLINED]
    submitted = sum(1 for r in active if r.state == ReviewState.SUBMITTED)
    url = links.get("reviews", "")
    if len(active) < needed:
        label = _("Assign reviewers (%(assigned)s of %(needed)s)") % {
            "assigned": len(active),
            "needed": needed,
        }
        return NextAction("assign_reviewers", ACTION, label, url)
    if submitted < needed:
        overdue = [
            r
            for r in active
            if r.state == ReviewState.ASSIGNED and r.due_date and r.due_date < today
        ]
        if overdue:
            label = ngettext(
                "Chase %(count)s overdue review (%(submitted)s of %(needed)s submitted)",
                "Chase %(count)s overdue reviews (%(submitted)s of %(needed)s submitted)",
                len(overdue),
            ) % {"count": len(overdue), "submitted": submitted, "needed": needed}
            return NextAction("reviews_overdue", ACTION, label, url, overdue=True)
        label = _("Waiting for the reviews (%(submitted)s of %(needed)s submitted)") % {
            "submitted": submitted,
            "needed": needed,
        }
        return NextAction("reviews_pending", WAITING, label, url)
    return NextAction("decide", ACTION, _("Decide: approve or reject"), links.get("decisions", ""))


def _report_due_action(project, today, final_report, links):
    url = links.get("report", "") if final_report is not None else ""
    if project.end_date is None:
        return NextAction("report_pending", WAITING, _("Waiting for the final report"), url)
    # The reminders' rule, as the admin home's "reports overdue" counts it.
    due = report_due_date(project)
    if due < today:
        label = _("Chase the final report: it was due on %(date)s") % {"date": _date(due)}
        return NextAction("report_overdue", ACTION, label, url, overdue=True)
    label = _("Waiting for the final report, due %(date)s") % {"date": _date(due)}
    return NextAction("report_pending", WAITING, label, url)
