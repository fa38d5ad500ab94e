"""How many queries a public page costs once the per-process caches are warm: publishing a
page clears Wagtail's site-root paths and the navigation, which the first request after it
fills again, as the first visitor does in production."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def warm_queries(client, url, params=None):
    """(queries, response) of the page asked a second time."""
    assert client.get(url, params).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured), response


def warm_query_count(client, url, params=None):
    return warm_queries(client, url, params)[0]
