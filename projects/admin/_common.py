"""What the coordinators' admin screens share: the transitions' names, the labels of states
and figures, the workflow services' refusals as admin messages, and the coordinators-only rule.
"""

from django.contrib import messages as django_messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin import messages

from projects.models import Call, JointProject
from workflow import permissions
from workflow.exceptions import (
    ConditionsNotMet,
    NotPermitted,
    NotVisible,
    UnknownTransition,
    WrongState,
)

TRANSITION_LABELS = {
    "open_partner_search": _("Open the partner search"),
    "submit": _("Submit"),
    "start_review": _("Start the review"),
    "request_changes": _("Request changes"),
    "approve": _("Approve"),
    "reject": _("Reject"),
    "withdraw": _("Withdraw"),
    "start": _("Start the project"),
    "begin_reporting": _("Begin reporting"),
    "submit_report": _("Submit the final report"),
    "return_report": _("Return the report"),
    "terminate": _("Terminate"),
    "complete": _("Complete"),
    # Transitions of the parts of a project, as the history shows them.
    "create": _("Create"),
    "invite": _("Invite"),
    "request": _("Request to join"),
    "accept": _("Accept"),
    "decline": _("Decline"),
    "assign": _("Assign a reviewer"),
    "return": _("Return"),
}


def transition_label(name):
    return TRANSITION_LABELS.get(name, name.replace("_", " ").capitalize())


def state_label(states, code):
    return dict(states.choices).get(code, code) if code else "—"


def percent(rate):
    return "—" if rate is None else f"{number_format(rate * 100, decimal_pos=1)} %"


def report_failures(request, heading, failures):
    """One error message listing every failed condition, as the service reported them."""
    items = format_html_join("\n", "<li>{}</li>", ((str(f.message),) for f in failures))
    detail = format_html('<ul class="errorlist">{}</ul>', items)
    django_messages.error(request, messages.render(heading, None, detail=detail))


def report_form_errors(request, heading, form):
    errors = [
        f"{form[field].label}: {error}" if field in form.fields else str(error)
        for field, field_errors in form.errors.items()
        for error in field_errors
    ]
    items = format_html_join("\n", "<li>{}</li>", ((error,) for error in errors))
    detail = format_html('<ul class="errorlist">{}</ul>', items)
    django_messages.error(request, messages.render(heading, None, detail=detail))


def run_service(request, call, *, heading):
    """Run a workflow service and turn its refusals into admin messages (True when done)."""
    try:
        call()
    except ConditionsNotMet as exc:
        report_failures(request, heading, exc.failures)
    except WrongState as exc:
        messages.error(request, format_html("{} {}", heading, str(exc)))
    except NotPermitted as exc:
        raise PermissionDenied(str(exc)) from exc
    except (NotVisible, UnknownTransition) as exc:
        raise Http404(str(exc)) from exc
    else:
        return True
    return False


class CoordinatorRequiredMixin:
    """Every screen of the back-office is the secretariat's, whatever model permissions a staff
    member holds through their groups (PermissionDenied: Wagtail's "no permission" redirect)."""

    def dispatch(self, request, *args, **kwargs):
        if not permissions.is_coordinator(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class CoordinatorsOnlyMixin(CoordinatorRequiredMixin):
    """Proposals, reviews and rankings are the secretariat's: coordinators only, and nobody
    adds, edits or deletes a proposal here (the lead edits it, the services change its state)."""

    WRITE_PERMISSIONS = {"add", "change", "delete"}

    def user_has_permission(self, permission):
        return permission not in self.WRITE_PERMISSIONS and super().user_has_permission(permission)

    def user_has_any_permission(self, permissions):
        readable = set(permissions) - self.WRITE_PERMISSIONS
        return bool(readable) and super().user_has_any_permission(readable)


class ProjectActionView(CoordinatorRequiredMixin, View):
    """A POST from the proposal page: run one service, say what happened, go back."""

    http_method_names = ["post"]
    inspect_url_name = None

    @cached_property
    def project(self):
        return get_object_or_404(
            JointProject.objects.select_related("call", "lead_centre"), pk=self.kwargs["pk"]
        )

    def back(self):
        return redirect(reverse(self.inspect_url_name, args=[quote(self.project.pk)]))


class ReadOnlyViewSetMixin:
    """A ModelViewSet with a listing and an inspect view only: records that change through the
    workflow services (proposals, payments, reports, exports), never through an edit form."""

    inspect_view_enabled = True
    copy_view_enabled = False
    # Transitions save these rows often; nothing links to them through Wagtail's references.
    add_to_reference_index = False
    form_fields = []  # no add or edit view is served; Wagtail asks for a form class anyway

    def get_common_view_kwargs(self, **kwargs):
        # No add, edit or delete views exist: nothing may link to them.
        return super().get_common_view_kwargs(
            **{
                "add_url_name": None,
                "edit_url_name": None,
                "delete_url_name": None,
                "history_url_name": None,
                "usage_url_name": None,
                **kwargs,
            }
        )

    @property
    def url_finder_class(self):
        # "Edit this object" links elsewhere in the admin lead to the record's page.
        finder = super().url_finder_class
        finder.edit_url_name = self.get_url_name("inspect")
        return finder

    def get_read_only_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]

    def get_urlpatterns(self):
        return self.get_read_only_urlpatterns()


class CallScreenMixin(CoordinatorRequiredMixin):
    """A screen about one call (its ranking, its reviewer assignment): the call from the URL,
    named under the page title and in the breadcrumbs after the proposals' listing."""

    index_url_name = None

    @cached_property
    def call(self):
        return get_object_or_404(Call.objects.select_related("network"), pk=self.kwargs["call_pk"])

    def get_page_subtitle(self):
        return str(self.call)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Joint projects")},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]
