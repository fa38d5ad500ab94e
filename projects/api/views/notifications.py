"""In-app notifications."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from projects.api import serializers as s
from workflow.models import Notification

from ._common import REFUSALS, IntegerIds


@extend_schema(parameters=[OpenApiParameter("unread", bool)])
class NotificationViewSet(IntegerIds, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The user's in-app notifications, newest first."""

    serializer_class = s.NotificationSerializer

    def get_queryset(self):
        if (placeholder := self.schema_placeholder(Notification)) is not None:
            return placeholder
        notifications = Notification.objects.filter(recipient=self.request.user)
        if self.request.query_params.get("unread") in ("1", "true", "yes"):
            notifications = notifications.filter(read_at__isnull=True)
        return notifications.order_by("-created_at", "-id")

    @extend_schema(request=None, responses={200: s.NotificationSerializer, 404: REFUSALS[404]})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        from django.utils import timezone

        notification = get_object_or_404(self.get_queryset(), pk=pk if str(pk).isdigit() else 0)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses={200: OpenApiResponse(description='{"marked": n}')})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        from django.utils import timezone

        marked = self.get_queryset().filter(read_at__isnull=True).update(read_at=timezone.now())
        return Response({"marked": marked})
