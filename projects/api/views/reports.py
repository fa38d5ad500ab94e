"""Reports: edit, transitions, attachments."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from projects import files, selectors
from projects.api import serializers as s
from projects.models import Report, ReportAttachment
from projects.services import (
    report_attachment_add,
    report_attachment_remove,
)
from workflow import permissions, services

from ._common import FILE_RESPONSES, REFUSALS, FileDownloadNegotiation, IntegerIds, transition_input


class ReportViewSet(
    IntegerIds, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    serializer_class = s.ReportSerializer
    # DELETE only reaches the attachment action: the viewset has no destroy.
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if (placeholder := self.schema_placeholder(Report)) is not None:
            return placeholder
        visible = selectors.visible_projects(self.request.user)
        if not permissions.is_coordinator(self.request.user):
            # Reports are the partners' business: members of the project's centres only.
            centres = list(permissions.roles_of(self.request.user).centres)
            visible = visible.filter(partnerships__centre_id__in=centres)
        return (
            Report.objects.filter(project__in=visible.values("pk"))
            .select_related("project")
            .prefetch_related("costs", "attachments")
        )

    @extend_schema(
        request=s.ReportUpdateSerializer, responses={200: s.ReportSerializer, **REFUSALS}
    )
    def partial_update(self, request, pk=None):
        report = self.get_object()
        serializer = s.ReportUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.report_update(
            report_id=report.pk,
            actor=request.user,
            narrative=data.get("narrative"),
            indicators=data.get("indicators"),
            costs=data.get("costs"),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=report.pk)).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(
        request=s.TransitionInputSerializer, responses={200: s.ReportSerializer, **REFUSALS}
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def transitions(self, request, pk=None, name=None):
        report = self.get_object()
        data = transition_input(request)
        services.report_transition(
            report_id=report.pk, name=name, actor=request.user, comment=data["comment"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=report.pk)).data)

    @extend_schema(
        request={"multipart/form-data": s.ReportAttachmentUploadSerializer},
        responses={201: s.ReportAttachmentSerializer, **REFUSALS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="attachments",
        parser_classes=[MultiPartParser, FormParser],
    )
    def attachments(self, request, pk=None):
        """Attach a PDF or image (multipart `file`, optional `title`) while the report is a
        draft or returned: the lead centre's members."""
        report = self.get_object()
        serializer = s.ReportAttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = report_attachment_add(
            report_id=report.pk,
            actor=request.user,
            file=serializer.validated_data["file"],
            title=serializer.validated_data["title"],
        )
        return Response(
            s.ReportAttachmentSerializer(attachment, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={204: None, **REFUSALS})
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"attachments/(?P<attachment_id>[0-9]+)",
        url_name="attachment",
    )
    def attachment(self, request, pk=None, attachment_id=None):
        report = self.get_object()
        report_attachment_remove(
            report_id=report.pk, attachment_id=int(attachment_id), actor=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=FILE_RESPONSES)
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>[0-9]+)/file",
        url_name="attachment-file",
        content_negotiation_class=FileDownloadNegotiation,
    )
    def attachment_file(self, request, pk=None, attachment_id=None):
        report = self.get_object()
        attachment = get_object_or_404(
            ReportAttachment.objects.select_related("report__project").prefetch_related(
                "report__project__partnerships"
            ),
            report=report,
            pk=int(attachment_id),
        )
        return files.attachment_download(request.user, attachment)
