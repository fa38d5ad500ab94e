"""Partnerships: transitions, the mandate (and its file), the budget, the grant agreement."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from projects import files, selectors
from projects.api import serializers as s
from projects.api.parsers import SafeJSONParser
from projects.models import Partnership
from workflow import services

from ._common import FILE_RESPONSES, REFUSALS, FileDownloadNegotiation, IntegerIds, transition_input


class PartnershipViewSet(IntegerIds, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A centre's place in a project: answers, mandate, budget, grant agreement."""

    serializer_class = s.PartnershipDetailSerializer

    def get_queryset(self):
        if (placeholder := self.schema_placeholder(Partnership)) is not None:
            return placeholder
        visible = selectors.visible_projects(self.request.user)
        return (
            Partnership.objects.filter(project__in=visible)
            .select_related("centre", "project", "project__lead_centre")
            .prefetch_related("budget_lines")
        )

    def respond(self, partnership_id):
        partnership = self.get_queryset().get(pk=partnership_id)
        return Response(self.get_serializer(partnership).data)

    def visible_pk(self, pk):
        if not str(pk).isdigit() or not self.get_queryset().filter(pk=pk).exists():
            raise NotFound("No such partnership.")
        return int(pk)

    @extend_schema(
        request=s.TransitionInputSerializer,
        responses={200: s.PartnershipDetailSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def transitions(self, request, pk=None, name=None):
        partnership_id = self.visible_pk(pk)
        data = transition_input(request)
        services.partnership_transition(
            partnership_id=partnership_id, name=name, actor=request.user, comment=data["comment"]
        )
        return self.respond(partnership_id)

    @extend_schema(
        request=s.MandateSerializer, responses={200: s.PartnershipDetailSerializer, **REFUSALS}
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[SafeJSONParser, MultiPartParser, FormParser],
    )
    def mandate(self, request, pk=None):
        partnership_id = self.visible_pk(pk)
        serializer = s.MandateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.partnership_sign_mandate(
            partnership_id=partnership_id,
            actor=request.user,
            declaration=serializer.validated_data["declaration"],
            file=serializer.validated_data.get("file"),
        )
        return self.respond(partnership_id)

    @extend_schema(request=None, responses=FILE_RESPONSES)
    @action(
        detail=True,
        methods=["get"],
        url_path="mandate/file",
        url_name="mandate-file",
        content_negotiation_class=FileDownloadNegotiation,
    )
    def mandate_file(self, request, pk=None):
        """The signed PDF: the project's centres' members and coordinators (else 404)."""
        partnership = get_object_or_404(
            self.get_queryset().prefetch_related("project__partnerships"),
            pk=int(pk) if str(pk).isdigit() else 0,
        )
        return files.mandate_download(request.user, partnership)

    @extend_schema(
        request=s.BudgetSerializer, responses={200: s.PartnershipDetailSerializer, **REFUSALS}
    )
    @action(detail=True, methods=["put"])
    def budget(self, request, pk=None):
        partnership_id = self.visible_pk(pk)
        serializer = s.BudgetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.partnership_set_budget(
            partnership_id=partnership_id,
            actor=request.user,
            lines=serializer.validated_data["lines"],
            own_contribution=serializer.validated_data["own_contribution"],
        )
        return self.respond(partnership_id)

    @extend_schema(
        request=s.AgreementSerializer, responses={200: s.PartnershipDetailSerializer, **REFUSALS}
    )
    @action(detail=True, methods=["post"])
    def agreement(self, request, pk=None):
        partnership_id = self.visible_pk(pk)
        serializer = s.AgreementSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not serializer.validated_data["accept"]:
            raise s.serializers.ValidationError(
                {"accept": "Send true to accept the grant agreement."}
            )
        services.partnership_accept_agreement(partnership_id=partnership_id, actor=request.user)
        return self.respond(partnership_id)
