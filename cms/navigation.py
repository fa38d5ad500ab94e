"""Menus and language links of the public site."""

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info
from wagtail.models import Page, Site


def localized_home(request):
    site = Site.find_for_request(request)
    if site is None:
        return None
    return site.root_page.localized


def menu_pages(request):
    home = localized_home(request)
    if home is None:
        return []
    return list(home.get_children().live().in_menu())


def language_links(request, page=None):
    """One link per language: the page's translation when it has one, else the same path."""
    current = get_language()
    translations = {}
    if page is not None and getattr(page, "pk", None):
        for translation in (
            Page.objects.filter(translation_key=page.translation_key)
            .live()
            .select_related("locale")
        ):
            translations[translation.locale.language_code] = translation
    links = []
    for code, _name in settings.LANGUAGES:
        if code in translations:
            url = translations[code].get_url(request=request)
        else:
            url = translate_url(request.get_full_path(), code)
        links.append(
            {
                "code": code,
                # Each language is named in itself: a French reader looks for "Français".
                "name": get_language_info(code)["name_local"],
                "url": url,
                "absolute_url": request.build_absolute_uri(url),
                "current": code == current,
            }
        )
    return links
