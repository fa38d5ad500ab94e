"""The POSTs from a proposal's page: run a transition, assign a reviewer."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages

from projects.admin._common import (
    ProjectActionView,
    report_form_errors,
    run_service,
    transition_label,
)
from projects.admin.inspect import TransitionForm
from workflow import services


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
