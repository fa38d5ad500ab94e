"""The project showcase: one page per funded joint project, kept in step with the workflow
(cms.sync), under the showcase index (/en/projects/, /fr/projets/)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import content_blocks


class ShowcaseStatus(models.TextChoices):
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    ENDED_EARLY = "ended_early", _("Ended early")


class ProjectIndexPage(RoutablePageMixin, Page):
    """The showcase of funded projects: facets, search, map and the Atom feed."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ProjectPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("project showcase")

    def get_context(self, request, *args, **kwargs):
        from cms.showcase import showcase_context

        context = super().get_context(request, *args, **kwargs)
        context.update(showcase_context(self, request))
        return context

    @path("map/", name="map_data")
    def map_data(self, request):
        """The map's places (/en/projects/map/?country=FR…): every partner centre of the
        projects the same filters match, fetched by the map's script (too many for the page)."""
        from cms.showcase import map_data
        from cms.views import compressed_json

        return compressed_json(request, map_data(self, request))

    @path("feed/", name="feed")
    def feed(self, request):
        """The Atom feed of the newest funded projects (/en/projects/feed/)."""
        from cms.showcase import NewlyFundedFeed

        return NewlyFundedFeed(self)(request)


# The fields the sync writes from the workflow's records. Read-only in the editor: a change
# there would be overwritten by the next transition.
SYNCED_FIELDS = (
    "title",
    "acronym",
    "summary",
    "status",
    "lead_centre_name",
    "call_title",
    "network_name",
    "grant_amount",
    "start_date",
    "end_date",
    "funded_on",
    "year",
    "partners",
    "countries",
    "country_count",
    "themes",
    "results",
    "indicators",
)


class ProjectPage(Page):
    """A funded joint project. The sync writes the fields of SYNCED_FIELDS; editors add the
    hero image and the body, which the sync never touches."""

    project = models.ForeignKey(
        "projects.JointProject",
        verbose_name=_("joint project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="public_pages",
    )
    # --- synced ---
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ShowcaseStatus, default=ShowcaseStatus.ONGOING
    )
    lead_centre_name = models.CharField(_("lead centre"), max_length=200, blank=True)
    call_title = models.CharField(_("call"), max_length=200, blank=True)
    network_name = models.CharField(_("network"), max_length=200, blank=True)
    grant_amount = models.DecimalField(
        _("grant (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    funded_on = models.DateField(_("funded on"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, db_index=True)
    # [{"centre_id", "name", "slug", "city", "country", "role", "share", "latitude",
    #   "longitude"}], the lead first; "share" is the partner's part of the grant as a string.
    partners = models.JSONField(_("partners"), default=list, blank=True)
    countries = models.JSONField(_("countries"), default=list, blank=True)  # ISO codes
    country_count = models.PositiveSmallIntegerField(_("number of countries"), default=0)
    themes = models.JSONField(_("themes"), default=list, blank=True)  # [{"slug", "name"}]
    results = models.TextField(_("results"), blank=True)
    indicators = models.JSONField(_("indicators"), default=dict, blank=True)
    synced_at = models.DateTimeField(_("last synchronised"), null=True, blank=True)
    # --- editorial ---
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("main image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_credit = models.CharField(_("main image credit"), max_length=200, blank=True)
    body = StreamField(content_blocks(), verbose_name=_("story"), blank=True)

    search_fields = [
        *Page.search_fields,
        index.SearchField("acronym"),
        index.SearchField("summary"),
        index.SearchField("lead_centre_name"),
        index.SearchField("partner_names"),
        index.SearchField("results"),
        index.SearchField("body"),
        index.FilterField("locale"),
        index.FilterField("status"),
        index.FilterField("year"),
    ]

    content_panels = [
        FieldPanel("title", read_only=True),
        MultiFieldPanel(
            [
                FieldPanel(name, read_only=True)
                for name in SYNCED_FIELDS
                if name not in ("title", "partners", "countries", "themes", "indicators")
            ],
            heading=_("From the workflow (updated automatically)"),
        ),
        MultiFieldPanel(
            [FieldPanel("hero_image"), FieldPanel("hero_credit")], heading=_("Main image")
        ),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.ProjectIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("project page")

    def get_context(self, request, *args, **kwargs):
        from cms.project_page import project_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(project_page_context(self, request))
        return context

    def partner_names(self):
        return " ".join(f"{p['name']} {p.get('city', '')}" for p in self.partners)


class ProjectPageFacet(models.Model):
    """One facet value of a project page (country, theme, call, year, status, number of
    countries): the showcase counts and filters them with one indexed query each."""

    page = models.ForeignKey(ProjectPage, on_delete=models.CASCADE, related_name="facets")
    facet = models.CharField(max_length=20)
    value = models.CharField(max_length=100)
    label = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["facet", "value"], name="facet_value")]
        constraints = [
            models.UniqueConstraint(fields=["page", "facet", "value"], name="one_facet_value")
        ]

    def __str__(self):
        return f"{self.facet}: {self.label}"
