"""The POSTs from a proposal's page: run a transition, assign a reviewer."""

from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin import messages

from projects.admin._common import report_form_errors, run_service, transition_label
from projects.admin.inspect import AssignReviewerForm, TransitionForm
from projects.models import JointProject
from workflow import permissions, services


class ProjectActionView(View):
    """A POST from the proposal page: run one service, say what happened, go back."""

    http_method_names = ["post"]
    inspect_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not permissions.is_coordinator(request.user):
            raise PermissionDenied
        self.project = get_object_or_404(
            JointProject.objects.select_related("call", "lead_centre"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def back(self):
        return redirect(reverse(self.inspect_url_name, args=[quote(self.project.pk)]))


class ProjectTransitionView(ProjectActionView):
    def post(self, request, pk, name):
        project = self.project
        label = transition_label(name)
        heading = _("“%(transition)s” was not possible:") % {"transition": label}
        form = TransitionForm(request.POST, name=name, project=project)
        if not form.is_valid():
            report_form_errors(request, heading, form)
            return self.back()

        def transition():
            self.result = services.project_transition(
                project_id=project.pk, name=name, actor=request.user, **form.service_kwargs()
            )

        if run_service(request, transition, heading=heading):
            messages.success(
                request,
                _("“%(project)s” is now “%(state)s”.")
                % {"project": self.result, "state": self.result.get_state_display()},
            )
        return self.back()


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
