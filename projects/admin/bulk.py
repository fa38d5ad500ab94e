"""Bulk actions over the whole filtered set of proposals (not just the page shown)."""

from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from projects import exports
from projects.admin._common import CoordinatorRequiredMixin
from projects.admin.filters import ProposalFilterSet, filtered_proposals
from workflow import services
from workflow.states import ProjectState

SHOWN = 20  # the proposals named on the confirmation page; the count covers them all


class BulkStartReviewView(CoordinatorRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """GET: how many of the filtered proposals are submitted, and a confirmation; POST (the
    filters again, as hidden fields): start the review of every one of them."""

    template_name = "projects/admin/bulk_start_review.html"
    page_title = _("Start the review")
    header_icon = "tasks"
    index_url_name = None

    def filters(self, data):
        return exports.clean_params(data)

    def submitted(self, params):
        return filtered_proposals(params).filter(state=ProjectState.SUBMITTED)

    def listing_url(self, params):
        query = QueryDict(mutable=True)
        query.update(params)
        url = reverse(self.index_url_name)
        return f"{url}?{query.urlencode()}" if params else url

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Joint projects")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.filters(self.request.GET)
        proposals = self.submitted(params).select_related("call", "lead_centre")
        filterset = ProposalFilterSet(data=params)
        described = []
        if filterset.is_valid():
            for name in filterset.form.changed_data:
                value = filterset.form.cleaned_data.get(name)
                if value not in (None, ""):
                    field = filterset.form.fields[name]
                    shown = (
                        dict(field.choices).get(value, value)
                        if hasattr(field, "choices")
                        else value
                    )
                    described.append((field.label, shown))
        if params.get("q"):
            described.append((_("Search"), params["q"]))
        context.update(
            {
                "count": proposals.count(),
                "shown": proposals[:SHOWN],
                "params": params,
                "described": described,
                "listing_url": self.listing_url(params),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        params = self.filters(request.POST)
        params.pop("csrfmiddlewaretoken", None)
        ids = list(self.submitted(params).values_list("pk", flat=True))
        done, refused = services.project_transition_many(
            project_ids=ids, name="start_review", actor=request.user
        )
        if done:
            messages.success(
                request,
                ngettext(
                    "%(count)d proposal is now under review.",
                    "%(count)d proposals are now under review.",
                    len(done),
                )
                % {"count": len(done)},
            )
        if refused:
            items = format_html_join(
                "\n", "<li>#{}: {}</li>", ((pk, str(error)) for pk, error in refused.items())
            )
            messages.error(
                request,
                messages.render(
                    _("Some proposals were not moved:"),
                    None,
                    detail=format_html('<ul class="errorlist">{}</ul>', items),
                ),
            )
        if not ids:
            messages.warning(request, _("No submitted proposal matches these filters."))
        if done and params.get("state") == ProjectState.SUBMITTED:
            # Filtered on "submitted", the listing would now be empty: show what moved.
            params = {**params, "state": ProjectState.UNDER_REVIEW}
        return redirect(self.listing_url(params))
