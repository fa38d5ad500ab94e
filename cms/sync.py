"""The public pages follow the workflow: a project's page is created and published when it is
approved and updated by every later transition; a call's page exists for every call.

`project_pages_sync` runs after the commit of every project transition (connected to
workflow.signals.project_changed in CmsConfig.ready), never by polling; `public_pages_rebuild`
(manage.py rebuild_public_pages) brings every page in line and is idempotent. Only the fields
of cms.models.SYNCED_FIELDS are written: the editors' image and story are never touched, and
an editor's unpublished draft stays a draft (its synced fields are updated too)."""

import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify

from cms.models import (
    CallIndexPage,
    CallPage,
    ProjectIndexPage,
    ProjectPage,
    ProjectPageFacet,
    ShowcaseStatus,
)
from cms.navigation import navigation_changed
from workflow.states import PartnershipState, ProjectState, ReportState

logger = logging.getLogger(__name__)

# Projects that have a public page: every funded one, and those ended early (public money
# was spent on them: they stay visible, marked as such).
SHOWN_STATES = [*ProjectState.funded(), ProjectState.TERMINATED]


def _languages():
    from django.conf import settings

    return [code for code, _name in settings.LANGUAGES]


def _project_for_sync(project_id):
    from projects.models import JointProject

    return (
        JointProject.objects.select_related("call__network", "lead_centre")
        .prefetch_related(
            "partnerships__centre", "partnerships__budget_lines", "payments", "themes", "reports"
        )
        .filter(pk=project_id)
        .first()
    )


def _funded_on(project):
    from workflow.models import TransitionLog

    log = (
        TransitionLog.objects.filter(project=project, transition="approve")
        .order_by("-at", "-id")
        .values_list("at", flat=True)
        .first()
    )
    return timezone.localdate(log) if log else None


def _status(project):
    if project.state == ProjectState.COMPLETED:
        return ShowcaseStatus.COMPLETED
    if project.state == ProjectState.TERMINATED:
        return ShowcaseStatus.ENDED_EARLY
    return ShowcaseStatus.ONGOING


def _country_bucket(count):
    return "5+" if count >= 5 else str(count)


def grant_shares(project):
    """{partnership id: its part of the awarded grant}, from the grant agreement."""
    from projects.budgets_selectors import grant_agreement

    return {share.partnership.pk: share.grant for share in grant_agreement(project).shares}


def project_values(project, *, language, funded_on, shares):
    """{field: value} of SYNCED_FIELDS for the project's page in `language`, and its facets
    [(facet, value, label)]. `shares`: grant_shares(project), the same in every language."""
    confirmed = sorted(
        (p for p in project.partnerships.all() if p.state == PartnershipState.CONFIRMED),
        key=lambda p: (not p.is_lead, p.centre.name),
    )
    final_report = next(
        (r for r in project.reports.all() if r.kind == "final" and r.state == ReportState.ACCEPTED),
        None,
    )
    status = _status(project)
    with translation.override(language):
        partners = [
            {
                "centre_id": p.centre.pk,
                "name": p.centre.name,
                "slug": p.centre.slug,
                "city": p.centre.city,
                "country": p.centre.country.code,
                "country_name": str(p.centre.country.name),
                "role": p.role,
                "share": str(shares.get(p.pk, Decimal("0.00"))),
                "latitude": float(p.centre.latitude) if p.centre.latitude is not None else None,
                "longitude": float(p.centre.longitude) if p.centre.longitude is not None else None,
            }
            for p in confirmed
        ]
        themes = sorted(
            ({"slug": t.slug, "name": t.label} for t in project.themes.all()),
            key=lambda t: t["name"],
        )
        status_label = str(ShowcaseStatus(status).label)
    countries = sorted({p["country"] for p in partners})
    names = {p["country"]: p["country_name"] for p in partners}
    year = funded_on.year if funded_on else None
    if year is None and project.start_date:
        year = project.start_date.year
    values = {
        "title": project.title or project.acronym or project.slug,
        "acronym": project.acronym,
        "summary": project.summary,
        "status": status,
        "lead_centre_name": project.lead_centre.name,
        "call_title": project.call.title,
        "network_name": project.call.network.name,
        "grant_amount": project.awarded_amount,
        "start_date": project.start_date,
        "end_date": project.end_date,
        "funded_on": funded_on,
        "year": year,
        "partners": partners,
        "countries": countries,
        "country_count": len(countries),
        "themes": themes,
        "results": final_report.narrative if final_report else "",
        "indicators": final_report.indicators if final_report else {},
    }
    facets = {("country", code, names[code]) for code in countries}
    facets |= {("theme", t["slug"], t["name"]) for t in themes}
    facets.add(("call", project.call.slug, project.call.title))
    # The partner centres: the showcase's map counts them in SQL (not a filter of the page).
    facets |= {("centre", str(p["centre_id"]), p["name"][:200]) for p in partners}
    facets.add(("status", status, status_label))
    if year:
        facets.add(("year", str(year), str(year)))
    if countries:
        bucket = _country_bucket(len(countries))
        facets.add(("countries", bucket, bucket))
    return values, facets


def _differs(page, values):
    for name, value in values.items():
        current = getattr(page, name)
        if isinstance(value, Decimal) and current is not None:
            if Decimal(current) != value:
                return True
        elif current != value:
            return True
    return False


def _set_facets(page, facets):
    current = set(page.facets.values_list("facet", "value", "label"))
    if current == facets:
        return False
    page.facets.all().delete()
    ProjectPageFacet.objects.bulk_create(
        ProjectPageFacet(page=page, facet=f, value=v, label=label) for f, v, label in facets
    )
    return True


def _publish(page):
    revision = page.save_revision(log_action=True)
    revision.publish(log_action=True)


def _update(page, values):
    """Write the synced fields: published at once when the page is live without a pending
    draft."""
    if not _differs(page, values):
        return False
    if not page.live or page.has_unpublished_changes:
        # An editor's pending draft stays a draft, an unpublished page stays unpublished: both
        # get the synced fields, in the row and in the latest revision.
        if page.latest_revision_id:
            draft = page.get_latest_revision_as_object()
            for name, value in values.items():
                setattr(draft, name, value)
            draft.save_revision(log_action=True)
        columns = {name: value for name, value in values.items() if name != "title"}
        type(page).objects.filter(pk=page.pk).update(
            title=values["title"], synced_at=timezone.now(), **columns
        )
        return True
    for name, value in values.items():
        setattr(page, name, value)
    page.synced_at = timezone.now()
    _publish(page)
    return True


# Sub-addresses of the index pages (RoutablePageMixin routes), which a child's slug would hide.
RESERVED_SLUGS = {"feed", "map"}


def _unique_slug(parent, slug):
    """`slug`, or `slug-2`, `slug-3`… if a sibling has it (one indexed query per try) or it is
    one of the index's own routes."""
    siblings = parent.get_children()
    candidate, n = slug, 2
    while candidate in RESERVED_SLUGS or siblings.filter(slug=candidate).exists():
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


def _index(model, language):
    return model.objects.filter(locale__language_code=language).first()


def project_pages_sync(*, project_id, quick=False):
    """Create, publish or update the project's page in every language. Returns the pages.

    `quick` (the rebuild of many pages): a missing page is created live without a first
    revision, a third of the work; its history starts with the first editor's revision."""
    with transaction.atomic():
        project = _project_for_sync(project_id)
        existing = {
            page.locale.language_code: page
            for page in ProjectPage.objects.filter(project_id=project_id).select_related("locale")
        }
        if project is None or project.state not in SHOWN_STATES:
            for page in existing.values():
                if page.live:
                    page.unpublish(log_action=True)
            return list(existing.values())
        funded_on = _funded_on(project)
        shares = grant_shares(project)
        translation_key = next((p.translation_key for p in existing.values()), None)
        pages = []
        for language in _languages():
            values, facets = project_values(
                project, language=language, funded_on=funded_on, shares=shares
            )
            page = existing.get(language)
            if page is None:
                parent = _index(ProjectIndexPage, language)
                if parent is None:
                    continue  # no showcase in this language (yet): the rebuild makes it
                page = ProjectPage(
                    project=project,
                    slug=_unique_slug(parent, project.slug),
                    locale=parent.locale,
                    synced_at=timezone.now(),
                    **values,
                )
                if translation_key is not None:
                    page.translation_key = translation_key
                if quick:
                    now = timezone.now()
                    page.live, page.has_unpublished_changes = True, False
                    page.first_published_at = page.last_published_at = now
                parent.add_child(instance=page)
                translation_key = page.translation_key
                if not quick:
                    _publish(page)
            else:
                # A page an editor unpublished stays unpublished: its fields still follow.
                _update(page, values)
            _set_facets(page, facets)
            pages.append(page)
    # The home page's projects and totals, kept under the navigation version, follow the
    # synced fields even when no page was published (a pending draft, an unpublished page).
    navigation_changed()
    return pages


def call_pages_sync(*, call_id):
    """A page per call in every language (title and slug follow the call's)."""
    from projects.models import Call

    call = Call.objects.filter(pk=call_id).first()
    existing = {
        page.locale.language_code: page
        for page in CallPage.objects.filter(call_id=call_id).select_related("locale")
    }
    if call is None:
        return []
    translation_key = next((p.translation_key for p in existing.values()), None)
    pages = []
    with transaction.atomic():
        for language in _languages():
            page = existing.get(language)
            if page is None:
                parent = _index(CallIndexPage, language)
                if parent is None:
                    continue
                page = CallPage(
                    call=call,
                    title=call.title,
                    slug=_unique_slug(parent, call.slug or slugify(call.title)),
                    locale=parent.locale,
                )
                if translation_key is not None:
                    page.translation_key = translation_key
                parent.add_child(instance=page)
                translation_key = page.translation_key
                _publish(page)
            elif page.title != call.title:
                page.title = call.title
                _publish(page)
            pages.append(page)
    return pages


def on_project_changed(sender, *, project_id, **kwargs):
    """workflow.signals.project_changed, after the transition's commit: a failure is logged and
    leaves the transition done (the rebuild command mends the page)."""
    try:
        project_pages_sync(project_id=project_id)
    except Exception:
        logger.exception("The public page of project %s could not be synchronised", project_id)


def on_call_saved(sender, instance, **kwargs):
    call_id = instance.pk

    def sync():
        try:
            call_pages_sync(call_id=call_id)
        except Exception:
            logger.exception("The public page of call %s could not be synchronised", call_id)

    transaction.on_commit(sync)


def public_pages_rebuild(*, progress=None):
    """Every project and call page in line with the records (idempotent: a second run
    changes nothing). Returns (projects shown, calls)."""
    from projects.models import Call, JointProject

    for page in ProjectPage.objects.filter(project__isnull=True, live=True):
        page.unpublish(log_action=True)  # its project was deleted
    shown = JointProject.objects.filter(state__in=SHOWN_STATES).order_by("pk")
    project_ids = list(shown.values_list("pk", flat=True))
    # Pages of projects no longer shown (cannot happen through the workflow; a script might).
    stale = set(
        ProjectPage.objects.filter(live=True, project__isnull=False)
        .exclude(project__state__in=SHOWN_STATES)
        .values_list("project_id", flat=True)
    )
    for done, project_id in enumerate([*project_ids, *sorted(stale)], start=1):
        project_pages_sync(project_id=project_id, quick=True)
        total = len(project_ids) + len(stale)
        if progress and (done % 100 == 0 or done == total):
            progress("public pages", done, total)
    call_ids = list(Call.objects.order_by("pk").values_list("pk", flat=True))
    for call_id in call_ids:
        call_pages_sync(call_id=call_id)
    return len(project_ids), len(call_ids)
