"""The centre directory (/en/centres/): every member centre on a map, a page per centre with
all its joint projects, and who worked with whom."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page


class CentreIndexPage(RoutablePageMixin, Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("centre directory")

    # The routes are plain Python (no page per centre): centres are domain records, kept by
    # the coordinators, and a page per centre would need a sync of its own.

    @path("", name="directory")
    def directory(self, request):
        from cms import centres

        options = centres.directory_options()
        filters = centres.directory_filters(request.GET, options)
        centre_url = self.centre_url_maker(request)
        page = centres.directory_page(filters, request.GET.get("page"))
        return self.render(
            request,
            context_overrides={
                "options": options,
                "filters": filters,
                "result_page": page,
                "entries": centres.directory_entries(page, centre_url),
                "map_data_url": self.subpage_url(request, "map_data")
                + (f"?{filters.as_query().rstrip('&')}" if filters.active else ""),
                "filter_query": filters.as_query(),
                "connections_url": self.subpage_url(request, "connections"),
            },
        )

    # Declared before the centre's route: "connections" would otherwise be taken for a slug.
    @path("connections/", name="connections")
    def connections(self, request):
        from cms import centres

        pairs = centres.country_pairs()
        country_codes = {p["a"] for p in pairs} | {p["b"] for p in pairs}
        country = (request.GET.get("country") or "").strip().upper()
        if country not in country_codes:
            country = ""  # an unknown or unlinked country: the whole network
        shown = centres.pairs_with_country(pairs, country) if country else pairs
        options = sorted(
            {(p["a"], p["a_name"]) for p in pairs} | {(p["b"], p["b_name"]) for p in pairs},
            key=lambda c: c[1],
        )
        return self.render(
            request,
            template="cms/centres/connections.html",
            context_overrides={
                "country": country,
                "country_name": centres.country_name(country) if country else "",
                "country_options": options,
                "country_pairs": shown,
                "centre_pairs": centres.centre_pairs(self.centre_url_maker(request), country),
                "directory_url": self.get_url(request=request),
            },
        )

    # Declared before the centre's route, as "connections".
    @path("map/", name="map_data")
    def map_data(self, request):
        """The directory map's places (/en/centres/map/?country=FR…): every centre the same
        filters match, fetched by the map's script (too many to carry in the page)."""
        from cms import centres
        from cms.views import compressed_json

        filters = centres.directory_filters(request.GET, centres.directory_options())
        places = centres.directory_places(filters, self.centre_url_maker(request))
        return compressed_json(request, places)

    @path("<slug:slug>/", name="centre")
    def centre(self, request, slug):
        from cms import centres

        centre = centres.centre_by_slug(slug)
        if centre is None:
            raise Http404(_("No centre has this address."))
        centre_url = self.centre_url_maker(request)
        projects = centres.centre_projects(centre, self.locale_id, request)
        partners = centres.centre_partners(centre, projects, centre_url)
        proposals = centres.centre_open_proposals(centre)
        url = request.build_absolute_uri(centre_url(centre.slug))
        return self.render(
            request,
            template="cms/centres/centre.html",
            context_overrides={
                "centre": centre,
                "country_name": centres.country_name(centre.country.code),
                "disciplines": sorted(d.label for d in centre.disciplines.all()),
                "projects": projects,
                "partners": partners,
                "proposals": proposals,
                "fair_url": self.fair_url(request) if proposals else None,
                "places": centres.centre_places(centre, partners, centre_url),
                "canonical_url": url,
                "structured_data": centres.centre_structured_data(centre, url),
                "directory_url": self.get_url(request=request),
                "connections_url": self.subpage_url(request, "connections"),
            },
        )

    def subpage_url(self, request, name, **kwargs):
        return self.get_url(request=request) + self.reverse_subpage(name, kwargs=kwargs or None)

    def centre_url_maker(self, request):
        """A function slug → the centre's address under this index (its URL computed once)."""
        base = self.get_url(request=request)

        def centre_url(slug):
            return base + self.reverse_subpage("centre", kwargs={"slug": slug})

        return centre_url

    def fair_url(self, request):
        """The Project Fair in this index's language, where a centre's open proposals are."""
        from cms.models.fair import FairPage

        fair = FairPage.objects.live().filter(locale_id=self.locale_id).first()
        return fair.get_url(request=request) if fair else None
