"""The site's URLs plus the "ceiling": a view that touches no database, behind the same
middleware, so each page's throughput can be read as a fraction of what Django itself allows
on this machine in the same run. Mounted only by cms.settings.bench (ROOT_URLCONF)."""

from django.http import HttpResponse
from django.urls import path

from cms.urls import handler404, handler500  # noqa: F401
from cms.urls import urlpatterns as site_urlpatterns


def ceiling(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/ceiling", ceiling, name="bench-ceiling"), *site_urlpatterns]
