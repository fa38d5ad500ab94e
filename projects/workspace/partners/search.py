"""The search for partner centres on the partners page, for whoever may invite while the
proposal is editable."""

from django.core.paginator import Paginator
from django.utils.translation import ngettext

from projects.partners_selectors import (
    centre_countries,
    centre_search,
    consortium_countries,
    disciplines,
)
from projects.workspace._common import badge
from projects.workspace.partners._shared import _country_names, partners_url
from projects.workspace.partners_forms import PartnerSearchForm
from workflow import permissions
from workflow.states import ProjectState

PAGE_SIZE = 20  # centres per page of search results
SEARCH_FIELDS = ("q", "country", "discipline", "new_countries", "page")


def _page_link(data, number):
    query = data.copy()
    query["page"] = str(number)
    return "?" + query.urlencode()


def _search(request, project, data):
    """The search for partner centres, for whoever may invite while the proposal is editable;
    None for anyone else. `data`: the search's query (a QueryDict)."""
    user = request.user
    if project.state not in ProjectState.editable() or not permissions.can_invite(user, project):
        return None
    names = _country_names()
    countries = sorted(
        ((code, names.get(code, code)) for code in centre_countries()), key=lambda c: c[1]
    )
    searched = any(key in data for key in SEARCH_FIELDS)
    form = PartnerSearchForm(
        data if searched else None, countries=countries, disciplines=disciplines()
    )
    taken = consortium_countries(project)
    search = {
        "form": form,
        "searched": searched,
        "consortium_countries": sorted(names.get(code, code) for code in taken),
        "results": [],
        "page_obj": None,
        "count_label": "",
        "next": partners_url(project.pk) + ("?" + data.urlencode() if searched else ""),
    }
    if not searched or not form.is_valid():
        return search
    criteria = form.cleaned_data
    centres = centre_search(
        query=criteria["q"],
        country=criteria["country"],
        discipline=criteria["discipline"],
        exclude_countries=taken if criteria["new_countries"] else (),
    )
    page_obj = Paginator(centres, PAGE_SIZE).get_page(data.get("page"))
    in_project = {p.centre_id: p for p in project.partnerships.all()}
    results = []
    for centre in page_obj:
        partnership = in_project.get(centre.pk)
        results.append(
            {
                "centre": centre,
                "country": names.get(centre.country.code, centre.country.code),
                "disciplines": ", ".join(d.label for d in centre.disciplines.all()),
                "badge": badge(partnership.state, partnership.get_state_display())
                if partnership
                else None,
            }
        )
    count = page_obj.paginator.count
    search.update(
        results=results,
        page_obj=page_obj,
        count_label=ngettext("%(count)s centre found.", "%(count)s centres found.", count)
        % {"count": count},
        previous_url=_page_link(data, page_obj.previous_page_number())
        if page_obj.has_previous()
        else "",
        next_url=_page_link(data, page_obj.next_page_number()) if page_obj.has_next() else "",
    )
    return search
