from django.conf import settings
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils.functional import SimpleLazyObject

from cms.navigation import menu_pages


def can_access_admin(user):
    """user.has_perm("wagtailadmin.access_admin") under ModelBackend (the only backend that
    grants permissions here), in one query instead of the two that load every permission of
    the user and of their groups."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if hasattr(user, "_perm_cache"):  # already loaded by an earlier has_perm
        return "wagtailadmin.access_admin" in user._perm_cache
    return Permission.objects.filter(
        Q(user=user) | Q(group__user=user),
        content_type__app_label="wagtailadmin",
        codename="access_admin",
    ).exists()


def site_navigation(request):
    """The public menu and the admin link, computed only when a template reads them (never in
    the admin)."""
    return {
        "menu_pages": SimpleLazyObject(lambda: menu_pages(request)),
        "can_access_admin": SimpleLazyObject(lambda: can_access_admin(request.user)),
        # The public maps' tiles (cms/_map.html): any XYZ tile server and its attribution.
        "map_tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_ATTRIBUTION},
    }
