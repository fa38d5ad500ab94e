"""Wagtail's routing without its per-request lookups.

Every public page asked the database for the site (by hostname and port), the active locale,
the home page's translation in it (and its specific type), then for the served page's
ancestors and view restrictions: five queries before the page's own. The site and the
localized home page change only when sites, locales or pages do, so they are kept in Django's
cache under the navigation version (cms.navigation), which every such change replaces; so are
the view restrictions of the home page, whose changes replace the version too (connected
below). The page itself is still routed and served on every request: nothing here caches a
response.
"""

import copy

from django.db.models.signals import post_delete, post_save
from django.http import Http404
from django.http.request import split_domain_port
from django.utils.translation import get_language
from wagtail.models import Page, PageViewRestriction, Site

from cms.navigation import _cached, navigation_changed

_NONE = None


def _no_restrictions():
    # An empty queryset evaluated once: iterating it (Wagtail's check on every page served)
    # runs no SQL compiler at all; filtering or ordering it still works as a queryset.
    global _NONE
    if _NONE is None:
        none = PageViewRestriction.objects.none()
        list(none)
        _NONE = none
    return _NONE


def _lookup(hostname, port):
    site = Site._find_for_request_uncached(hostname, port)
    if site is None:
        return (None, None, False)  # cached too: adding a site replaces the version
    root = site.root_page.localized.specific
    restricted = root.get_view_restrictions().exists()
    return (site, root, restricted)


def site_and_root(request):
    """(site, the site's home page in the active language as its specific type, whether view
    restrictions apply to that page), or None when no site answers for the request's host."""
    hostname = split_domain_port(request._get_raw_host())[0]
    port = request.get_port()
    found = _cached(f"route:{get_language()}:{hostname}:{port}", lambda: _lookup(hostname, port))
    if found[0] is None:
        return None
    site, root, restricted = found
    # Copies: the cached instances are shared by this process's requests (cms.cache.LocalMemo)
    # and Wagtail may remember things on the page it serves.
    return copy.copy(site), copy.copy(root), restricted


def route_for_request(request, path):
    """Page.route_for_request with the site and the localized home page from the cache; the
    rest of the route (the child pages under the home page) is Wagtail's own."""
    if not hasattr(request, "_wagtail_route_for_request"):
        found = site_and_root(request)
        if found is None:
            request._wagtail_site = None
            request._wagtail_route_for_request = None
            return None
        site, root, restricted = found
        request._wagtail_site = site
        if not restricted:
            # Known to have none (the cache is replaced when one is added): Wagtail's check
            # would query the page's ancestors and restrictions again.
            root.get_view_restrictions = _no_restrictions
        components = [component for component in path.split("/") if component]
        try:
            request._wagtail_route_for_request = root.route(request, components)
        except Http404:
            request._wagtail_route_for_request = None
    return request._wagtail_route_for_request


def install():
    """Called once from CmsConfig.ready."""
    if getattr(Site, "_find_for_request_uncached", None) is None:

        def uncached(hostname, port):
            from wagtail.models.sites import get_site_for_hostname

            try:
                return get_site_for_hostname(hostname, port)
            except Site.DoesNotExist:
                return None

        Site._find_for_request_uncached = staticmethod(uncached)
        Page.route_for_request = staticmethod(route_for_request)
    # A view restriction added to or removed from any page may concern the home page.
    for signal in (post_save, post_delete):
        signal.connect(
            navigation_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"cms.routing.restriction.{id(signal)}",
        )
