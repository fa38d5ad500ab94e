"""The proposals' listing (read-only) and their viewset, with its URLs."""

import re
from urllib.parse import urlencode

from django.contrib.admin.utils import quote
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button

from projects import exports, selectors
from projects.admin import ranking, reviews
from projects.admin._common import CoordinatorsOnlyMixin, ReadOnlyViewSetMixin
from projects.admin.actions import ProjectTransitionView
from projects.admin.bulk import BulkStartReviewView
from projects.admin.exports import ExportButtonsMixin
from projects.admin.filters import SEARCH_FIELDS, ProposalFilterSet, search
from projects.admin.inspect import JointProjectInspectView
from projects.models import JointProject
from workflow.conditions import money


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


class JointProjectIndexView(CoordinatorsOnlyMixin, ExportButtonsMixin, IndexView):
    filterset_class = ProposalFilterSet
    export_listing_name = "proposals"
    bulk_start_review_url_name = None

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        query = exports.clean_params(self.request.GET)
        url = reverse(self.bulk_start_review_url_name)
        if query:
            url = f"{url}?{urlencode(query)}"
        buttons.append(
            Button(_("Start the review of the submitted"), url=url, icon_name="tasks", priority=10)
        )
        return buttons

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

    def search_queryset(self, queryset):
        return search(queryset, self.search_query)

    def paginate_queryset(self, queryset, page_size):
        paginator, page, _rows, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = selectors.project_figures(page.object_list)
        return paginator, page, page.object_list, is_paginated

    def _get_title_column(self, field_name, column_class=StampedTitleColumn, **kwargs):
        # A draft may have no title yet: name it by its acronym or number instead.
        kwargs.setdefault("accessor", lambda project: project.title or str(project))
        return super()._get_title_column(field_name, column_class, **kwargs)


class JointProjectViewSet(ReadOnlyViewSetMixin, ModelViewSet):
    """Proposals and projects, read-only: no add, edit, copy or delete view. The page of a
    proposal is its inspect view, with the decisions the coordinator may take now."""

    model = JointProject
    name = "jointproject"
    icon = "form"
    url_prefix = "network/projects"
    index_view_class = JointProjectIndexView
    inspect_view_class = JointProjectInspectView
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
    search_fields = list(SEARCH_FIELDS)
    search_backend_name = None
    list_per_page = 50
    inspect_template_name = "projects/admin/project_inspect.html"

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            ranking_url_name=self.get_url_name("ranking"),
            transition_url_name=self.get_url_name("transition"),
            assign_url_name=self.get_url_name("assign_reviewer"),
            **kwargs,
        )

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            bulk_start_review_url_name=self.get_url_name("bulk_start_review"), **kwargs
        )

    def get_urlpatterns(self):
        # Only the list and the page: no add, edit, copy, delete, history or usage views.
        inspect = {"inspect_url_name": self.get_url_name("inspect")}
        return [
            *self.get_read_only_urlpatterns(),
            path(
                "inspect/<int:pk>/transitions/<slug:name>/",
                ProjectTransitionView.as_view(**inspect),
                name="transition",
            ),
            path(
                "start-review/",
                self.construct_view(BulkStartReviewView, header_icon="tasks"),
                name="bulk_start_review",
            ),
            *reviews.proposal_urlpatterns(self, inspect),
            *ranking.proposal_urlpatterns(self, inspect),
        ]
