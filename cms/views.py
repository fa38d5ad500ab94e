from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache


@never_cache
def health(request):
    """For load balancers: the app answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def page_not_found(request, exception=None):
    return render(request, "cms/errors/404.html", status=404)


def server_error(request):
    # Rendered without context processors or the database: they may be what failed.
    return HttpResponseServerError(loader.get_template("cms/errors/500.html").render())
