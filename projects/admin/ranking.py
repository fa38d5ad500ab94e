"""A call's ranking: its proposals by mean weighted score, with each criterion's mean, the
cumulative requested grant against the budget, and the approve / reject decisions per row."""

from types import SimpleNamespace

from django import forms
from django.forms.utils import flatatt
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from django_countries import countries
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from projects.admin._common import CallScreenMixin, state_label, transition_label
from projects.admin.actions import ProjectTransitionView
from projects.admin.inspect import TransitionForm
from workflow.conditions import money
from workflow.selectors import (
    call_awarded_total,
    call_ranking_rows,
    ranking_page_rows,
)
from workflow.states import (
    ProjectState,
)

# The decisions the ranking offers, on the proposals it can decide on (the service still
# checks every condition: reviews, amount, budget, thresholds); rejecting is the serious one.
DECISIONS = ("approve", "reject")
SERIOUS = {"reject"}
DECIDABLE = {ProjectState.UNDER_REVIEW}


def export_links(call):
    """The ranking's exports (CSV and XLSX), with the figures of the API's ranking."""
    return [
        (label, f"{reverse('export:start', args=['ranking', fmt])}?call={call.pk}")
        for label, fmt in (("CSV", "csv"), ("XLSX", "xlsx"))
    ]


def decision_fields(form):
    """A decision form's fields, ready to write as plain tags: rendering Django's widget
    templates for two forms a row took most of a page of fifty proposals under review."""
    fields = []
    for bound in form.visible_fields():
        widget = bound.field.widget
        attrs = bound.build_widget_attrs(dict(widget.attrs))
        if bound.help_text:
            attrs["aria-describedby"] = f"{bound.auto_id}-helptext"
        fields.append(
            {
                "id": bound.auto_id,
                "name": bound.html_name,
                "label": bound.label,
                "help": bound.help_text,
                "required": bound.field.required,
                "textarea": isinstance(widget, forms.Textarea),
                "input_type": getattr(widget, "input_type", "text"),
                "value": widget.format_value(bound.value()) or "",
                "attrs": flatatt(attrs),
            }
        )
    return fields


class CallRankingView(CallScreenMixin, WagtailAdminTemplateMixin, TemplateView):
    """A call's proposals, best mean weighted score first, with the cumulative requested grant."""

    template_name = "projects/admin/call_ranking.html"
    page_title = _("Ranking")
    header_icon = "list-ol"
    index_url_name = None
    inspect_url_name = None
    decide_url_name = None
    per_page = 50
    page_kwarg = "p"  # Wagtail's listings' parameter, which its pagination links write

    @property
    def header_buttons(self):
        return [
            HeaderButton(
                label,
                url=url,
                icon_name="download",
                attrs={"aria-label": _("Export the ranking as %(format)s") % {"format": label}},
            )
            for label, url in export_links(self.call)
        ]

    def decisions(self, row, page_number):
        """The approve and reject forms of a row, posting back to this page of the ranking."""
        # The approve form shows the requested grant as its default: the ranking's own figure
        # (the one the service checks), instead of loading the proposal's budgets per row.
        ranked = SimpleNamespace(requested_grant=row["requested_grant"])
        decisions = []
        for name in DECISIONS:
            form = TransitionForm(name=name, project=ranked, auto_id=f"id_{row['project']}_%s")
            if name == "approve" and row["above_threshold"]:
                del form.fields["override_reason"]  # only a proposal below a threshold needs one
            url = reverse(self.decide_url_name, args=[self.call.pk, row["project"], name])
            decisions.append(
                {
                    "name": name,
                    "label": transition_label(name),
                    "fields": decision_fields(form),
                    "url": f"{url}?p={page_number}",
                    "serious": name in SERIOUS,
                }
            )
        return decisions

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        call = self.call
        criteria = list(call.criteria.order_by("sort_order", "pk"))
        # One page of the ranking; its rank and cumulative grant count the earlier pages.
        paginator = WagtailPaginator(call_ranking_rows(call), self.per_page)
        number = self.request.GET.get(self.page_kwarg, 1)
        page = paginator.get_page(number)
        rows = ranking_page_rows(call, page, criteria=criteria)
        for row in rows:
            row["url"] = reverse(self.inspect_url_name, args=[row["project"]])
            row["state_label"] = state_label(ProjectState, row["state"])
            row["country"] = countries.name(row["lead_country"]) if row["lead_country"] else ""
            row["requested"] = money(row["requested_grant"])
            row["cumulative"] = money(row["cumulative_requested"])
            row["awarded"] = money(row["awarded_amount"]) if row["awarded_amount"] else ""
            row["enough_reviews"] = row["reviews"] >= call.min_reviews
            row["decisions"] = self.decisions(row, page.number) if row["state"] in DECIDABLE else []
        committed = call_awarded_total(call)
        context.update(
            {
                "call": call,
                "criteria": criteria,
                "rows": rows,
                "page_obj": page,
                "paginator": paginator,
                "elided_page_range": paginator.get_elided_page_range(number),
                "budget": money(call.budget),
                "committed": money(committed),
                "remaining": money(call.budget - committed),
                "over_committed": committed > call.budget,
                "proposals_url": f"{reverse(self.index_url_name)}?call={call.pk}",
            }
        )
        return context


class RankingDecisionView(ProjectTransitionView):
    """Approve or reject from the ranking: the proposal page's transition, back to the same
    page of the ranking (and row) with the outcome, or the service's refusals, as messages."""

    ranking_url_name = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.call_pk = self.kwargs.pop("call_pk")
        self.kwargs["pk"] = self.kwargs.pop("project_pk")

    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **self.kwargs)  # coordinators only, first

    def post(self, request, pk, name):
        if name not in DECISIONS or self.project.call_id != self.call_pk:
            raise Http404
        return super().post(request, pk, name)

    def back(self):
        url = reverse(self.ranking_url_name, args=[self.call_pk])
        number = self.request.GET.get("p", "")
        if number.isdigit():
            url = f"{url}?p={number}"
        return redirect(f"{url}#proposal-{self.project.pk}")


def proposal_urlpatterns(viewset, inspect):
    """The ranking's URLs, under the proposals' viewset (names jointproject:…)."""
    ranking = viewset.get_url_name("ranking")
    return [
        path(
            "ranking/<int:call_pk>/",
            viewset.construct_view(
                CallRankingView,
                header_icon="list-ol",
                decide_url_name=viewset.get_url_name("ranking_decide"),
                **inspect,
            ),
            name="ranking",
        ),
        path(
            "ranking/<int:call_pk>/decide/<int:project_pk>/<slug:name>/",
            RankingDecisionView.as_view(ranking_url_name=ranking, **inspect),
            name="ranking_decide",
        ),
    ]
