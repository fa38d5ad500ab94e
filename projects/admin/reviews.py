"""Reviewer assignment: per proposal (every reviewer with their load; those with a conflict of
interest shown with the reason and not offered) and for a whole call at once (a plan that
respects the conflicts and balances the load, previewed before it is committed)."""

from dataclasses import dataclass

from django import forms
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from projects.admin._common import (
    CallScreenMixin,
    ProjectActionView,
    report_form_errors,
    run_service,
    state_label,
)
from workflow import assignment, permissions, services
from workflow.assignment import display_name, plan_assignments
from workflow.services.reviews import REVIEWABLE, review_assign_bulk
from workflow.states import ProjectState, ReviewState


class ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return display_name(user)


def reviewers():
    return (
        get_user_model()
        .objects.filter(groups__name=permissions.REVIEWERS, is_active=True)
        .order_by("last_name", "first_name", "username")
    )


@dataclass
class ReviewerRow:
    """A reviewer as the proposal's page lists them."""

    reviewer: object
    name: str
    open_reviews: int
    all_reviews: int
    conflict: assignment.Conflict | None

    @property
    def label(self):
        return _("%(name)s (%(open)s open, %(all)s in all)") % {
            "name": self.name,
            "open": self.open_reviews,
            "all": self.all_reviews,
        }


def reviewer_rows(project):
    """The active reviewers not yet assigned to the project, by name, with their load and any
    conflict of interest: two queries, whatever the number of reviewers and partners (the
    project's partnerships come prefetched with their centres)."""
    index = assignment.reviewer_memberships()
    conflicts = assignment.project_conflicts(project, index)
    return [
        ReviewerRow(
            reviewer=user,
            name=display_name(user),
            open_reviews=user.open_reviews,
            all_reviews=user.all_reviews,
            conflict=conflicts.get(user.pk),
        )
        for user in assignment.reviewers_with_load().exclude(reviews__project=project)
    ]


class AssignReviewerForm(forms.Form):
    reviewer = ReviewerChoiceField(queryset=reviewers(), label=_("Reviewer"))
    due_date = forms.DateField(
        label=_("Due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, project=None, rows=(), **kwargs):
        kwargs.setdefault("prefix", "assign")
        super().__init__(*args, **kwargs)
        if project is not None:
            # The page offers only reviewers free of conflicts and not yet assigned, labelled
            # with their load, from the rows already read (no query of its own). A POST is
            # checked against every reviewer: the service says why one may not be assigned.
            available = [row for row in rows if row.conflict is None]
            field = self.fields["reviewer"]
            field.queryset = reviewers().filter(pk__in=[row.reviewer.pk for row in available])
            field.choices = [("", "---------")] + [
                (row.reviewer.pk, row.label) for row in available
            ]


def reviewer_assignment_context(project, *, user, url):
    """What the proposal page's reviewer assignment needs (its partial:
    projects/admin/_reviewer_assignment.html)."""
    can_assign = permissions.can_assign_reviewers(user, project) and project.state in REVIEWABLE
    if not can_assign:
        return {"assign_form": None, "assign_url": url}
    rows = reviewer_rows(project)
    return {
        "assign_form": AssignReviewerForm(project=project, rows=rows),
        "assign_url": url,
        "reviewer_rows": rows,
        "available_reviewers": sum(1 for row in rows if row.conflict is None),
        "bulk_assign_url": reverse("jointproject:bulk_assign", args=[quote(project.call_id)]),
    }


class AssignReviewerView(ProjectActionView):
    def post(self, request, pk):
        heading = _("The reviewer was not assigned:")
        form = AssignReviewerForm(request.POST)
        if not form.is_valid():
            report_form_errors(request, heading, form)
            return self.back()
        reviewer = form.cleaned_data["reviewer"]

        def assign():
            services.review_assign(
                project_id=self.project.pk,
                reviewer=reviewer,
                actor=request.user,
                due_date=form.cleaned_data["due_date"],
            )

        if run_service(request, assign, heading=heading):
            messages.success(
                request,
                _("%(reviewer)s will review “%(project)s”.")
                % {"reviewer": display_name(reviewer), "project": self.project},
            )
        return self.back()


# --- A whole call at once ---------------------------------------------------------------------


class BulkAssignForm(forms.Form):
    per_proposal = forms.IntegerField(
        label=_("Reviewers per proposal"),
        min_value=1,
        max_value=20,
        help_text=_("Reviews a proposal already has count, except declined ones."),
    )
    reviewers = forms.TypedMultipleChoiceField(
        label=_("Reviewers taking part"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Open reviews: assigned and not yet submitted, in this call and in all calls."),
    )
    due_date = forms.DateField(
        label=_("Due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, call, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["per_proposal"].initial = max(call.min_reviews, 1)
        field = self.fields["reviewers"]
        field.choices = [
            (
                user.pk,
                _("%(name)s (%(call)s open in this call, %(open)s in all calls)")
                % {
                    "name": display_name(user),
                    "call": user.call_open_reviews,
                    "open": user.open_reviews,
                },
            )
            for user in reviewers
        ]
        field.initial = [user.pk for user in reviewers]

    def clean_due_date(self):
        date = self.cleaned_data.get("due_date")
        if date and date < timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the past."))
        return date


class BulkAssignView(CallScreenMixin, WagtailAdminTemplateMixin, TemplateView):
    """GET: the parameters. POST "preview": the plan, nothing written. POST "confirm": the plan
    made again from the same parameters and, when it is the one previewed, committed."""

    template_name = "projects/admin/bulk_assign.html"
    page_title = _("Assign reviewers")
    header_icon = "group"
    http_method_names = ["get", "post"]
    index_url_name = None
    inspect_url_name = None

    @property
    def header_buttons(self):
        pk = quote(self.call.pk)
        return [
            HeaderButton(
                _("Ranking of the call"),
                url=reverse("jointproject:ranking", args=[pk]),
                icon_name="list-ol",
            ),
            HeaderButton(
                _("The call's proposals"),
                url=f"{reverse(self.index_url_name)}?call={pk}",
                icon_name="form",
            ),
        ]

    def get(self, request, call_pk):
        data = assignment.call_assignment_data(self.call)
        form = BulkAssignForm(call=self.call, reviewers=data.reviewers)
        return self.render_page(form, data)

    def post(self, request, call_pk):
        data = assignment.call_assignment_data(self.call)
        form = BulkAssignForm(request.POST, call=self.call, reviewers=data.reviewers)
        if not form.is_valid():
            return self.render_page(form, data)
        plan = self.make_plan(form, data)
        if request.POST.get("action") != "confirm":
            return self.render_page(form, data, plan)
        if request.POST.get("fingerprint") != plan.fingerprint:
            messages.warning(
                request,
                _(
                    "The plan changed since the preview (the parameters, or the proposals and "
                    "their reviewers, changed). Nothing was assigned: check this plan and "
                    "confirm again."
                ),
            )
            return self.render_page(form, data, plan)
        if not len(plan):
            messages.warning(request, _("There is nothing to assign."))
            return self.render_page(form, data, plan)

        def commit():
            review_assign_bulk(
                call_id=self.call.pk,
                actor=request.user,
                plan=plan,
                due_date=form.cleaned_data["due_date"],
            )

        if run_service(request, commit, heading=_("The reviewers were not assigned:")):
            messages.success(
                request,
                ngettext(
                    "%(count)s review assigned in “%(call)s”; each reviewer is told.",
                    "%(count)s reviews assigned in “%(call)s”; each reviewer is told.",
                    len(plan),
                )
                % {"count": len(plan), "call": self.call},
            )
            return redirect(reverse("jointproject:bulk_assign", args=[quote(self.call.pk)]))
        data = assignment.call_assignment_data(self.call)
        return self.render_page(form, data, self.make_plan(form, data))

    def make_plan(self, form, data):
        taking_part = set(form.cleaned_data["reviewers"])
        return plan_assignments(
            proposals=[proposal["pk"] for proposal in data.proposals],
            reviewers=[user.pk for user in data.reviewers if user.pk in taking_part],
            conflicts=data.conflicts,
            existing=data.existing,
            per_proposal=form.cleaned_data["per_proposal"],
        )

    def render_page(self, form, data, plan=None):
        context = self.get_context_data(
            form=form, plan=plan, previewing=plan is not None, **self.overview(data)
        )
        if plan is not None:
            context.update(self.preview(data, plan))
        return self.render_to_response(context)

    def overview(self, data):
        counted = {}
        for (project, _reviewer), state in data.existing.items():
            if state != ReviewState.DECLINED:
                counted[project] = counted.get(project, 0) + 1
        return {
            "call": self.call,
            "proposal_count": len(data.proposals),
            "short_count": sum(
                1 for p in data.proposals if counted.get(p["pk"], 0) < self.call.min_reviews
            ),
        }

    def preview(self, data, plan):
        users = {user.pk: user for user in data.reviewers}
        names = {**data.names, **{pk: display_name(user) for pk, user in users.items()}}
        existing = {}
        for (project, reviewer), state in sorted(data.existing.items()):
            existing.setdefault(project, []).append(
                {"name": names.get(reviewer, reviewer), "state": state_label(ReviewState, state)}
            )
        taking_part = set(plan.loads)
        proposals = [
            {
                "pk": proposal["pk"],
                "title": proposal["title"] or proposal["acronym"] or proposal["pk"],
                "acronym": proposal["acronym"],
                "url": reverse(self.inspect_url_name, args=[quote(proposal["pk"])]),
                "state": state_label(ProjectState, proposal["state"]),
                "existing": existing.get(proposal["pk"], []),
                "new": [names[r] for r in plan.assignments.get(proposal["pk"], [])],
                "short": plan.shortages.get(proposal["pk"], 0),
                "conflicts": [
                    {"name": names[r], "reason": conflict.describe()}
                    for r, conflict in sorted(
                        data.conflicts.get(proposal["pk"], {}).items(),
                        key=lambda item: names.get(item[0], ""),
                    )
                    if r in taking_part
                ],
            }
            for proposal in data.proposals
        ]
        loads = [
            {
                "name": names[pk],
                "before": load.before,
                "added": load.added,
                "after": load.after,
                "open_after": users[pk].open_reviews + load.added,
            }
            for pk, load in plan.loads.items()
        ]
        after = [load["after"] for load in loads]
        return {
            "proposals": proposals,
            "loads": loads,
            "assignment_count": len(plan),
            "short_proposals": len(plan.shortages),
            "least": min(after, default=0),
            "most": max(after, default=0),
        }


def proposal_urlpatterns(viewset, inspect):
    """The reviewer-assignment URLs, under the proposals' viewset (names jointproject:…)."""
    return [
        path(
            "inspect/<int:pk>/reviewers/",
            AssignReviewerView.as_view(**inspect),
            name="assign_reviewer",
        ),
        path(
            "calls/<int:call_pk>/assign/",
            viewset.construct_view(BulkAssignView, header_icon="group", **inspect),
            name="bulk_assign",
        ),
    ]
