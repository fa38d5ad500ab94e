"""The JSON API (PRODUCT.md §4). Views parse input and call services; nothing more."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from projects import selectors
from projects.api import serializers as s
from projects.models import JointProject, Partnership, Report
from projects.services import project_create, project_update
from workflow import permissions, services
from workflow.models import Notification, Review
from workflow.notifications import language_of
from workflow.selectors import call_ranking, history_visible_to
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
    """Exchange a username (or email) and password for an API token."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=s.TokenRequestSerializer, responses={200: s.TokenSerializer, 400: REFUSALS[400]}
    )
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


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

    @extend_schema(responses={200: s.RankingSerializer, 403: REFUSALS[403], 404: REFUSALS[404]})
    @action(detail=True, methods=["get"], permission_classes=[], url_path="ranking")
    def ranking(self, request, pk=None):
        """Coordinators: the call's proposals ranked by mean weighted score, with the budget."""
        call = self.get_object()
        if not permissions.is_coordinator(request.user):
            raise PermissionDenied("Only coordinators see the ranking.")
        return Response(
            s.RankingSerializer(
                {
                    "call": call.pk,
                    "budget": call.budget,
                    "overall_threshold": call.overall_threshold,
                    "results": call_ranking(call),
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
        projects = selectors.with_partners(selectors.visible_projects(self.request.user))
        params = self.request.query_params
        if state := params.get("state"):
            projects = projects.filter(state=state)
        if (call := params.get("call")) and call.isdigit():
            projects = projects.filter(call_id=call)
        if q := params.get("q"):
            projects = projects.filter(title__icontains=q) | projects.filter(acronym__icontains=q)
        if self.action == "retrieve":
            projects = projects.prefetch_related(history_prefetch(self.request.user), "payments")
        return projects.order_by("-created_at", "-id")

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
        )
        if not permissions.is_coordinator(request.user):
            own_submitted = reviews.filter(
                reviewer=request.user, state=ReviewState.SUBMITTED
            ).exists()
            if not own_submitted:
                raise PermissionDenied("Other reviews are shown once you have submitted yours.")
            reviews = reviews.filter(state=ReviewState.SUBMITTED)
        return Response(
            s.ReviewSerializer(reviews, many=True, context=self.get_serializer_context()).data
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
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
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
    http_method_names = ["get", "post", "patch", "head", "options"]

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
            .prefetch_related("costs")
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
