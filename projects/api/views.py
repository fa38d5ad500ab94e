"""The JSON API (PRODUCT.md §4). Views parse input and call services; nothing more."""

from functools import partial

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from cms.accounts.lockout import lockout_response
from cms.accounts.middleware import OTP_REQUIRED_CODE
from cms.accounts.two_factor import otp_verify, two_factor_required
from projects import files, selectors
from projects.api import serializers as s
from projects.api.authentication import token_for
from projects.api.parsers import SafeJSONParser
from projects.models import JointProject, Partnership, Report, ReportAttachment
from projects.services import (
    project_create,
    project_update,
    report_attachment_add,
    report_attachment_remove,
)
from workflow import permissions, services
from workflow.models import Notification, Review
from workflow.notifications import language_of
from workflow.selectors import call_ranking_rows, history_visible_to, ranking_rows
from workflow.states import ReviewState

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


class TokenView(APIView):
    """Exchange a username (or email) and password for an API token; coordinators and
    superusers also send `otp`, a code from their authenticator app or a recovery code.

    Refusals: 400 `non_field_errors` for wrong credentials, an unknown account or a wrong
    code alike; 400 `{"detail", "code": "otp_required"}` when the password is right but the
    account needs a code and none came; 429 when throttled (10 a minute per address) or locked
    out (5 failures for a username from one address: 15 minutes)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        request=s.TokenRequestSerializer,
        responses={
            200: s.TokenSerializer,
            400: REFUSALS[400],
            429: OpenApiResponse(description="Too many attempts: throttled or locked out."),
        },
    )
    def post(self, request):
        serializer = s.TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # django-axes counts failures on Django's request (DRF's wraps it).
        django_request = request._request
        user = authenticate(django_request, username=data["username"], password=data["password"])
        if getattr(django_request, "axes_locked_out", False):
            return lockout_response(django_request)
        if user is not None and two_factor_required(user):
            if not data.get("otp"):
                return Response(
                    {
                        "detail": gettext(
                            "This account also needs a two-factor code: send it as otp."
                        ),
                        "code": OTP_REQUIRED_CODE,
                    },
                    status=status.HTTP_400_BAD_REQUEST,
                )
            if otp_verify(user=user, token=data["otp"]) is None:
                # A wrong code counts towards the lockout, like a wrong password.
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": data["username"]},
                    request=django_request,
                )
                if getattr(django_request, "axes_locked_out", False):
                    return lockout_response(django_request)
                user = None
        if user is None:
            raise ValidationError(
                {"non_field_errors": [gettext("Unable to log in with provided credentials.")]},
                code="authorization",
            )
        return Response({"token": token_for(user).key})


class MeView(APIView):
    @extend_schema(responses=s.MeSerializer)
    def get(self, request):
        user = request.user
        roles = permissions.roles_of(user)
        memberships = user.memberships.select_related("centre").order_by("centre__name")
        data = {
            "id": user.pk,
            "username": user.username,
            "name": user.get_full_name(),
            "email": user.email,
            "language": language_of(user),
            "roles": [
                role
                for role, has in (
                    ("coordinator", roles.is_coordinator),
                    ("reviewer", roles.is_reviewer),
                )
                if has
            ],
            "memberships": [
                {"centre": m.centre_id, "centre_name": m.centre.name, "role": m.role}
                for m in memberships
            ],
        }
        return Response(s.MeSerializer(data).data)


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
