"""Calls (with their ranking) and the centre directory."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from projects import selectors
from projects.api import serializers as s
from workflow import permissions
from workflow.selectors import call_ranking_rows, ranking_rows

from ._common import REFUSALS, IntegerIds


class CallViewSet(IntegerIds, viewsets.ReadOnlyModelViewSet):
    """Calls with their rules, tiers and criteria (public)."""

    serializer_class = s.CallSerializer
    permission_classes = [AllowAny]
    queryset = selectors.calls_with_rules()

    @extend_schema(
        parameters=[OpenApiParameter("page", int, description="A page number within the ranking.")],
        responses={200: s.RankingSerializer, 403: REFUSALS[403], 404: REFUSALS[404]},
    )
    @action(detail=True, methods=["get"], permission_classes=[], url_path="ranking")
    def ranking(self, request, pk=None):
        """Coordinators: the call's proposals ranked by mean weighted score, with the budget,
        a page at a time (the cumulative requested grant counts the earlier pages too)."""
        # The call's own row only: its tiers and criteria are not shown here.
        call = get_object_or_404(self.get_queryset().prefetch_related(None), pk=pk)
        if not permissions.is_coordinator(request.user):
            raise PermissionDenied("Only coordinators see the ranking.")
        page = self.paginate_queryset(call_ranking_rows(call))
        return Response(
            s.RankingSerializer(
                {
                    "count": self.paginator.page.paginator.count,
                    "next": self.paginator.get_next_link(),
                    "previous": self.paginator.get_previous_link(),
                    "call": call.pk,
                    "budget": call.budget,
                    "overall_threshold": call.overall_threshold,
                    "results": ranking_rows(call, page),
                }
            ).data
        )


@extend_schema(
    parameters=[
        OpenApiParameter("country", str, description="ISO 3166-1 alpha-2 code, e.g. FR"),
        OpenApiParameter("q", str, description="Part of the name or city"),
    ]
)
class CentreViewSet(IntegerIds, viewsets.ReadOnlyModelViewSet):
    """The centre directory (public)."""

    serializer_class = s.CentreSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        params = self.request.query_params
        return selectors.centre_directory(country=params.get("country"), query=params.get("q"))
