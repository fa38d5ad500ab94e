"""What every API view shares: refusal responses for the schema, integer ids, pagination."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework.negotiation import BaseContentNegotiation

from projects.api import serializers as s

REFUSALS = {
    400: OpenApiResponse(description="Malformed input: field errors."),
    403: OpenApiResponse(description="You may see this but may not do it."),
    404: OpenApiResponse(description="Not found, or not visible to you."),
    409: OpenApiResponse(
        description="Not possible from the current state, or a concurrent change won."
    ),
    422: OpenApiResponse(
        s.ConditionErrorsSerializer, description="Conditions failed: every one is listed."
    ),
}


FILE_RESPONSES = {
    (200, "application/octet-stream"): OpenApiResponse(
        OpenApiTypes.BINARY, description="The file, streamed as an attachment (local storage)."
    ),
    302: OpenApiResponse(description="S3: redirect to a short-lived signed URL."),
    401: OpenApiResponse(description="Not logged in."),
    404: OpenApiResponse(description="No file, or not visible to you."),
}


class FileDownloadNegotiation(BaseContentNegotiation):
    """Downloads answer whatever the client accepts (e.g. `Accept: application/pdf`): the body is
    the file or a redirect, and only refusals are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class KnownCountPaginator(Paginator):
    """A paginator told how to count (a callable), instead of COUNT(*) over its queryset."""

    def __init__(self, object_list, per_page, *, count, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._count = count

    @cached_property
    def count(self):
        return self._count()


class IntegerIds:
    """Objects are addressed by integer ids; anything else is simply not found."""

    lookup_value_regex = "[0-9]+"

    def schema_placeholder(self, model):
        # drf-spectacular inspects views without a user; answer with an empty queryset.
        return model.objects.none() if getattr(self, "swagger_fake_view", False) else None


def transition_input(request):
    serializer = s.TransitionInputSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
