"""The proposals' listing filters, shared by the listing, its exports and the bulk actions so
that "the filtered set" means the same rows everywhere."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from wagtail.admin.filters import WagtailFilterSet

from projects.models import Call, CallTier, Centre, JointProject, Partnership, Theme
from workflow.states import ProjectState

SEARCH_FIELDS = ("title", "acronym")


def centre_countries():
    """The countries that have centres, named in the current language (one query)."""
    codes = set(Centre.objects.order_by().values_list("country", flat=True).distinct())
    return [(code, name) for code, name in countries if code in codes]


class ProposalFilterSet(WagtailFilterSet):
    call = django_filters.ModelChoiceFilter(
        label=_("Call"), queryset=Call.objects.order_by("-deadline")
    )
    tier = django_filters.ModelChoiceFilter(
        label=_("Tier"),
        queryset=CallTier.objects.select_related("call").order_by("call__title", "sort_order"),
    )
    state = django_filters.ChoiceFilter(label=_("State"), choices=ProjectState.choices)
    lead_country = django_filters.ChoiceFilter(
        label=_("Lead country"), field_name="lead_centre__country", choices=centre_countries
    )
    partner_country = django_filters.ChoiceFilter(
        label=_("Any partner's country"), choices=centre_countries, method="filter_partner_country"
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"), queryset=Theme.objects.all(), method="filter_theme"
    )

    class Meta:
        model = JointProject
        fields = []

    def filter_partner_country(self, queryset, name, value):
        # Any centre of the project, the lead included, whatever its partnership state.
        partners = Partnership.objects.filter(project=OuterRef("pk"), centre__country=value)
        return queryset.filter(Exists(partners))

    def filter_theme(self, queryset, name, value):
        # Exists, not a join: a project with two themes is listed once.
        tagged = JointProject.themes.through.objects.filter(
            jointproject=OuterRef("pk"), theme=value
        )
        return queryset.filter(Exists(tagged))


def search(queryset, query, fields=SEARCH_FIELDS):
    """A listing's search (Wagtail's ORM fallback: any of the fields, case-insensitive)."""
    if not query:
        return queryset
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": query})
    return queryset.filter(condition)


def filtered_proposals(params, queryset=None):
    """The proposals the listing shows for these GET parameters (filters and `q`), in its
    default order. Invalid filter values are ignored, as the listing ignores them."""
    queryset = JointProject.objects.all() if queryset is None else queryset
    filters = ProposalFilterSet(data=params, queryset=queryset)
    if filters.is_valid():
        queryset = filters.qs
    return search(queryset, (params.get("q") or "").strip())
