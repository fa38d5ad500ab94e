# ruff: noqa: E501  (the pages' texts read better unbroken)
"""The public site tree: the home page and its sections in English, their French translations
(with French slugs), made idempotently by seed_demo and rebuild_public_pages."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Site,
)

from cms.models import (
    CallIndexPage,
    CentreIndexPage,
    FairPage,
    HomePage,
    InsightsPage,
    NewsIndexPage,
    ProjectIndexPage,
    ResourceHubPage,
    StandardPage,
)

HOME = {
    "en": {
        "title": "Ensemble",
        "headline": "Cultural centres making things together across Europe",
        "intro": (
            "Ensemble is where the member centres of our network propose joint projects, find "
            "partners in other countries, and where the secretariat reviews and funds them. Every "
            "funded project is shown here, with what it made."
        ),
    },
    "fr": {
        "title": "Ensemble",
        "slug": "accueil",
        "headline": "Des centres culturels qui créent ensemble à travers l'Europe",
        "intro": (
            "Ensemble est l'espace où les centres membres de notre réseau proposent des projets "
            "communs, trouvent des partenaires dans d'autres pays, et où le secrétariat les évalue "
            "et les finance. Chaque projet financé est présenté ici, avec ce qu'il a produit."
        ),
    },
}


@transaction.atomic
def ensure_site_tree(*, sections=True):
    """The home page in English and French and (`sections`) the site's sections under it."""
    english, _ = Locale.objects.get_or_create(language_code="en")
    french, _ = Locale.objects.get_or_create(language_code="fr")
    home = HomePage.objects.filter(locale=english).first()
    if home is None:
        root = Page.get_first_root_node()
        if root is None:  # a flushed database (Wagtail's migration made the first one)
            root = Page.add_root(instance=Page(title="Root", slug="root", locale=english))
        # Wagtail's initial migration leaves a placeholder "Welcome" page: replace it.
        for placeholder in root.get_children().exact_type(Page):
            placeholder.delete()
        home = root.add_child(instance=HomePage(slug="home", locale=english, **HOME["en"]))
        home.save_revision().publish()
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Ensemble"},
    )
    if not HomePage.objects.filter(locale=french).exists():
        translation = home.copy_for_translation(french)
        for field, value in HOME["fr"].items():
            setattr(translation, field, value)
        translation.save_revision().publish()
    for model, english_fields, french_fields in SECTIONS if sections else []:
        ensure_section(home, model, english_fields, french_fields, french=french)
    grant_coordinators_the_cms()
    return home


# (page type, English, French): the sections under the home page, in menu order. The slugs make
# the addresses of PRODUCT.md §6 (/en/projects/, /fr/projets/, …).
SECTIONS = [
    (
        ProjectIndexPage,
        {
            "title": "Projects",
            "slug": "projects",
            "intro": "<p>Every joint project our network has funded: who made it with whom, where, and what came of it.</p>",
        },
        {
            "title": "Projets",
            "slug": "projets",
            "intro": "<p>Tous les projets communs financés par notre réseau : qui les a menés avec qui, où, et ce qu'ils ont produit.</p>",
        },
    ),
    (
        FairPage,
        {
            "title": "Project Fair",
            "slug": "fair",
            "intro": "<p>Proposals looking for partners now. Members can ask to join from here.</p>",
        },
        {
            "title": "Bourse aux projets",
            "slug": "bourse",
            "intro": "<p>Les propositions qui cherchent des partenaires en ce moment. Les membres peuvent demander à les rejoindre d'ici.</p>",
        },
    ),
    (
        CentreIndexPage,
        {
            "title": "Centres",
            "slug": "centres",
            "intro": "<p>The member centres of the network and the joint projects they took part in.</p>",
        },
        {
            "title": "Centres",
            "slug": "centres",
            "intro": "<p>Les centres membres du réseau et les projets communs auxquels ils ont participé.</p>",
        },
    ),
    (
        CallIndexPage,
        {
            "title": "Calls",
            "slug": "calls",
            "intro": "<p>Open, upcoming and past calls for joint projects.</p>",
        },
        {
            "title": "Appels",
            "slug": "appels",
            "intro": "<p>Les appels à projets communs ouverts, à venir et passés.</p>",
        },
    ),
    (
        InsightsPage,
        {"title": "Insights", "slug": "insights", "intro": "<p>The network in figures.</p>"},
        {"title": "En chiffres", "slug": "en-chiffres", "intro": "<p>Le réseau en chiffres.</p>"},
    ),
    (
        ResourceHubPage,
        {
            "title": "Resources",
            "slug": "resources",
            "intro": "<p>Studies, guides and templates for joint projects.</p>",
        },
        {
            "title": "Ressources",
            "slug": "ressources",
            "intro": "<p>Études, guides et modèles pour les projets communs.</p>",
        },
    ),
    (
        NewsIndexPage,
        {"title": "News", "slug": "news", "intro": ""},
        {"title": "Actualités", "slug": "actualites", "intro": ""},
    ),
    (
        StandardPage,
        {
            "title": "About",
            "slug": "about",
            "intro": "Ensemble is the open platform of our network of cultural centres for joint projects and grants.",
        },
        {
            "title": "À propos",
            "slug": "a-propos",
            "intro": "Ensemble est la plateforme ouverte de notre réseau de centres culturels pour les projets communs et les subventions.",
        },
    ),
]


def ensure_section(home, model, english_fields, french_fields, *, french):
    """The section in English under the home page and its French translation, each made once,
    live from the start (no first revision: an editor's first change makes one; a third of the
    work, which the tests feel)."""
    page = model.objects.filter(locale=home.locale).first()
    if page is None:
        page = _live(model(show_in_menus=True, locale=home.locale, **english_fields))
        home.add_child(instance=page)
    if not model.objects.filter(locale=french).exists():
        french_home = HomePage.objects.get(locale=french)
        french_home.add_child(
            instance=_live(
                model(
                    show_in_menus=True,
                    locale=french,
                    translation_key=page.translation_key,
                    **french_fields,
                )
            )
        )


def _live(page):
    page.live, page.has_unpublished_changes = True, False
    page.first_published_at = page.last_published_at = timezone.now()
    return page


PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
COLLECTION_PERMISSIONS = [
    ("wagtailimages", ["add_image", "change_image", "choose_image"]),
    ("wagtaildocs", ["add_document", "change_document", "choose_document"]),
]


def grant_coordinators_the_cms():
    """Coordinators edit and publish every page, image and document of the public site."""
    group, _ = Group.objects.get_or_create(name="Coordinators")
    root = Page.get_first_root_node()
    for codename in PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=root,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )
    collection = Collection.get_first_root_node() or Collection.add_root(name="Root")
    for app_label, codenames in COLLECTION_PERMISSIONS:
        for permission in Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        ):
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=collection, permission=permission
            )
