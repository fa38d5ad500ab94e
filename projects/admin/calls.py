"""The calls' viewset: the listing with each call's status and figures, the call's page (its
rules, deadlines, proposals by state and budget), and "Duplicate as next year's"."""

from django import forms
from django.contrib.admin.utils import quote
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import FormView
from django_filters import ChoiceFilter
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import AdminDateTimeInput
from wagtail.admin.widgets.button import Button, HeaderButton

from projects import call_selectors
from projects.admin._common import CoordinatorRequiredMixin, percent, run_service
from projects.admin.exports import ExportButtonsMixin
from projects.call_selectors import CALL_TIME_ZONE, CallStatus
from projects.call_services import call_duplicate, call_next_year
from projects.models import Call
from workflow.conditions import money

DUPLICATE_LABEL = _("Duplicate as next year's")


def brussels(moment):
    """A call's date as the secretariat reads it, whatever the admin user's own time zone."""
    return date_format(timezone.localtime(moment, CALL_TIME_ZONE), "DATETIME_FORMAT")


def proposals_url(call_pk, state=None):
    """The proposals' listing filtered by call (and state)."""
    query = f"?call={call_pk}" + (f"&state={state}" if state else "")
    return reverse("jointproject:index") + query


class CallFilterSet(WagtailFilterSet):
    status = ChoiceFilter(
        label=_("Status"),
        choices=CallStatus.choices,
        method="filter_status",
        empty_label=_("Any"),
    )

    class Meta:
        model = Call
        fields = ["network", "kind", "status"]

    def filter_status(self, queryset, name, value):
        return call_selectors.calls_with_status(queryset, value)


class ProposalsColumn(Column):
    """The number of proposals, linked to the proposals' listing of the call."""

    def render_cell_html(self, instance, parent_context):
        return format_html(
            '<td><a href="{}" aria-label="{}">{}</a></td>',
            proposals_url(instance.pk),
            ngettext(
                "%(count)s proposal to %(call)s",
                "%(count)s proposals to %(call)s",
                instance.proposal_count,
            )
            % {"count": instance.proposal_count, "call": instance},
            instance.proposal_count,
        )


class CallIndexView(CoordinatorRequiredMixin, ExportButtonsMixin, IndexView):
    duplicate_url_name = None
    export_listing_name = "calls"

    def get_base_queryset(self):
        return call_selectors.calls_for_admin_listing()

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        # The call's page (its figures and links) is where a call is run from; its edit form
        # is one click further, in the row's menu and the page's header.
        return self._get_custom_column(
            field_name,
            self._get_title_column_class(column_class),
            get_url=self.get_inspect_url,
            **kwargs,
        )

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        pk = quote(instance.pk)
        buttons += [
            MenuItem(
                _("Ranking"),
                url=reverse("jointproject:ranking", args=[pk]),
                icon_name="list-ol",
                priority=25,
            ),
            MenuItem(
                _("Proposals"),
                url=proposals_url(instance.pk),
                icon_name="form",
                priority=26,
            ),
            MenuItem(
                DUPLICATE_LABEL,
                url=reverse(self.duplicate_url_name, args=[pk]),
                icon_name="copy",
                priority=27,
            ),
        ]
        return buttons


class CallInspectView(CoordinatorRequiredMixin, InspectView):
    """The call's page: what a coordinator needs to run the call, and the way to its proposals."""

    page_title = _("Call")
    duplicate_url_name = None

    def get_object(self, queryset=None):
        call = call_selectors.call_for_overview(self.pk)
        if call is None:
            raise Http404
        return call

    def get_fields(self):
        return []  # the template lays the page out itself

    @cached_property
    def header_buttons(self):
        buttons = []
        if edit_url := self.get_edit_url():
            buttons.append(HeaderButton(_("Edit"), url=edit_url, icon_name="edit"))
        buttons.append(
            HeaderButton(
                DUPLICATE_LABEL,
                url=reverse(self.duplicate_url_name, args=[quote(self.object.pk)]),
                icon_name="copy",
            )
        )
        return buttons

    @cached_property
    def header_more_buttons(self):
        if delete_url := self.get_delete_url():
            return [Button(_("Delete"), url=delete_url, icon_name="bin", priority=20)]
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        call = self.object
        overview = call_selectors.call_overview(call)
        pk = quote(call.pk)
        context.update(
            {
                "call": call,
                "overview": overview,
                "opens_at": brussels(call.opens_at),
                "deadline": brussels(call.deadline),
                "states": [
                    {
                        "label": row.label,
                        "count": row.count,
                        "url": proposals_url(call.pk, row.state),
                        "state": row.state,
                    }
                    for row in overview.by_state
                ],
                "budget": {
                    "total": money(call.budget),
                    "committed": money(overview.committed),
                    "available": money(overview.available),
                    "rate": percent(overview.committed_rate),
                    "requested_under_review": money(overview.requested_under_review),
                    # <meter> needs plain numbers (no grouping), within its max.
                    "meter_max": f"{call.budget:f}",
                    "meter_value": f"{min(overview.committed, call.budget):f}",
                },
                "rules": {
                    "max_grant": money(call.max_grant),
                    "max_rate": percent(call.max_cofinancing_rate),
                    "prefinancing_rate": percent(call.prefinancing_rate),
                },
                "tiers": [
                    {
                        "tier": tier,
                        "max_grant": money(tier.max_grant),
                        "max_rate": percent(tier.max_cofinancing_rate),
                    }
                    for tier in overview.tiers
                ],
                "links": {
                    "proposals": proposals_url(call.pk),
                    "ranking": reverse("jointproject:ranking", args=[pk]),
                    "bulk_assign": reverse("jointproject:bulk_assign", args=[pk]),
                },
            }
        )
        return context


class CallDuplicateForm(forms.Form):
    """What the copy is called and when it runs, prefilled with next year's."""

    title = forms.CharField(label=_("Title"), max_length=Call._meta.get_field("title").max_length)
    opens_at = forms.DateTimeField(
        label=_("Opens at"), widget=AdminDateTimeInput, help_text=_("Brussels time.")
    )
    deadline = forms.DateTimeField(
        label=_("Deadline"), widget=AdminDateTimeInput, help_text=_("Brussels time.")
    )

    def clean(self):
        data = super().clean()
        opens_at, deadline = data.get("opens_at"), data.get("deadline")
        if opens_at and deadline and deadline <= opens_at:
            self.add_error("deadline", _("The deadline must come after the opening."))
        return data


class CallDuplicateView(CoordinatorRequiredMixin, WagtailAdminTemplateMixin, FormView):
    """A confirm form; its POST copies the call (call_duplicate) and opens the copy's edit form."""

    template_name = "projects/admin/call_duplicate.html"
    form_class = CallDuplicateForm
    page_title = DUPLICATE_LABEL
    header_icon = "copy"
    index_url_name = None
    inspect_url_name = None
    edit_url_name = None

    def dispatch(self, request, *args, **kwargs):
        # The dates are typed and shown in Brussels time, as on the call's page; the response
        # is rendered here, while that time zone is active.
        with timezone.override(CALL_TIME_ZONE):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        return response

    @cached_property
    def call(self):
        return get_object_or_404(Call.objects.select_related("network"), pk=self.kwargs["pk"])

    def get_page_subtitle(self):
        return str(self.call)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": Call._meta.verbose_name_plural.title()},
            {"url": reverse(self.inspect_url_name, args=[quote(self.call.pk)]), "label": self.call},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_initial(self):
        defaults = call_next_year(self.call)
        return {
            "title": defaults.title,
            "opens_at": defaults.opens_at,
            "deadline": defaults.deadline,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "call": self.call,
                "tiers": self.call.tiers.count(),
                "criteria": self.call.criteria.count(),
                "questions": len(self.call.questions.raw_data),
                "cancel_url": reverse(self.inspect_url_name, args=[quote(self.call.pk)]),
            }
        )
        return context

    def form_valid(self, form):
        created = []

        def duplicate():
            created.append(
                call_duplicate(call_id=self.call.pk, actor=self.request.user, **form.cleaned_data)
            )

        if not run_service(self.request, duplicate, heading=_("The call could not be duplicated.")):
            return self.form_invalid(form)
        copy = created[0]
        messages.success(
            self.request,
            _("“%(copy)s” was created from “%(call)s”. Check its rules and questions, then save.")
            % {"copy": copy, "call": self.call},
        )
        return redirect(reverse(self.edit_url_name, args=[quote(copy.pk)]))


class CallViewSet(ModelViewSet):
    model = Call
    icon = "doc-full-inverse"
    url_prefix = "network/calls"
    index_view_class = CallIndexView
    inspect_view_class = CallInspectView
    inspect_view_enabled = True
    inspect_template_name = "projects/admin/call_inspect.html"
    # Wagtail's "Copy" form copies neither tiers nor criteria, nor shifts the dates: the calls
    # are duplicated by "Duplicate as next year's" instead.
    copy_view_enabled = False
    list_display = [
        "title",
        "network",
        StatusTagColumn(
            "status",
            label=_("Status"),
            accessor=lambda call: CallStatus(call_selectors.call_status(call)).label,
            primary=lambda call: call_selectors.call_status(call) == CallStatus.OPEN,
        ),
        Column(
            "deadline",
            label=_("Deadline (Brussels)"),
            accessor=lambda call: brussels(call.deadline),
            sort_key="deadline",
        ),
        Column(
            "budget",
            label=_("Budget"),
            accessor=lambda call: money(call.budget),
            sort_key="budget",
        ),
        ProposalsColumn("proposal_count", label=_("Proposals"), sort_key="proposal_count"),
        Column(
            "committed",
            label=_("Committed"),
            accessor=lambda call: money(call.committed),
            sort_key="committed",
        ),
    ]
    filterset_class = CallFilterSet
    search_fields = ["title", "slug"]
    search_backend_name = None
    list_per_page = 50

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            duplicate_url_name=self.get_url_name("duplicate"), **kwargs
        )

    def get_urlpatterns(self):
        duplicate = self.construct_view(CallDuplicateView, header_icon="copy")
        return [
            *super().get_urlpatterns(),
            path("duplicate/<int:pk>/", duplicate, name="duplicate"),
        ]
