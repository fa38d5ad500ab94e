"""The Project Fair (/en/fair/): proposals open for partners, from the workflow's records."""

from urllib.parse import urlencode

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class FairPage(Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("Project Fair")

    def get_context(self, request, *args, **kwargs):
        from cms import fair

        context = super().get_context(request, *args, **kwargs)
        choices = fair.filter_choices()
        filters = fair.parse_filters(request.GET, choices)
        page = fair.fair_page(filters, request.GET.get("page"))
        cards = fair.cards(page, centres_url=fair.centres_index_url(request, self.locale_id))
        if request.user.is_authenticated:
            fair.add_join_options(cards, request.user)
        params = filters.as_params()
        context.update(
            choices=choices,
            filters=filters,
            proposals=page,
            cards=cards,
            # Pagination links keep the filters.
            filter_query=f"{urlencode(params)}&" if params else "",
        )
        return context
