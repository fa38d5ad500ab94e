"""The coordinators' panel on the admin home: the proposals of each open call by state, and what
is overdue or pending (reviews, final reports, grant agreements), each figure linking to its
listing. Five queries whatever the number of calls or proposals: aggregates only."""

from datetime import timedelta

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from projects import selectors
from projects.models import JointProject, Report, ReportKind
from workflow import permissions
from workflow.models import Review
from workflow.scheduled import REPORT_DUE_DAYS, REVIEWABLE
from workflow.states import PartnershipState, ProjectState, ReportState, ReviewState


def _proposals_url(**filters):
    url = reverse("jointproject:index")
    return f"{url}?{urlencode(filters)}" if filters else url


def open_calls_by_state(at=None):
    """Each open call (soonest deadline first) with its proposals' counts per state, in the
    order of the states' lifecycle: two queries."""
    calls = list(selectors.open_calls(at).values("id", "title", "deadline"))
    counts = {}
    rows = (
        JointProject.objects.filter(call_id__in=[call["id"] for call in calls])
        .order_by()
        .values("call_id", "state")
        .annotate(count=Count("id"))
    )
    for row in rows:
        counts.setdefault(row["call_id"], {})[row["state"]] = row["count"]
    result = []
    for call in calls:
        by_state = counts.get(call["id"], {})
        result.append(
            {
                **call,
                "url": _proposals_url(call=call["id"]),
                "total": sum(by_state.values()),
                "states": [
                    {
                        "label": state.label,
                        "count": by_state[state.value],
                        "url": _proposals_url(call=call["id"], state=state.value),
                    }
                    for state in ProjectState
                    if by_state.get(state.value)
                ],
            }
        )
    return result


def reviews_overdue(today):
    """Reviews still assigned past their due date, on proposals still being reviewed."""
    return Review.objects.filter(
        state=ReviewState.ASSIGNED, due_date__lt=today, project__state__in=REVIEWABLE
    ).count()


def reports_overdue(today):
    """Projects in their reporting period whose final report is not submitted (nor accepted)
    although it was due (the project's end + REPORT_DUE_DAYS, as the reminders count it)."""
    submitted = Report.objects.filter(
        kind=ReportKind.FINAL, state__in=[ReportState.SUBMITTED, ReportState.ACCEPTED]
    )
    return (
        JointProject.objects.filter(
            state=ProjectState.REPORTING,
            end_date__isnull=False,
            end_date__lt=today - timedelta(days=REPORT_DUE_DAYS),
        )
        .exclude(pk__in=submitted.values("project_id"))
        .count()
    )


def agreements_pending():
    """Approved projects with a confirmed partner who has not accepted the grant agreement."""
    return (
        JointProject.objects.filter(
            state=ProjectState.APPROVED,
            partnerships__state=PartnershipState.CONFIRMED,
            partnerships__agreement_accepted_at__isnull=True,
        )
        .distinct()
        .count()
    )


class GrantsOverviewPanel(Component):
    name = "grants_overview"
    template_name = "projects/admin/home_panels.html"
    order = 50

    def get_context_data(self, parent_context):
        today = timezone.localdate()
        return {
            "calls": open_calls_by_state(),
            "figures": [
                {
                    "label": _("Reviews overdue"),
                    "count": reviews_overdue(today),
                    "url": _proposals_url(state=ProjectState.UNDER_REVIEW.value),
                    "link_title": _("Proposals under review"),
                },
                {
                    "label": _("Final reports overdue"),
                    "count": reports_overdue(today),
                    "url": _proposals_url(state=ProjectState.REPORTING.value),
                    "link_title": _("Projects in their reporting period"),
                },
                {
                    "label": _("Grant agreements pending"),
                    "count": agreements_pending(),
                    "url": _proposals_url(state=ProjectState.APPROVED.value),
                    "link_title": _("Approved projects"),
                },
            ],
            "calls_url": reverse("call:index"),
        }


def construct_grants_panels(request, panels):
    """The `construct_homepage_panels` hook: the panel for coordinators and superusers only."""
    if permissions.is_coordinator(request.user):
        panels.append(GrantsOverviewPanel())
