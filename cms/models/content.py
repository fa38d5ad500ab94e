"""Editorial pages: standard pages, news, the resource hub and the network in figures."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import content_blocks, resource_blocks


class StandardPage(Page):
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(content_blocks(), verbose_name=_("body"), blank=True)

    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]

    class Meta:
        verbose_name = _("standard page")


class NewsIndexPage(Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("news")

    def get_context(self, request, *args, **kwargs):
        from cms.public_selectors import news_items

        context = super().get_context(request, *args, **kwargs)
        context["news"] = news_items(self, request.GET.get("page"))
        return context


class NewsPage(Page):
    date = models.DateField(_("date"), default=timezone.localdate)
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(content_blocks(), verbose_name=_("body"), blank=True)

    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("news item")
        ordering = ["-date"]


class ResourceHubPage(Page):
    """Documents and studies (Wagtail documents: the default storage, S3 in production)."""

    intro = RichTextField(_("introduction"), blank=True)
    resources = StreamField(resource_blocks(), verbose_name=_("resources"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("resources")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.StandardPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("resource hub")

    def get_context(self, request, *args, **kwargs):
        from cms.public_selectors import child_standard_pages

        context = super().get_context(request, *args, **kwargs)
        context["pages"] = child_standard_pages(self)
        return context


class InsightsPage(Page):
    """/en/insights/: the network's headline figures from the data that exists."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("the network in figures")

    def get_context(self, request, *args, **kwargs):
        from cms.public_selectors import network_insights
        from projects.open_data import last_modified

        context = super().get_context(request, *args, **kwargs)
        context["insights"] = network_insights(self.locale_id)
        context["open_data_updated"] = last_modified()
        return context
