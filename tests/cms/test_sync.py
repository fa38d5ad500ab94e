"""The project pages follow the workflow (cms.sync): approving through the real service
publishes them in English and French, later transitions update them, the editors' work is
never overwritten, the rebuild command is idempotent, and a failing sync never undoes a
transition."""

import logging
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.utils import timezone, translation
from wagtail.models import Revision

from cms.models import SYNCED_FIELDS, ProjectPage, ShowcaseStatus
from projects.models import JointProject
from tests.cms.showcase_data import funded_project
from tests.factories import UserFactory
from tests.factories.auth import verified_login
from tests.workflow.conftest import _start, _submit_final_report, advance, build_ready
from workflow import services
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the after-commit hooks (the sync among them) as a committed transaction would."""

    def run(step, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return step(*args, **kwargs)

    return run


def page_in(project, language):
    return ProjectPage.objects.get(project=project, locale__language_code=language)


def facets_of(page):
    return set(page.facets.values_list("facet", "value", "label"))


def complete(cast, project):
    """From approved to completed, as tests.workflow.conftest.advance goes (it always starts
    from a ready draft): start, reporting, the final report, complete (which accepts it)."""
    _start(cast, project)
    services.project_transition(
        project_id=project.pk, name="begin_reporting", actor=cast.coordinator
    )
    _submit_final_report(cast, project)
    services.project_transition(project_id=project.pk, name="complete", actor=cast.coordinator)
    project.refresh_from_db()
    return project


def approved(cast, run_on_commit):
    project = build_ready(cast)
    return run_on_commit(advance, cast, project, ProjectState.APPROVED)


def test_approving_publishes_the_page_in_english_and_french(
    client, public_site, cast, run_on_commit
):
    project = approved(cast, run_on_commit)

    english, french = page_in(project, "en"), page_in(project, "fr")
    assert english.live and french.live and not english.has_unpublished_changes
    assert client.get(f"/en/projects/{project.slug}/").status_code == 200
    assert client.get(f"/fr/projets/{project.slug}/").status_code == 200
    # One page in two languages: Wagtail links them by their translation key.
    assert english.translation_key == french.translation_key
    assert english.locale.language_code == "en" and french.locale.language_code == "fr"

    assert (english.title, english.acronym, english.summary) == (
        "Shared Stages",
        "SHS",
        "Three centres share their stages.",
    )
    assert english.status == ShowcaseStatus.ONGOING
    assert english.lead_centre_name == "Maison de la culture de Lyon"
    assert english.call_title == cast.call.title
    assert english.network_name == cast.call.network.name
    assert english.grant_amount == Decimal("20000.00")
    assert (english.start_date, english.end_date) == (project.start_date, project.end_date)
    assert english.funded_on == timezone.localdate()
    assert english.year == timezone.localdate().year
    assert english.countries == ["BE", "FR", "HR"] and english.country_count == 3
    assert [(p["name"], p["role"]) for p in english.partners] == [
        ("Maison de la culture de Lyon", "lead"),
        ("Centre culturel de Liège", "partner"),
        ("Kulturni centar Zagreb", "partner"),
    ]
    assert sum(Decimal(p["share"]) for p in english.partners) == Decimal("20000.00")
    assert english.results == "" and english.indicators == {}

    assert facets_of(english) == {
        ("country", "BE", "Belgium"),
        ("country", "FR", "France"),
        ("country", "HR", "Croatia"),
        ("call", cast.call.slug, cast.call.title),
        ("status", "ongoing", "Ongoing"),
        ("year", str(english.year), str(english.year)),
        ("countries", "3", "3"),
        *(("centre", str(p["centre_id"]), p["name"]) for p in english.partners),
    }
    # The French page names countries and the status in French.
    assert [p["country_name"] for p in french.partners] == ["France", "Belgique", "Croatie"]
    assert ("country", "BE", "Belgique") in facets_of(french)
    with translation.override("fr"):
        ongoing_in_french = str(ShowcaseStatus.ONGOING.label)
    assert ("status", "ongoing", ongoing_in_french) in facets_of(french)


def test_a_proposal_not_yet_approved_has_no_page(public_site, cast, run_on_commit):
    project = build_ready(cast)

    run_on_commit(advance, cast, project, ProjectState.UNDER_REVIEW)

    assert not ProjectPage.objects.filter(project=project).exists()


def test_completing_updates_the_page_with_the_final_reports_results(
    client, public_site, cast, run_on_commit
):
    project = approved(cast, run_on_commit)

    run_on_commit(complete, cast, project)

    for language in ("en", "fr"):
        page = page_in(project, language)
        assert page.live and page.status == ShowcaseStatus.COMPLETED
        assert page.results == "We toured three cities."
        assert page.indicators == {"events": 12, "audience": {"FR": 900, "BE": 400}}
        statuses = {value for facet, value, _label in facets_of(page) if facet == "status"}
        assert statuses == {"completed"}
    response = client.get(f"/en/projects/{project.slug}/")
    assert b"We toured three cities." in response.content


def test_the_editors_story_and_credit_survive_a_later_sync(public_site, cast, run_on_commit):
    project = approved(cast, run_on_commit)
    page = page_in(project, "en")
    page.body = [("paragraph", "<p>How it began.</p>")]
    page.hero_credit = "Jeanne Photo"
    page.save_revision().publish()

    run_on_commit(complete, cast, project)

    page = page_in(project, "en")
    assert page.status == ShowcaseStatus.COMPLETED  # the sync did run
    assert page.hero_credit == "Jeanne Photo"
    assert page.body[0].value.source == "<p>How it began.</p>"
    # The revision the sync published carries them too (the next edit starts from it).
    latest = page.get_latest_revision_as_object()
    assert latest.hero_credit == "Jeanne Photo" and latest.status == ShowcaseStatus.COMPLETED
    assert latest.body[0].value.source == "<p>How it began.</p>"


def test_an_editors_unpublished_draft_stays_a_draft_with_the_synced_fields(
    client, public_site, cast, run_on_commit
):
    project = approved(cast, run_on_commit)
    page = page_in(project, "en")
    page.body = [("paragraph", "<p>Not ready yet.</p>")]
    page.save_revision()  # a draft, not published

    run_on_commit(complete, cast, project)

    page = page_in(project, "en")
    assert page.live and page.has_unpublished_changes
    assert page.status == ShowcaseStatus.COMPLETED  # the live page is up to date
    draft = page.get_latest_revision_as_object()
    assert draft.status == ShowcaseStatus.COMPLETED and draft.results == "We toured three cities."
    assert draft.body[0].value.source == "<p>Not ready yet.</p>"
    response = client.get(f"/en/projects/{project.slug}/")
    assert b"We toured three cities." in response.content
    assert b"Not ready yet." not in response.content


def test_a_page_an_editor_unpublished_stays_unpublished_and_follows(
    client, public_site, cast, run_on_commit
):
    project = approved(cast, run_on_commit)
    page_in(project, "en").unpublish()

    run_on_commit(complete, cast, project)

    page = page_in(project, "en")
    assert not page.live
    assert page.status == ShowcaseStatus.COMPLETED
    assert client.get(f"/en/projects/{project.slug}/").status_code == 404
    assert page_in(project, "fr").live  # the other language is the editors' own decision


def test_a_terminated_project_stays_published_as_ended_early(
    client, public_site, cast, run_on_commit
):
    project = run_on_commit(advance, cast, build_ready(cast), ProjectState.IN_PROGRESS)

    run_on_commit(
        services.project_transition,
        project_id=project.pk,
        name="terminate",
        actor=cast.coordinator,
        comment="The venue closed.",
    )

    project.refresh_from_db()
    assert project.state == ProjectState.TERMINATED
    for language in ("en", "fr"):
        page = page_in(project, language)
        assert page.live and page.status == ShowcaseStatus.ENDED_EARLY
    response = client.get(f"/en/projects/{project.slug}/")
    assert response.status_code == 200 and b"This project ended early" in response.content


def test_the_rebuild_makes_missing_pages_and_a_second_run_changes_nothing(public_site, cast):
    # Approved without running the after-commit hooks: as if the sync had failed.
    project = advance(cast, build_ready(cast), ProjectState.APPROVED)
    assert not ProjectPage.objects.filter(project=project).exists()

    call_command("rebuild_public_pages", verbosity=0)

    assert page_in(project, "en").live and page_in(project, "fr").live
    revisions = Revision.objects.count()
    pages = ProjectPage.objects.count()
    facets = sorted(page_in(project, "en").facets.values_list("pk", flat=True))

    call_command("rebuild_public_pages", verbosity=0)

    assert Revision.objects.count() == revisions
    assert ProjectPage.objects.count() == pages
    assert sorted(page_in(project, "en").facets.values_list("pk", flat=True)) == facets


def test_the_rebuild_unpublishes_the_page_of_a_deleted_project(client, public_site):
    project = funded_project()
    slug = project.slug
    assert client.get(f"/en/projects/{slug}/").status_code == 200

    JointProject.objects.filter(pk=project.pk).delete()
    call_command("rebuild_public_pages", verbosity=0)

    assert not ProjectPage.objects.filter(slug=slug, live=True).exists()
    assert ProjectPage.objects.filter(slug=slug).count() == 2  # kept, unpublished
    assert client.get(f"/en/projects/{slug}/").status_code == 404


def test_a_failing_sync_does_not_undo_the_transition(
    public_site, cast, run_on_commit, monkeypatch, caplog
):
    def broken(**kwargs):
        raise RuntimeError("the search index is down")

    monkeypatch.setattr("cms.sync.project_pages_sync", broken)
    project = build_ready(cast)

    with caplog.at_level(logging.ERROR, logger="cms.sync"):
        run_on_commit(advance, cast, project, ProjectState.APPROVED)

    project.refresh_from_db()
    assert project.state == ProjectState.APPROVED
    assert project.awarded_amount == Decimal("20000.00")
    assert not ProjectPage.objects.filter(project=project).exists()
    # One error per transition (submit, start review, approve), each with its traceback.
    records = [r for r in caplog.records if r.name == "cms.sync"]
    assert len(records) == 3
    for record in records:
        assert record.getMessage() == (
            f"The public page of project {project.pk} could not be synchronised"
        )
        assert record.exc_info[0] is RuntimeError


def test_the_synced_fields_are_read_only_in_the_editor(client, public_site):
    project = funded_project(acronym="SHS")
    page = page_in(project, "en")
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    verified_login(client, admin)

    response = client.get(f"/admin/pages/{page.pk}/edit/")

    assert response.status_code == 200
    form = BeautifulSoup(response.content.decode(), "html.parser").find("form", id="page-edit-form")
    names = {
        field["name"]
        for field in form.find_all(["input", "textarea", "select"])
        if field.get("name")
    }
    assert not names & set(SYNCED_FIELDS)
    # What editors add is editable.
    assert {"hero_image", "hero_credit"} <= names
    assert form.find(id="body", attrs={"data-controller": "w-block"})  # the StreamField
    # And the form Wagtail builds from the panels would not accept them either.
    form_fields = set(ProjectPage.get_edit_handler().get_form_class().base_fields)
    assert not form_fields & set(SYNCED_FIELDS)
    assert {"hero_image", "hero_credit", "body"} <= form_fields
    # The synced values are shown, read-only.
    assert "SHS" in form.get_text()


def test_the_migration_gives_existing_pages_their_centre_facets(public_site):
    import importlib

    from django.apps import apps

    from cms.models import ProjectPageFacet
    from tests.cms.showcase_data import funded_project

    project = funded_project(countries=("FR", "DE"))
    english = page_in(project, "en")
    expected = {f for f in facets_of(english) if f[0] == "centre"}
    assert len(expected) == 2
    ProjectPageFacet.objects.filter(facet="centre").delete()  # pages synced before the facet

    migration = importlib.import_module("cms.migrations.0003_centre_facets")
    migration.add_centre_facets(apps, None)
    migration.add_centre_facets(apps, None)  # twice: nothing more
    assert {f for f in facets_of(english) if f[0] == "centre"} == expected
    assert ProjectPageFacet.objects.filter(facet="centre").count() == 4  # two pages
