"""The home page: featured projects, open calls, the network in figures."""

from django.db import models
from django.template.defaultfilters import date as format_date
from django.template.defaultfilters import truncatewords
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from cms.cache import LocalMemo
from cms.navigation import _cached
from projects import selectors

# The open calls' cards of the home page, formatted once per language and time zone for as
# long as the list itself is this process's copy (projects.selectors.home_open_calls): the
# date, choice and truncation filters were a quarter of the home page's time.
_call_cards = LocalMemo(seconds=60)


def open_call_cards(calls):
    key = (translation.get_language(), timezone.get_current_timezone_name(), id(calls))
    kept = _call_cards.get(key)
    if kept is not None and kept[0] is calls:  # the same list, not one at a recycled id
        return kept[1]
    cards = []
    for call in calls:
        # The filter, unlike the template tag, does not move the time into the current zone.
        deadline = timezone.localtime(call.deadline)
        cards.append(
            {
                "id": call.pk,
                "title": call.title,
                "meta": f"{call.get_kind_display()} · {call.network.name}",
                "summary": truncatewords(call.summary, 40) if call.summary else "",
                "deadline_iso": format_date(deadline, "c"),
                "deadline": format_date(deadline, "j F Y, H:i"),
                "zone": format_date(deadline, "T"),
            }
        )
    _call_cards.set(key, (calls, cards))
    return cards


class HomePage(Page):
    """The site's root in each language."""

    headline = models.CharField(_("headline"), max_length=200, blank=True)
    intro = models.TextField(_("introduction"), blank=True)
    body = RichTextField(_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("headline"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    max_count_per_parent = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from cms.models import CallIndexPage, CallPage, FairPage, InsightsPage, ProjectIndexPage
        from cms.public_selectors import featured_projects, funded_totals, section_urls

        def from_pages():
            return {
                "call_urls": {
                    page.call_id: page.get_url(request=request)
                    for page in CallPage.objects.live()
                    .filter(locale_id=self.locale_id)
                    .only("call_id", "url_path", "locale_id")
                },
                "funded": funded_totals(self.locale_id),
                "featured_projects": featured_projects(self.locale_id, request),
                "sections": {
                    model.__name__: url
                    for model, url in section_urls(
                        self, request, [ProjectIndexPage, FairPage, CallIndexPage, InsightsPage]
                    ).items()
                },
            }

        context = super().get_context(request, *args, **kwargs)
        context["figures"] = selectors.network_figures()
        # All read from live pages: kept under the navigation version, which every publish,
        # unpublish, page save and project page sync replaces (cms.navigation).
        key = f"home:{self.locale_id}:{request.get_host()}"
        context.update(_cached(key, from_pages))
        # Each open call links to its page (the cards are shared: copied, not changed).
        context["open_calls"] = [
            {**card, "url": context["call_urls"].get(card["id"])}
            for card in open_call_cards(selectors.home_open_calls())
        ]
        return context
