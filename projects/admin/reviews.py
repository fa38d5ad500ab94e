"""Reviewer assignment: per proposal (with each reviewer's load and conflicts of interest)."""

from django import forms
from django.contrib.auth import get_user_model
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages

from projects.admin._common import ProjectActionView, report_form_errors, run_service
from projects.models import Membership
from workflow import permissions, services
from workflow.services.reviews import REVIEWABLE


class ReviewerChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, conflicts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.conflicts = set(conflicts)

    def label_from_instance(self, user):
        name = user.get_full_name() or user.username
        if user.pk in self.conflicts:
            return _("%(name)s (works for a centre of this project)") % {"name": name}
        return name


def reviewers():
    return (
        get_user_model()
        .objects.filter(groups__name=permissions.REVIEWERS, is_active=True)
        .order_by("last_name", "first_name", "username")
    )


class AssignReviewerForm(forms.Form):
    reviewer = ReviewerChoiceField(queryset=reviewers(), label=_("Reviewer"))
    due_date = forms.DateField(
        label=_("Due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, project=None, **kwargs):
        kwargs.setdefault("prefix", "assign")
        super().__init__(*args, **kwargs)
        if project is not None:  # the page: hide who is assigned, name who has a conflict
            field = self.fields["reviewer"]
            field.queryset = reviewers().exclude(reviews__project=project)
            centres = [p.centre_id for p in project.partnerships.all()]
            field.conflicts = set(
                Membership.objects.filter(
                    centre_id__in=centres, user__groups__name=permissions.REVIEWERS
                ).values_list("user_id", flat=True)
            )


def reviewer_assignment_context(project, *, user, url):
    """What the proposal page's reviewer-assignment form needs (its partial:
    projects/admin/_reviewer_assignment.html)."""
    can_assign = permissions.can_assign_reviewers(user, project) and project.state in REVIEWABLE
    return {
        "assign_form": AssignReviewerForm(project=project) if can_assign else None,
        "assign_url": url,
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
                % {
                    "reviewer": reviewer.get_full_name() or reviewer.username,
                    "project": self.project,
                },
            )
        return self.back()


def proposal_urlpatterns(viewset, inspect):
    """The reviewer-assignment URLs, under the proposals' viewset (names jointproject:…)."""
    return [
        path(
            "inspect/<int:pk>/reviewers/",
            AssignReviewerView.as_view(**inspect),
            name="assign_reviewer",
        ),
    ]
