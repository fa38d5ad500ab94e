"""The public site tree of the demo: an English home page and its French translation."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Site,
)

from cms.models import HomePage

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
def ensure_site_tree():
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
    grant_coordinators_the_cms()
    return home


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
