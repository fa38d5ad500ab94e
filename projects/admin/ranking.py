"""A call's ranking: its proposals by mean weighted score, with the cumulative requested grant."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from projects.admin._common import state_label
from projects.models import Call
from workflow import permissions
from workflow.conditions import money
from workflow.selectors import (
    call_ranking_rows,
    ranking_rows,
)
from workflow.states import (
    ProjectState,
)


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


def proposal_urlpatterns(viewset, inspect):
    """The ranking's URLs, under the proposals' viewset (names jointproject:…)."""
    return [
        path(
            "ranking/<int:call_pk>/",
            viewset.construct_view(CallRankingView, header_icon="list-ol", **inspect),
            name="ranking",
        ),
    ]
