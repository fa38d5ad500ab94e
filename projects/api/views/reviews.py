"""Reviews: the reviewer's queue, scores, transitions."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from projects.api import serializers as s
from workflow import permissions, services
from workflow.models import Review

from ._common import REFUSALS, IntegerIds, transition_input


class ReviewViewSet(
    IntegerIds,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The reviewer's queue (coordinators see every review)."""

    serializer_class = s.ReviewSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if (placeholder := self.schema_placeholder(Review)) is not None:
            return placeholder
        reviews = Review.objects.select_related("reviewer", "project").prefetch_related("scores")
        if not permissions.is_coordinator(self.request.user):
            reviews = reviews.filter(reviewer=self.request.user)
        if state := self.request.query_params.get("state"):
            reviews = reviews.filter(state=state)
        return reviews.order_by("due_date", "id")

    @extend_schema(
        request=s.ReviewUpdateSerializer, responses={200: s.ReviewSerializer, **REFUSALS}
    )
    def partial_update(self, request, pk=None):
        review = self.get_object()
        serializer = s.ReviewUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.review_score(
            review_id=review.pk,
            actor=request.user,
            scores=serializer.validated_data.get("scores", []),
            comment=serializer.validated_data.get("comment"),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=review.pk)).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(
        request=s.TransitionInputSerializer, responses={200: s.ReviewSerializer, **REFUSALS}
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def transitions(self, request, pk=None, name=None):
        review = self.get_object()
        data = transition_input(request)
        services.review_transition(
            review_id=review.pk, name=name, actor=request.user, comment=data["comment"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=review.pk)).data)
