"""Calls (/en/calls/): open, upcoming and past, a page per call rendering the call's record."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from cms.blocks import content_blocks


class CallIndexPage(Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.CallPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("calls")

    def get_context(self, request, *args, **kwargs):
        from cms.public_selectors import call_sections

        context = super().get_context(request, *args, **kwargs)
        context["sections"] = call_sections(self, request, page_number=request.GET.get("page"))
        return context


class CallPage(Page):
    """A call's public page: the call's record (dates, rules, budget) from `projects`, with
    the editors' body around it. Created by the sync for every call."""

    call = models.ForeignKey(
        "projects.Call",
        verbose_name=_("call"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="public_pages",
    )
    body = StreamField(content_blocks(), verbose_name=_("more about the call"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("call", read_only=True),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.CallIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("call page")

    def get_context(self, request, *args, **kwargs):
        from cms.public_selectors import call_detail

        context = super().get_context(request, *args, **kwargs)
        context["detail"] = call_detail(self, request)
        return context
