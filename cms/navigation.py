"""Menus and language links of the public site.

Both are read on every public and workspace page but change only when pages or sites do, so
they are kept in Django's cache (Redis in production: shared by every process) under a
"navigation version" that any change to a page, a site or a locale replaces
(`navigation_changed`, connected in CmsConfig.ready). Without it they cost four queries a page
(the site, the locale, the menu, the page's translations)."""

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info
from wagtail.models import Page, Site

from cms.cache import LocalMemo

VERSION_KEY = "cms:navigation:version"
# A safety net only: every change that matters replaces the version at once.
TIMEOUT = 60 * 60


# This process's copies (cms.cache.LocalMemo): the version for two seconds, so another worker
# shows a change at most two seconds late; what is stored under a version never changes.
_local_version = LocalMemo(seconds=2)
_local_values = LocalMemo(seconds=TIMEOUT)


def navigation_version():
    version = _local_version.get(VERSION_KEY)
    if version is None:
        version = cache.get(VERSION_KEY)
        if version is None:
            version = uuid.uuid4().hex
            cache.set(VERSION_KEY, version, timeout=None)
        _local_version.set(VERSION_KEY, version)
    return version


def navigation_changed(**kwargs):
    """A page, site or locale changed: every cached menu and language link is stale."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    _local_version.clear()
    _local_values.clear()


def _cached(key, compute):
    key = f"cms:navigation:{navigation_version()}:{key}"
    value = _local_values.get(key)
    if value is None:
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, timeout=TIMEOUT)
        _local_values.set(key, value)
    return value


def localized_home(request):
    site = Site.find_for_request(request)
    if site is None:
        return None
    return site.root_page.localized


def _menu_items(request):
    home = localized_home(request)
    if home is None:
        return []
    return [
        {"pk": page.pk, "title": page.title, "url": page.get_url(request=request)}
        for page in home.get_children().live().in_menu()
    ]


def menu_pages(request):
    """The live children of the home page in the current language that show in menus, as
    {"pk", "title", "url"}, in tree order."""
    # Keyed by host (the site Wagtail would find for it) and language: the menu and its URLs
    # depend on both.
    key = f"menu:{get_language()}:{request.get_host()}"
    return _cached(key, lambda: _menu_items(request))


def _translation_urls(request, page):
    return {
        translation.locale.language_code: translation.get_url(request=request)
        for translation in (
            Page.objects.filter(translation_key=page.translation_key)
            .live()
            .select_related("locale")
        )
    }


# Open Graph names a language with its territory (language_TERRITORY).
OG_LOCALES = {"en": "en_GB", "fr": "fr_FR"}


def _routed_remainder(request, own_url):
    """What follows the page's own URL in the address: a route of a RoutablePageMixin page
    (a centre under the directory, the showcase's feed), kept when switching language. The
    routes' segments are the same in every language (slugs of centres, `feed/`)."""
    if not own_url:
        return ""
    own_path = urlsplit(own_url).path
    if own_path.endswith("/") and request.path.startswith(own_path):
        return request.path[len(own_path) :]
    return ""


def language_links(request, page=None):
    """One link per language, in the order of settings.LANGUAGES, as
    {"code", "name", "url", "absolute_url", "og_locale", "current", "translated", "default"}.

    `url` (for people: the switcher) is the page's translation with the routed sub-page and the
    query string (the showcase's facets) kept; without a translation it is the same address
    in the other language. `absolute_url` (for search engines: hreflang) has no query string.
    `translated` says the page exists in that language: only those are announced as
    alternates, never an address that would answer 404."""
    current = get_language()
    translations = {}
    if page is not None and getattr(page, "pk", None):
        key = f"translations:{page.translation_key}:{request.get_host()}"
        translations = _cached(key, lambda: _translation_urls(request, page))
    remainder = _routed_remainder(request, translations.get(current))
    query = request.META.get("QUERY_STRING", "")
    links = []
    for code, _name in settings.LANGUAGES:
        if code in translations:
            path = translations[code] + remainder
            url = f"{path}?{query}" if query else path
        else:
            url = translate_url(request.get_full_path(), code)
            path = url.partition("?")[0]
        links.append(
            {
                "code": code,
                # Each language is named in itself: a French reader looks for "Français".
                "name": get_language_info(code)["name_local"],
                "url": url,
                "absolute_url": request.build_absolute_uri(path),
                "og_locale": OG_LOCALES.get(code, code),
                "current": code == current,
                "translated": code in translations,
                "default": code == settings.LANGUAGE_CODE,
            }
        )
    return links


def connect_signals():
    """Called once from CmsConfig.ready, so every process replaces the version on a change
    (not only those that have rendered a page yet)."""
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import Locale
    from wagtail.signals import page_published, page_unpublished, post_page_move

    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(navigation_changed, dispatch_uid=f"cms.navigation.{id(signal)}")
    for model in (Site, Locale):
        post_save.connect(navigation_changed, sender=model, dispatch_uid=f"cms.nav.save.{model}")
        post_delete.connect(
            navigation_changed, sender=model, dispatch_uid=f"cms.nav.delete.{model}"
        )
    # Any page type: a title, slug or "show in menus" saved without publishing (add_child,
    # a script), or a page deleted. Connected per model: a post_delete receiver for every
    # sender would stop Django's fast deletes of all other models.
    from wagtail.models import get_page_models

    for model in {Page, *get_page_models()}:
        post_save.connect(navigation_changed, sender=model, dispatch_uid=f"cms.nav.save.{model}")
        post_delete.connect(
            navigation_changed, sender=model, dispatch_uid=f"cms.nav.delete.{model}"
        )
