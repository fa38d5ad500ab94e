"""A proposal's page in the admin: the tracker, what to do next, every section, the decisions."""

from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import InspectView
from wagtail.admin.widgets.button import Button

from projects.admin._common import CoordinatorsOnlyMixin, percent, transition_label
from projects.admin.inspect import sections
from projects.admin.inspect.forms import SERIOUS_TRANSITIONS, TRANSITION_HELP, TransitionForm
from projects.admin.inspect.history import history_rows, last_entered, tracker_steps
from projects.admin.inspect.selectors import (
    latest_messages,
    payments_and_final_report,
    proposal_for_page,
    review_scores,
)
from projects.admin.next_actions import ACTION, coordinator_actions
from projects.admin.reviews import reviewer_assignment_context
from projects.questions import answers_for_display
from workflow import services
from workflow.conditions import money
from workflow.selectors import project_history, project_reviews_with_score
from workflow.services.threads import thread_started
from workflow.states import ProjectState

MESSAGES_SHOWN = 20


class JointProjectInspectView(CoordinatorsOnlyMixin, InspectView):
    page_title = _("Proposal")
    ranking_url_name = None
    transition_url_name = None
    assign_url_name = None
    # The call's bulk reviewer assignment (projects/admin/reviews.py), under the same viewset.
    bulk_assign_url_name = "jointproject:bulk_assign"

    def get_object(self, queryset=None):
        return proposal_for_page(self.pk)

    def get_fields(self):
        return []  # the template lays the page out itself

    @cached_property
    def ranking_url(self):
        return reverse(self.ranking_url_name, args=[quote(self.object.call_id)])

    @cached_property
    def header_more_buttons(self):
        call = self.object.call_id
        buttons = [
            Button(
                _("Ranking of the call"), url=self.ranking_url, icon_name="list-ol", priority=10
            ),
            Button(
                _("Assign reviewers for the whole call"),
                url=reverse(self.bulk_assign_url_name, args=[quote(call)]),
                icon_name="group",
                priority=20,
            ),
        ]
        if self.index_url_name:
            buttons.append(
                Button(
                    _("All proposals of the call"),
                    url=f"{reverse(self.index_url_name)}?call={call}",
                    icon_name="form",
                    priority=30,
                )
            )
        return buttons

    def get_transition_forms(self):
        project, user = self.object, self.request.user
        return [
            {
                "name": name,
                "label": transition_label(name),
                "help": TRANSITION_HELP.get(name, ""),
                "form": TransitionForm(name=name, project=project),
                "url": reverse(self.transition_url_name, args=[quote(project.pk), name]),
                "serious": name in SERIOUS_TRANSITIONS,
            }
            for name in services.project_available_transitions(project=project, user=user)
        ]

    def get_logs(self):
        # The content types come from Django's per-process cache, not a join per row.
        logs = project_history(self.object, user=self.request.user).select_related(None)
        return list(logs.select_related("actor"))

    def get_links(self, final_report):
        project = self.object
        return {
            "eligibility": "#eligibility-section",
            "reviews": "#reviews-section",
            "decisions": "#decisions-section",
            "partners": "#partners-section",
            "payments": reverse("payment:index"),
            "report": reverse("report:inspect", args=[quote(final_report.pk)])
            if final_report is not None
            else "",
            "thread": reverse("workspace:project_messages", args=[project.pk])
            if thread_started(project)
            else "",
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project, user = self.object, self.request.user
        today = timezone.localdate()
        logs = self.get_logs()
        # The reviews with their weighted totals and the mean score: two queries, not six.
        reviews, score = project_reviews_with_score(project)
        criteria, scores = review_scores(project, reviews)
        payments, final_report = payments_and_final_report(project)
        eligibility = sections.eligibility_section(
            project, last_entered(project, logs, ProjectState.SUBMITTED)
        )
        links = self.get_links(final_report)
        messages, more_messages = latest_messages(user, project, limit=MESSAGES_SHOWN)
        actions = coordinator_actions(
            project,
            today=today,
            reviews=reviews,
            payments=payments,
            final_report=final_report,
            eligibility_failed=eligibility["failed"],
            links=links,
        )
        context.update(
            {
                "project": project,
                "steps": tracker_steps(project, logs),
                "actions": actions,
                "action_kind": ACTION,
                "links": links,
                "limits": {
                    "max_grant": money(project.rules.max_grant),
                    "max_rate": percent(project.rules.max_cofinancing_rate),
                },
                "figures": [
                    (_("Total eligible cost"), money(project.total_cost)),
                    (_("Requested grant"), money(project.requested_grant)),
                    (_("Co-financing rate"), percent(project.cofinancing_rate)),
                    (
                        _("Awarded amount"),
                        money(project.awarded_amount) if project.awarded_amount else "—",
                    ),
                    (
                        _("Final grant"),
                        money(project.final_grant) if project.final_grant is not None else "—",
                    ),
                ],
                "partners": sections.partner_rows(project),
                "budget": sections.budget_table(project),
                "eligibility": eligibility,
                "answers": answers_for_display(project),
                "reviews": reviews,
                "score": score,
                "criteria": sections.score_grid(reviews, criteria, scores),
                "payments": payments,
                "final_report": final_report,
                "thread_messages": messages,
                "more_messages": more_messages,
                "history": history_rows(logs),
                "transitions": self.get_transition_forms(),
                **reviewer_assignment_context(
                    project,
                    user=user,
                    url=reverse(self.assign_url_name, args=[quote(project.pk)]),
                ),
                "ranking_url": self.ranking_url,
            }
        )
        return context
