"""OpenAPI schema scope: our JSON API only, not the Wagtail admin's internal API."""

API_PREFIX = "/api/v1/"


def only_public_api(endpoints, **kwargs):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(API_PREFIX)]
