"""Joint projects: list, detail, create and edit, transitions, partnerships, reviews, reports."""

from functools import partial

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from projects import selectors
from projects.api import serializers as s
from projects.models import JointProject
from projects.services import (
    project_create,
    project_update,
)
from workflow import permissions, services
from workflow.models import Review
from workflow.selectors import history_visible_to
from workflow.states import ReviewState

from ._common import REFUSALS, IntegerIds, KnownCountPaginator, transition_input


def history_prefetch(user):
    """The project's timeline as `user` may see it (reviewers stay anonymous)."""
    return Prefetch(
        "history",
        queryset=history_visible_to(user)
        .select_related("actor", "content_type")
        .order_by("at", "id"),
    )


@extend_schema(
    parameters=[
        OpenApiParameter("state", str),
        OpenApiParameter("call", int),
        OpenApiParameter("q", str, description="Part of the title or acronym"),
    ]
)
class ProjectViewSet(
    IntegerIds,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Joint projects the user may see; create and edit proposals; run transitions."""

    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if (placeholder := self.schema_placeholder(JointProject)) is not None:
            return placeholder
        projects = self.narrow(selectors.visible_projects(self.request.user))
        if self.action == "list":
            # A row shows ids, not the related objects; its figures come in one query (list()).
            return projects.order_by("-created_at", "-id")
        projects = selectors.with_partners(projects)
        if self.action == "retrieve":
            projects = projects.prefetch_related(history_prefetch(self.request.user), "payments")
        return projects.order_by("-created_at", "-id")

    def narrow(self, projects):
        """The list's filters: state, call, part of the title or acronym."""
        params = self.request.query_params
        if state := params.get("state"):
            projects = projects.filter(state=state)
        if (call := params.get("call")) and call.isdigit():
            projects = projects.filter(call_id=call)
        if q := params.get("q"):
            projects = projects.filter(title__icontains=q) | projects.filter(acronym__icontains=q)
        return projects

    def list(self, request, *args, **kwargs):
        # The total is counted in parts PostgreSQL reads from indexes (selectors.count_visible).
        self.paginator.django_paginator_class = partial(
            KnownCountPaginator, count=lambda: selectors.count_visible(request.user, self.narrow)
        )
        # Rows as dicts and plain JSON building (s.project_list_rows): model instances and DRF's
        # per-field machinery cost more than the queries for a page of 50.
        page = self.paginate_queryset(self.get_queryset().values(*s.PROJECT_LIST_COLUMNS))
        figures = selectors.figures_by_project([row["id"] for row in page])
        return self.get_paginated_response(s.project_list_rows(page, figures))

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return s.ProjectWriteSerializer
        return s.ProjectDetailSerializer if self.action == "retrieve" else s.ProjectListSerializer

    def detail_response(self, pk, code=status.HTTP_200_OK):
        project = (
            self.get_queryset()
            .prefetch_related(history_prefetch(self.request.user), "payments")
            .get(pk=pk)
        )
        return Response(
            s.ProjectDetailSerializer(project, context=self.get_serializer_context()).data,
            status=code,
        )

    @extend_schema(
        request=s.ProjectWriteSerializer, responses={201: s.ProjectDetailSerializer, **REFUSALS}
    )
    def create(self, request):
        serializer = s.ProjectWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        project = project_create(
            actor=request.user, call=data.pop("call"), lead_centre=data.pop("lead_centre"), **data
        )
        return self.detail_response(project.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ProjectWriteSerializer, responses={200: s.ProjectDetailSerializer, **REFUSALS}
    )
    def partial_update(self, request, pk=None):
        project = self.get_object()
        serializer = s.ProjectWriteSerializer(project, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if {"call", "lead_centre"} & set(data):
            raise PermissionDenied("The call and the lead centre of a proposal do not change.")
        project_update(project_id=project.pk, actor=request.user, **data)
        return self.detail_response(project.pk)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(
        request=s.TransitionInputSerializer, responses={200: s.ProjectDetailSerializer, **REFUSALS}
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def transitions(self, request, pk=None, name=None):
        project_id = self.visible_pk(pk)
        services.project_transition(
            project_id=project_id, name=name, actor=request.user, **transition_input(request)
        )
        return self.detail_response(project_id)

    def visible_pk(self, pk):
        if (
            not str(pk).isdigit()
            or not selectors.visible_projects(self.request.user).filter(pk=pk).exists()
        ):
            raise NotFound("No such project.")
        return int(pk)

    @extend_schema(
        request=s.PartnershipCreateSerializer,
        responses={201: s.PartnershipDetailSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"], url_path="partnerships")
    def partnerships(self, request, pk=None):
        """Invite a centre (the lead) or ask to join with your own centre."""
        serializer = s.PartnershipCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        centre = serializer.validated_data["centre"]
        project_id = int(pk) if str(pk).isdigit() else 0
        project = get_object_or_404(
            selectors.visible_projects(request.user).select_related("lead_centre"), pk=project_id
        )
        if permissions.can_invite(request.user, project) and centre.pk != project.lead_centre_id:
            partnership = services.partnership_invite(
                project_id=project.pk, centre_id=centre.pk, actor=request.user
            )
        elif permissions.can_request_to_join(request.user, centre.pk):
            partnership = services.partnership_request(
                project_id=project.pk, centre_id=centre.pk, actor=request.user
            )
        else:
            raise PermissionDenied(
                "Invite as the lead centre, or ask to join for a centre you work for."
            )
        return Response(
            s.PartnershipDetailSerializer(partnership, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        methods=["get"],
        responses={200: s.ReviewSerializer(many=True), 403: REFUSALS[403], 404: REFUSALS[404]},
    )
    @extend_schema(
        methods=["post"],
        request=s.ReviewAssignSerializer,
        responses={201: s.ReviewSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["get", "post"], url_path="reviews")
    def reviews(self, request, pk=None):
        """Coordinators assign reviewers; a reviewer sees the others' reviews once theirs is in."""
        project_id = self.visible_pk(pk)
        if request.method == "POST":
            serializer = s.ReviewAssignSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            review = services.review_assign(
                project_id=project_id,
                reviewer=serializer.validated_data["reviewer"],
                due_date=serializer.validated_data.get("due_date"),
                actor=request.user,
            )
            return Response(
                s.ReviewSerializer(review, context=self.get_serializer_context()).data,
                status=status.HTTP_201_CREATED,
            )
        reviews = (
            Review.objects.filter(project_id=project_id)
            .select_related("reviewer", "project")
            .prefetch_related("scores")
            .order_by("assigned_at", "id")
        )
        if not permissions.is_coordinator(request.user):
            own_submitted = reviews.filter(
                reviewer=request.user, state=ReviewState.SUBMITTED
            ).exists()
            if not own_submitted:
                raise PermissionDenied("Other reviews are shown once you have submitted yours.")
            reviews = reviews.filter(state=ReviewState.SUBMITTED)
        # Paginated like every list, as the schema says.
        page = self.paginate_queryset(reviews)
        return self.get_paginated_response(
            s.ReviewSerializer(page, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(
        request=s.ReportCreateSerializer, responses={201: s.ReportSerializer, **REFUSALS}
    )
    @action(detail=True, methods=["post"], url_path="reports")
    def reports(self, request, pk=None):
        project_id = self.visible_pk(pk)
        serializer = s.ReportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.report_create(
            project_id=project_id, actor=request.user, kind=serializer.validated_data["kind"]
        )
        return Response(
            s.ReportSerializer(report, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )
