"""The workspace in French (issue 7, item 11): every string of the catalogue translated, the
compiled catalogue up to date, and the member's pages rendered in French from the browser's
Accept-Language (the workspace has no /fr/ prefix), with the words that agree in gender with
what they describe (pgettext contexts)."""

import ast
import gettext
import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from wagtail.users.models import UserProfile

from tests.factories.auth import verified_login
from tests.workflow.conftest import add_partner, advance, build_draft, build_ready
from workflow import services
from workflow.models import Notification
from workflow.services.threads import message_post

LOCALE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


# --- The catalogue ------------------------------------------------------------------------------


def po_entries():
    """(flags, msgctxt, msgid, msgid_plural, [msgstr…]) for each entry of django.po, header
    included, obsolete entries left out."""
    entries = []
    for block in re.split(r"\n\s*\n", (LOCALE / "django.po").read_text(encoding="utf-8")):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        flags = {
            flag.strip() for line in lines if line.startswith("#,") for flag in line[2:].split(",")
        }
        fields, key = {}, None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line)
            if match:
                key = match.group(1)
                fields[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"'):
                fields[key] += ast.literal_eval(line)
        strs = [value for name, value in fields.items() if name.startswith("msgstr")]
        entries.append(
            (flags, fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural"), strs)
        )
    return entries


def test_every_string_is_translated_and_none_is_fuzzy():
    entries = po_entries()
    header = [e for e in entries if e[2] == ""]
    assert len(header) == 1
    strings = [e for e in entries if e[2] != ""]
    assert len(strings) > 1000
    untranslated = [msgid for _f, _c, msgid, _p, strs in strings if not all(strs)]
    fuzzy = [msgid for flags, _c, msgid, _p, _s in strings if "fuzzy" in flags]
    assert untranslated == []
    assert fuzzy == []


def test_translations_keep_every_placeholder():
    for _flags, _ctx, msgid, plural, strs in po_entries():
        if not msgid:
            continue
        expected = set(PLACEHOLDER.findall(msgid)) | set(PLACEHOLDER.findall(plural or ""))
        for translated in strs:
            # A plural's singular may leave out the count (French: "Pays" for one country).
            missing = expected - set(PLACEHOLDER.findall(translated))
            assert not missing or (plural and translated == strs[0]), (msgid, translated)
            assert set(PLACEHOLDER.findall(translated)) <= expected, (msgid, translated)


def test_the_compiled_catalogue_matches_the_po_file():
    with (LOCALE / "django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    for _flags, ctx, msgid, plural, strs in po_entries():
        if not msgid:
            continue
        if plural:
            assert (
                catalogue.npgettext(ctx, msgid, plural, 1)
                if ctx
                else catalogue.ngettext(msgid, plural, 1)
            ) == strs[0], msgid
            assert (
                catalogue.npgettext(ctx, msgid, plural, 2)
                if ctx
                else catalogue.ngettext(msgid, plural, 2)
            ) == strs[1], msgid
        else:
            got = catalogue.pgettext(ctx, msgid) if ctx else catalogue.gettext(msgid)
            assert got == strs[0], msgid


# --- The pages ----------------------------------------------------------------------------------

# English sentences of the catalogue that say something else in French: none of them may show on
# a French page. (Short words are left out: they also occur in names and data.)
ENGLISH = sorted(
    {
        msgid
        for _flags, _ctx, msgid, _plural, strs in po_entries()
        if len(msgid) >= 14 and not PLACEHOLDER.search(msgid) and strs[0] != msgid
    }
)


def text(response):
    body = response.content.decode()
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))).strip()


def french(client, name, *args):
    response = client.get(reverse(f"workspace:{name}", args=args), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert '<html lang="fr">' in response.content.decode()
    page = text(response)
    assert [s for s in ENGLISH if s in page] == []
    return page


def speaks_french(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "fr"
    profile.save()


@pytest.fixture
def draft(cast, django_capture_on_commit_callbacks):
    """A draft with one partner, whose joining the lead (who reads French) is told of."""
    speaks_french(cast.lead_manager)
    project = build_draft(cast)
    with django_capture_on_commit_callbacks(execute=True):
        add_partner(cast, project, cast.partner_centre, cast.partner_manager)
    return project


@pytest.mark.django_db
def test_the_dashboard_in_french(client, cast, draft):
    verified_login(client, cast.lead_manager)
    page = french(client, "home")
    for words in (
        "Créer une proposition",
        "Mandats et conventions à signer",
        "Signer le mandat de Maison de la culture de Lyon",
        "Prochaines échéances",
        "Ouvrir ma boîte de réception",
        "Préférences d'e-mail",
    ):
        assert words in page
    for words in ("Start a proposal", "Upcoming deadlines", "Open my inbox", "Reports due"):
        assert words not in page


@pytest.mark.django_db
def test_the_task_list_in_french_with_section_statuses_in_the_feminine(client, cast, draft):
    verified_login(client, cast.lead_manager)
    page = french(client, "editor", draft.pk)
    for words in (
        "Étapes de la proposition",
        "Sections de la proposition",
        "Titre et résumé",
        # « section » is feminine: not the project's « Terminé »
        "Terminée",
        "Non commencée",
        "Prête à être déposée ?",
        "Conditions de l'appel remplies",
        "Vérifier à nouveau",
    ):
        assert words in page
    for words in ("Proposal tasks", "Not started", "Completed", "Check again", "Fix this"):
        assert words not in page


@pytest.mark.django_db
def test_the_partners_page_in_french(client, cast, draft):
    verified_login(client, cast.lead_manager)
    page = french(client, "project_partners", draft.pk)
    for words in (
        "Consortium",
        "Trouver des centres partenaires",
        "Tous les pays",
        "Toutes les disciplines",
        "Rechercher",
        "Retirer ce partenaire",
    ):
        assert words in page
    for words in ("Find partner centres", "Any country", "Partners", "Search"):
        assert not re.search(rf"\b{words}\b", page)


@pytest.mark.django_db
def test_the_budget_page_in_french(client, cast, draft):
    verified_login(client, cast.lead_manager)
    page = french(client, "budget", draft.pk)
    for words in (
        "Votre budget : Maison de la culture de Lyon",
        "Lignes budgétaires de Maison de la culture de Lyon",
        "Enregistrer le budget",
        "Ajouter une ligne",
        "Recalculer les totaux",
        "Contribution propre (EUR)",
        "Totaux",
        "Subvention demandée",
    ):
        assert words in page
    for words in ("Save the budget", "Add another line", "Own contribution", "Totals"):
        assert words not in page


@pytest.mark.django_db
def test_the_revisions_page_in_french(client, cast, draft):
    verified_login(client, cast.lead_manager)
    page = french(client, "revisions", draft.pk)
    for words in (
        "Versions, de la plus récente à la plus ancienne",
        "Événement",
        "Partenaires modifiés",
        "Comparer les versions choisies",
    ):
        assert words in page
    for words in ("Revisions", "What happened", "Partners changed", "Saved"):
        assert not re.search(rf"\b{words}\b", page)


@pytest.mark.django_db
def test_the_inbox_in_french(client, cast, draft):
    assert Notification.objects.filter(recipient=cast.lead_manager, language="fr").exists()
    verified_login(client, cast.lead_manager)
    page = french(client, "inbox")
    for words in (
        f"Centre culturel de Liège est partenaire de {draft}",  # in the lead's language
        "Non lues uniquement",
        "Tout marquer comme lu",
        "Marquer comme lue",
        "Agenda des échéances",
    ):
        assert words in page
    for words in ("Unread only", "Mark all as read", "Calendar of deadlines", "Email preferences"):
        assert words not in page

    page = french(client, "notification_preferences")
    assert "Événement" in page  # the column of the kinds, not the history's « Date »
    assert "Une proposition est déposée" in page


@pytest.mark.django_db
def test_a_submitted_review_is_feminine_in_the_reviewers_list(client, cast):
    project = advance(cast, build_ready(cast), "approved")
    verified_login(client, cast.reviewer)
    page = french(client, "reviews")
    # « évaluation » is feminine: « Déposée », beside « Attribuée » and « Déclinée »
    assert "État : Déposée" in page
    assert "Attribuée (0)" in page
    page = french(client, "review", project.reviews.get(reviewer=cast.reviewer).pk)
    assert "État : Déposée" in page
    assert "État de la proposition : Approuvé" in page


@pytest.mark.django_db
def test_the_grant_agreement_is_feminine_on_the_project_page(client, cast):
    project = advance(cast, build_ready(cast), "approved")
    services.partnership_accept_agreement(
        partnership_id=project.partnerships.get(centre=cast.lead_centre).pk,
        actor=cast.lead_manager,
    )
    verified_login(client, cast.lead_manager)
    page = french(client, "project", project.pk)
    assert "Acceptée" in page  # la convention de subvention
    assert "Non acceptée" in page
    page = french(client, "grant_agreement", project.pk)
    assert "Centres ayant accepté la convention de subvention : 1 sur 3." in page


@pytest.mark.django_db
def test_a_message_email_in_french(cast, django_capture_on_commit_callbacks):
    speaks_french(cast.lead_manager)
    project = build_ready(cast)
    services.project_transition(project_id=project.pk, name="submit", actor=cast.lead_manager)
    with django_capture_on_commit_callbacks(execute=True):
        message_post(project_id=project.pk, author=cast.coordinator, body="Bonjour.")
    told = Notification.objects.get(recipient=cast.lead_manager, event="message_posted")
    assert told.subject == f"Nouveau message à propos de {project}"
    assert f"Un nouveau message à propos de «\u00a0{project}\u00a0»" in told.body
    assert "Pour répondre, ouvrez les messages de la proposition" in told.body
