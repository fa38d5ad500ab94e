"""The coordinators' admin for networks, centres, calls and proposals (Wagtail viewsets).

Paths live under /admin/network/… so they never collide with Wagtail's own page-moderation
"workflows". The proposals' admin is read-only: every decision goes through the workflow
services, which check the permission, the state and the conditions, and write the log.
"""

import re
from datetime import datetime, time
from decimal import Decimal

from django import forms
from django.contrib import messages as django_messages
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import HeaderButton

from projects import selectors
from projects.models import Call, Centre, JointProject, Membership, Network
from workflow import permissions, services
from workflow.conditions import money
from workflow.exceptions import (
    ConditionsNotMet,
    NotPermitted,
    NotVisible,
    UnknownTransition,
    WrongState,
)
from workflow.selectors import (
    call_ranking_rows,
    project_history,
    project_reviews_with_score,
    ranking_rows,
)
from workflow.services.projects import RESUBMISSION_DAYS
from workflow.services.reviews import REVIEWABLE
from workflow.states import (
    PartnershipState,
    ProjectState,
    ReportState,
    ReviewState,
)


class NetworkViewSet(ModelViewSet):
    model = Network
    icon = "globe"
    url_prefix = "network/networks"
    list_display = ["name", "kind", "country"]
    list_filter = ["kind", "country"]
    search_fields = ["name"]
    search_backend_name = None
    form_fields = ["name", "slug", "kind", "country", "website", "description"]
    inspect_view_enabled = True


class CentreIndexView(IndexView):
    def get_base_queryset(self):
        return selectors.centres_for_admin()


class CentreViewSet(ModelViewSet):
    model = Centre
    icon = "home"
    url_prefix = "network/centres"
    index_view_class = CentreIndexView
    list_display = [
        "name",
        "city",
        "country",
        "network",
        "membership_kind",
        Column("member_count", label=_("Members"), sort_key="member_count"),
    ]
    list_filter = ["country", "network", "membership_kind", "has_label"]
    search_fields = ["name", "city"]
    search_backend_name = None
    list_per_page = 50
    inspect_view_enabled = True


class CallIndexView(IndexView):
    def get_base_queryset(self):
        return selectors.calls_for_admin()

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if permissions.is_coordinator(self.request.user):
            url = reverse("jointproject:ranking", args=[quote(instance.pk)])
            buttons.append(MenuItem(_("Ranking"), url=url, icon_name="list-ol", priority=25))
        return buttons


class CallViewSet(ModelViewSet):
    model = Call
    icon = "doc-full-inverse"
    url_prefix = "network/calls"
    index_view_class = CallIndexView
    list_display = ["title", "kind", "network", "opens_at", "deadline", "budget"]
    list_filter = ["kind", "network"]
    search_fields = ["title"]
    search_backend_name = None
    inspect_view_enabled = True


# --- Proposals: read-only list and page, decisions through the workflow services ------------

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

TRANSITION_HELP = {
    "start_review": _("The proposal is checked as eligible; reviewers score it."),
    "request_changes": _("The lead revises the proposal and submits it again by the date."),
    "approve": _(
        "Award a grant: more than 0, at most the requested grant, within the call's budget."
    ),
    "reject": _("The decision is final; the comment is sent to the lead and the partners."),
    "start": _("Every partner has accepted the grant agreement; the pre-financing is scheduled."),
    "return_report": _("The lead corrects the final report and submits it again."),
    "terminate": _("The grant agreement ends early; the final grant is settled."),
    "complete": _("The final report is accepted; the balance (or a recovery) is scheduled."),
}

# Transitions that refuse, or end, something: shown with Wagtail's "serious" button.
SERIOUS_TRANSITIONS = {"reject", "terminate", "request_changes", "return_report"}
COMMENT_REQUIRED = {"request_changes", "reject", "return_report", "terminate"}
COMMENT_REQUIRED_MESSAGE = _("A comment explaining the decision is required.")

# The states of each kind of object in the transition log, to name them in the history.
STATES_BY_MODEL = {
    "jointproject": ProjectState,
    "partnership": PartnershipState,
    "review": ReviewState,
    "report": ReportState,
}


def transition_label(name):
    return TRANSITION_LABELS.get(name, name.replace("_", " ").capitalize())


def state_label(states, code):
    return dict(states.choices).get(code, code) if code else "—"


def percent(rate):
    return "—" if rate is None else f"{number_format(rate * 100, decimal_pos=1)} %"


def log_details(payload):
    """The decision's figures a transition log carries, worded for people."""
    details = []
    for key, label in (
        ("awarded_amount", _("Awarded")),
        ("final_grant", _("Final grant")),
        ("accepted_costs", _("Accepted costs")),
    ):
        if payload.get(key) not in (None, "", "None"):
            details.append((label, money(Decimal(payload[key]))))
    if payload.get("override_reason"):
        details.append((_("Override reason"), payload["override_reason"]))
    if payload.get("resubmission_date"):
        date = timezone.localtime(datetime.fromisoformat(payload["resubmission_date"]))
        details.append((_("Resubmit by"), date_format(date, "DATETIME_FORMAT")))
    if payload.get("file"):
        details.append((_("Signed PDF"), _("uploaded")))
    if payload.get("automatic"):
        details.append((_("Automatic"), _("when the proposal was submitted")))
    return details


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


class TransitionForm(forms.Form):
    """What a coordinator sends with a transition. The service checks the rules; the form only
    parses the input (and marks as required what the conditions will require)."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the history and sent to the lead and the partners."),
    )

    def __init__(self, *args, name, project, **kwargs):
        kwargs.setdefault("prefix", name)
        super().__init__(*args, **kwargs)
        self.name = name
        if name in COMMENT_REQUIRED:
            comment = self.fields["comment"]
            comment.required = True
            comment.error_messages["required"] = COMMENT_REQUIRED_MESSAGE
        if name == "approve":
            comment = self.fields.pop("comment")
            # The requested grant is read for the page only (prefetched there), not for a POST.
            requested = None if self.is_bound else project.requested_grant
            self.fields["awarded_amount"] = forms.DecimalField(
                label=_("Awarded amount (EUR)"),
                max_digits=14,
                decimal_places=2,
                initial=requested,
                help_text=_("Requested: %(requested)s.") % {"requested": money(requested)}
                if requested is not None
                else "",
            )
            self.fields["override_reason"] = forms.CharField(
                label=_("Override reason"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Needed only to approve a proposal that scores below a threshold."),
            )
            self.fields["comment"] = comment
        if name == "request_changes":
            self.fields["resubmission_date"] = forms.DateField(
                label=_("Resubmit by"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                help_text=_("The end of that day; leave empty for %(days)s days from now.")
                % {"days": RESUBMISSION_DAYS},
            )

    def clean_resubmission_date(self):
        date = self.cleaned_data.get("resubmission_date")
        if date and date < timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the past."))
        return date

    def service_kwargs(self):
        data = self.cleaned_data
        kwargs = {"comment": data.get("comment", "")}
        if self.name == "approve":
            kwargs["awarded_amount"] = data["awarded_amount"]
            kwargs["override_reason"] = data["override_reason"]
        if self.name == "request_changes" and data.get("resubmission_date"):
            kwargs["resubmission_date"] = timezone.make_aware(
                datetime.combine(data["resubmission_date"], time(23, 59, 59))
            )
        return kwargs


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


class CoordinatorsOnlyMixin:
    """Proposals, reviews and rankings are the secretariat's: coordinators only, and nobody
    adds, edits or deletes a proposal here (the lead edits it, the services change its state)."""

    WRITE_PERMISSIONS = {"add", "change", "delete"}

    def dispatch(self, request, *args, **kwargs):
        if not permissions.is_coordinator(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def user_has_permission(self, permission):
        return permission not in self.WRITE_PERMISSIONS and super().user_has_permission(permission)

    def user_has_any_permission(self, permissions):
        readable = set(permissions) - self.WRITE_PERMISSIONS
        return bool(readable) and super().user_has_any_permission(readable)


class PlainColumn(Column):
    """A column whose cells are written here, with the exact markup of Wagtail's
    wagtailadmin/tables/cell.html: rendering that template once a cell (300 cells a page)
    cost more than the listing's queries."""

    def render_cell_html(self, instance, parent_context):
        value = self.get_cell_context_data(instance, parent_context)["value"]
        classname = format_html('class="{}"', self.classname) if self.classname else ""
        shown = "" if value is None else conditional_escape(value)
        return format_html("<td {}>\n    {}\n</td>\n", classname, shown)


class StampedTitleColumn(TitleColumn):
    """The proposals' title column (link and "more" menu), rendered by Wagtail's template once
    a page for a stand-in project whose title, label and id are markers, then stamped for each
    row by replacing the markers with the row's escaped values. Rendering the template and its
    dropdown component 50 times was a third of the listing's time. Valid because nothing in the
    cell but these three values depends on the row (the buttons depend on the user only)."""

    PK = 987654321987654
    TITLE = "\ue000title\ue000"
    ACRONYM = "\ue000acronym\ue000"

    def render_cell_html(self, instance, parent_context):
        stamp = getattr(self, "_stamp", None)
        if stamp is None:
            stand_in = JointProject(pk=self.PK, title=self.TITLE, acronym=self.ACRONYM)
            html = super().render_cell_html(stand_in, parent_context)
            label = conditional_escape(str(stand_in))
            # One pass over the markers (the label first: it holds the title), so a row's own
            # values are never searched for markers.
            markers = re.compile("|".join(re.escape(m) for m in (label, self.TITLE, str(self.PK))))
            stamp = self._stamp = (html, label, markers)
        html, label, markers = stamp
        title = self.get_value(instance)
        if not str(title).strip():
            title = self.empty_value_display
        values = {
            label: conditional_escape(str(instance)),
            self.TITLE: conditional_escape(title),
            str(self.PK): str(instance.pk),
        }
        # Every value put in is escaped; the rest is Wagtail's own markup.
        return mark_safe(markers.sub(lambda found: values[found.group(0)], html))


class JointProjectIndexView(CoordinatorsOnlyMixin, IndexView):
    def _get_custom_column(self, field_name, column_class=Column, **kwargs):
        if column_class is Column:
            column_class = PlainColumn
        return super()._get_custom_column(field_name, column_class, **kwargs)

    @cached_property
    def may_inspect(self):
        # Asked once a page, not once a row (the title cell's link and its "more" menu).
        return self.user_has_any_permission({"add", "change", "delete", "view"})

    def get_inspect_url(self, instance):
        if self.inspect_url_name and self.may_inspect:
            return reverse(self.inspect_url_name, args=(quote(instance.pk),))
        return None

    def get_base_queryset(self):
        # The columns show the call and lead centre; the requested grant of the page's rows
        # comes in one query (paginate_queryset), without loading partners or budget lines.
        return JointProject.objects.select_related("call", "lead_centre")

    def paginate_queryset(self, queryset, page_size):
        paginator, page, _rows, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = selectors.project_figures(page.object_list)
        return paginator, page, page.object_list, is_paginated

    def _get_title_column(self, field_name, column_class=StampedTitleColumn, **kwargs):
        # A draft may have no title yet: name it by its acronym or number instead.
        kwargs.setdefault("accessor", lambda project: project.title or str(project))
        return super()._get_title_column(field_name, column_class, **kwargs)


class JointProjectInspectView(CoordinatorsOnlyMixin, InspectView):
    page_title = _("Proposal")
    ranking_url_name = None
    transition_url_name = None
    assign_url_name = None

    def get_object(self, queryset=None):
        projects = selectors.with_partners(JointProject.objects.all())
        return get_object_or_404(projects, pk=self.pk)

    def get_fields(self):
        return []  # the template lays the page out itself

    @cached_property
    def ranking_url(self):
        return reverse(self.ranking_url_name, args=[quote(self.object.call_id)])

    @cached_property
    def header_buttons(self):
        return [HeaderButton(_("Ranking of the call"), url=self.ranking_url, icon_name="list-ol")]

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

    def get_history(self):
        rows = []
        # The content types from Django's per-process cache: building one per row
        # (select_related) cost more than the rest of the history.
        logs = project_history(self.object, user=self.request.user).select_related(None)
        for log in logs.select_related("actor"):
            content_type = ContentType.objects.get_for_id(log.content_type_id)
            states = STATES_BY_MODEL.get(content_type.model)
            rows.append(
                {
                    "log": log,
                    "subject": content_type.name,
                    "transition": transition_label(log.transition),
                    "from_state": state_label(states, log.from_state) if states else "",
                    "to_state": state_label(states, log.to_state) if states else log.to_state,
                    "details": log_details(log.payload or {}),
                }
            )
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project = self.object
        # The reviews with their weighted totals and the mean score: two queries, not six.
        reviews, score = project_reviews_with_score(project)
        can_assign = (
            permissions.can_assign_reviewers(self.request.user, project)
            and project.state in REVIEWABLE
        )
        context.update(
            {
                "project": project,
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
                "partnerships": sorted(
                    project.partnerships.all(), key=lambda p: (not p.is_lead, p.centre.name)
                ),
                "reviews": reviews,
                "score": score,
                "history": self.get_history(),
                "transitions": self.get_transition_forms(),
                "assign_form": AssignReviewerForm(project=project) if can_assign else None,
                "assign_url": reverse(self.assign_url_name, args=[quote(project.pk)]),
                "ranking_url": self.ranking_url,
            }
        )
        return context


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


class CallRankingView(WagtailAdminTemplateMixin, TemplateView):
    """A call's proposals, best mean weighted score first, with the cumulative requested grant."""

    template_name = "projects/admin/call_ranking.html"
    page_title = _("Ranking")
    header_icon = "list-ol"
    index_url_name = None
    inspect_url_name = None
    per_page = 50
    page_kwarg = "p"  # Wagtail's listings' parameter, which its pagination links write

    def dispatch(self, request, *args, **kwargs):
        if not permissions.is_coordinator(request.user):
            raise PermissionDenied
        self.call = get_object_or_404(Call.objects.select_related("network"), pk=kwargs["call_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.call)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Joint projects")},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # One page of the ranking; its rank and cumulative grant count the earlier pages.
        paginator = WagtailPaginator(call_ranking_rows(self.call), self.per_page)
        number = self.request.GET.get(self.page_kwarg, 1)
        page = paginator.get_page(number)
        rows = ranking_rows(self.call, page)
        for row in rows:
            row["url"] = reverse(self.inspect_url_name, args=[row["project"]])
            row["state_label"] = state_label(ProjectState, row["state"])
            row["requested"] = money(row["requested_grant"])
            row["cumulative"] = money(row["cumulative_requested"])
        context.update(
            {
                "call": self.call,
                "rows": rows,
                "page_obj": page,
                "paginator": paginator,
                "elided_page_range": paginator.get_elided_page_range(number),
                "budget": money(self.call.budget),
                "proposals_url": f"{reverse(self.index_url_name)}?call={self.call.pk}",
            }
        )
        return context


class JointProjectViewSet(ModelViewSet):
    """Proposals and projects, read-only: no add, edit, copy or delete view. The page of a
    proposal is its inspect view, with the decisions the coordinator may take now."""

    model = JointProject
    name = "jointproject"
    icon = "form"
    url_prefix = "network/projects"
    index_view_class = JointProjectIndexView
    inspect_view_class = JointProjectInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    # Transitions save projects often; nothing links to a project through Wagtail's references.
    add_to_reference_index = False
    list_display = [
        "title",
        "acronym",
        "call",
        "lead_centre",
        "state",
        PlainColumn(
            "requested_grant",
            label=_("Requested grant"),
            accessor=lambda project: money(
                project.figures.requested_grant
                if hasattr(project, "figures")
                else project.requested_grant
            ),
        ),
    ]
    list_filter = ["state", "call"]
    search_fields = ["title", "acronym"]
    search_backend_name = None
    list_per_page = 50
    inspect_template_name = "projects/admin/project_inspect.html"

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

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            ranking_url_name=self.get_url_name("ranking"),
            transition_url_name=self.get_url_name("transition"),
            assign_url_name=self.get_url_name("assign_reviewer"),
            **kwargs,
        )

    @property
    def url_finder_class(self):
        # "Edit this object" links elsewhere in the admin lead to the proposal's page.
        finder = super().url_finder_class
        finder.edit_url_name = self.get_url_name("inspect")
        return finder

    def get_urlpatterns(self):
        # Only the list and the page: no add, edit, copy, delete, history or usage views.
        inspect = {"inspect_url_name": self.get_url_name("inspect")}
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path(
                "inspect/<int:pk>/transitions/<slug:name>/",
                ProjectTransitionView.as_view(**inspect),
                name="transition",
            ),
            path(
                "inspect/<int:pk>/reviewers/",
                AssignReviewerView.as_view(**inspect),
                name="assign_reviewer",
            ),
            path(
                "ranking/<int:call_pk>/",
                self.construct_view(CallRankingView, header_icon="list-ol", **inspect),
                name="ranking",
            ),
        ]


class ProposalsAdminGroup(ModelViewSetGroup):
    menu_label = _("Proposals")
    menu_icon = "form"
    menu_order = 140
    items = (JointProjectViewSet,)


class NetworkAdminGroup(ModelViewSetGroup):
    menu_label = _("Network")
    menu_icon = "group"
    menu_order = 150
    items = (CallViewSet, CentreViewSet, NetworkViewSet)


@hooks.register("register_admin_viewset")
def register_network_admin():
    return NetworkAdminGroup()


@hooks.register("register_admin_viewset")
def register_proposals_admin():
    return ProposalsAdminGroup()
