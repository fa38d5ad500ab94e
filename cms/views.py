from django.core.cache import cache
from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.gzip import gzip_page

from cms.middleware import DATABASE_ERRORS

API_PREFIX = "/api/"


def is_api(request):
    return request.path.startswith(API_PREFIX)


def api_error(detail, status):
    """The API's error shape ({"detail": …}, as DRF's), for errors raised outside its views."""
    return JsonResponse({"detail": str(detail)}, status=status)


def compressed_json(request, data):
    """`data` as JSON, gzip-compressed for a client that accepts it (Vary: Accept-Encoding).
    For public data only: compressing a page that holds a secret next to what a visitor can
    inject would leak it (BREACH), which is why the site has no GZipMiddleware."""
    return gzip_page(lambda request: JsonResponse(data, safe=False))(request)


def database_status():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DATABASE_ERRORS:
        # Django closes the broken connection at the end of the request: the next one
        # connects again.
        return "unavailable"
    return "ok"


def cache_status():
    # Any error of the cache server counts (redis-py raises its own ConnectionError and
    # TimeoutError); the Redis OPTIONS in settings keep the wait short.
    try:
        cache.set("healthz", "ok", timeout=10)
        if cache.get("healthz") != "ok":
            return "unavailable"
    except Exception:
        return "unavailable"
    return "ok"


@never_cache
def health(request):
    """For load balancers and monitoring: 200 while the database answers ("degraded" when the
    cache does not: taking the instance out of rotation would not help, the cache is shared),
    503 when the database does not."""
    database, cache_state = database_status(), cache_status()
    if database != "ok":
        status = "down"
    elif cache_state != "ok":
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse(
        {"status": status, "database": database, "cache": cache_state},
        status=200 if database == "ok" else 503,
    )


def page_not_found(request, exception=None):
    if is_api(request):
        return api_error(_("Not found."), 404)
    return render(request, "cms/errors/404.html", status=404)


def bad_request(request, exception=None):
    """Django's own 400s (a disallowed host, a body too large, a malformed upload)."""
    if is_api(request):
        return api_error(_("Bad request."), 400)
    return defaults.bad_request(request, exception)


def server_error(request):
    if is_api(request):
        return api_error(_("Server error."), 500)
    # Rendered without context processors or the database: they may be what failed.
    return HttpResponseServerError(loader.get_template("cms/errors/500.html").render())
