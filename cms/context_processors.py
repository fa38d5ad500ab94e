from django.utils.functional import SimpleLazyObject

from cms.navigation import menu_pages


def site_navigation(request):
    """The public menu, computed only when a template reads it (never in the admin)."""
    return {"menu_pages": SimpleLazyObject(lambda: menu_pages(request))}
