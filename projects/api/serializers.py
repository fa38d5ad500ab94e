"""JSON shapes of PRODUCT.md §4 (snake_case, integer ids, money as decimal strings)."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.models import (
    AwardCriterion,
    BudgetCategory,
    BudgetLine,
    Call,
    CallTier,
    Centre,
    JointProject,
    Partnership,
    Payment,
    Report,
    ReportKind,
)
from workflow import services
from workflow.models import Notification, Review, TransitionLog

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0")}


@extend_schema_field(serializers.ListField(child=serializers.CharField()))
class AvailableTransitions(serializers.Field):
    """The transitions the requesting user may run on the object now."""

    def __init__(self, available, **kwargs):
        self.available = available
        super().__init__(read_only=True, source="*", **kwargs)

    def to_representation(self, obj):
        return self.available(obj, self.context["request"].user)


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = CallTier
        fields = [
            "id",
            "name",
            "min_partners",
            "min_countries",
            "max_grant",
            "max_cofinancing_rate",
            "max_duration_months",
        ]


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AwardCriterion
        fields = ["id", "name", "description", "max_score", "threshold", "weight"]


class CallSerializer(serializers.ModelSerializer):
    tiers = TierSerializer(many=True, read_only=True)
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = Call
        fields = [
            "id",
            "title",
            "kind",
            "summary",
            "opens_at",
            "deadline",
            "budget",
            "min_partners",
            "min_countries",
            "max_grant",
            "max_cofinancing_rate",
            "max_duration_months",
            "prefinancing_rate",
            "min_reviews",
            "overall_threshold",
            "tiers",
            "criteria",
        ]


class CentreSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code")
    country_name = serializers.CharField(source="country.name")
    network = serializers.CharField(source="network.name")

    class Meta:
        model = Centre
        fields = [
            "id",
            "name",
            "country",
            "country_name",
            "city",
            "latitude",
            "longitude",
            "network",
            "membership_kind",
            "has_label",
            "website",
            "description",
        ]


class MembershipOutSerializer(serializers.Serializer):
    centre = serializers.IntegerField()
    centre_name = serializers.CharField()
    role = serializers.CharField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    email = serializers.EmailField()
    language = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    memberships = MembershipOutSerializer(many=True)


class BudgetLineSerializer(serializers.ModelSerializer):
    category = serializers.ChoiceField(choices=BudgetCategory.choices)
    description = serializers.CharField(
        max_length=300, allow_blank=True, required=False, default=""
    )
    amount = serializers.DecimalField(**MONEY)

    class Meta:
        model = BudgetLine
        fields = ["category", "description", "amount"]


class PartnershipSerializer(serializers.ModelSerializer):
    centre_name = serializers.CharField(source="centre.name", read_only=True)
    country = serializers.CharField(source="centre.country.code", read_only=True)
    total_cost = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    requested_grant = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    mandate_signed = serializers.BooleanField(read_only=True)
    agreement_accepted = serializers.BooleanField(read_only=True)
    available_transitions = AvailableTransitions(
        lambda obj, user: services.partnership_available_transitions(partnership=obj, user=user)
    )

    class Meta:
        model = Partnership
        fields = [
            "id",
            "project",
            "centre",
            "centre_name",
            "country",
            "role",
            "state",
            "mandate_signed",
            "mandate_signed_at",
            "agreement_accepted",
            "agreement_accepted_at",
            "own_contribution",
            "total_cost",
            "requested_grant",
            "available_transitions",
        ]


class PartnershipDetailSerializer(PartnershipSerializer):
    budget_lines = BudgetLineSerializer(many=True, read_only=True)

    class Meta(PartnershipSerializer.Meta):
        fields = [*PartnershipSerializer.Meta.fields, "budget_lines"]


class HistorySerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    object = serializers.CharField(source="content_type.model", read_only=True)

    class Meta:
        model = TransitionLog
        fields = [
            "id",
            "object",
            "object_id",
            "transition",
            "from_state",
            "to_state",
            "actor",
            "at",
            "comment",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, log):
        return log.actor.username if log.actor_id else None


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["id", "kind", "amount", "due_date", "paid_at"]


PROJECT_FIELDS = [
    "id",
    "state",
    "call",
    "tier",
    "lead_centre",
    "title",
    "acronym",
    "summary",
    "start_date",
    "end_date",
    "countries",
    "total_cost",
    "requested_grant",
    "cofinancing_rate",
    "awarded_amount",
]


class ProjectListSerializer(serializers.ModelSerializer):
    countries = serializers.ListField(child=serializers.CharField(), read_only=True)
    total_cost = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    requested_grant = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    cofinancing_rate = serializers.DecimalField(
        max_digits=6, decimal_places=4, read_only=True, allow_null=True
    )

    class Meta:
        model = JointProject
        fields = PROJECT_FIELDS


class ProjectDetailSerializer(ProjectListSerializer):
    partnerships = PartnershipSerializer(many=True, read_only=True)
    available_transitions = AvailableTransitions(
        lambda obj, user: services.project_available_transitions(project=obj, user=user)
    )
    history = HistorySerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)

    class Meta(ProjectListSerializer.Meta):
        fields = [
            *PROJECT_FIELDS,
            "description",
            "sought_partner_profile",
            "resubmission_date",
            "final_grant",
            "partnerships",
            "available_transitions",
            "history",
            "payments",
        ]


class ProjectWriteSerializer(serializers.ModelSerializer):
    """Create (call, tier, lead_centre, content) or edit (content) a proposal."""

    class Meta:
        model = JointProject
        fields = [
            "call",
            "tier",
            "lead_centre",
            "title",
            "acronym",
            "summary",
            "description",
            "start_date",
            "end_date",
            "sought_partner_profile",
        ]
        extra_kwargs = {
            "title": {"required": True, "allow_blank": False},
            "summary": {"required": False},
            "tier": {"required": False},
        }

    def validate(self, data):
        call = data.get("call") or getattr(self.instance, "call", None)
        tier = data.get("tier", getattr(self.instance, "tier", None))
        if tier is not None and call is not None and tier.call_id != call.pk:
            raise serializers.ValidationError({"tier": "This tier belongs to another call."})
        start = data.get("start_date", getattr(self.instance, "start_date", None))
        end = data.get("end_date", getattr(self.instance, "end_date", None))
        if start and end and end < start:
            raise serializers.ValidationError(
                {"end_date": "The project cannot end before it starts."}
            )
        return data


class TransitionInputSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    awarded_amount = serializers.DecimalField(
        required=False, allow_null=True, default=None, max_digits=14, decimal_places=2
    )
    override_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default=""
    )
    resubmission_date = serializers.DateTimeField(required=False, allow_null=True, default=None)


class PartnershipCreateSerializer(serializers.Serializer):
    centre = serializers.PrimaryKeyRelatedField(queryset=Centre.objects.all())


class MandateSerializer(serializers.Serializer):
    declaration = serializers.BooleanField()
    file = serializers.FileField(required=False, allow_null=True)


class BudgetSerializer(serializers.Serializer):
    lines = BudgetLineSerializer(many=True)
    own_contribution = serializers.DecimalField(**MONEY)


class AgreementSerializer(serializers.Serializer):
    accept = serializers.BooleanField()


class ReviewAssignSerializer(serializers.Serializer):
    reviewer = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True)
    )
    due_date = serializers.DateField(required=False, allow_null=True)


class ScoreSerializer(serializers.Serializer):
    """A score in and out: the criterion by id."""

    criterion = serializers.IntegerField(source="criterion_id")
    score = serializers.IntegerField(min_value=0, max_value=1000)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        value["criterion"] = value.pop("criterion_id")  # the services' shape
        return value


class ReviewSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username", read_only=True)
    scores = ScoreSerializer(many=True, read_only=True)
    project_title = serializers.CharField(source="project.title", read_only=True)
    available_transitions = AvailableTransitions(
        lambda obj, user: services.review_available_transitions(review=obj, user=user)
    )

    class Meta:
        model = Review
        fields = [
            "id",
            "project",
            "project_title",
            "reviewer",
            "state",
            "due_date",
            "scores",
            "comment",
            "conflict_declared",
            "submitted_at",
            "available_transitions",
        ]


class ReviewUpdateSerializer(serializers.Serializer):
    scores = ScoreSerializer(many=True, required=False)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class ReportCostSerializer(serializers.Serializer):
    """A partner's actual costs in and out: the partnership by id."""

    partnership = serializers.IntegerField(source="partnership_id")
    amount = serializers.DecimalField(**MONEY)
    accepted_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, allow_null=True
    )

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        value["partnership"] = value.pop("partnership_id")  # the services' shape
        return value


class OutputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    url = serializers.URLField(required=False, allow_blank=True)


class IndicatorsSerializer(serializers.Serializer):
    events = serializers.IntegerField(min_value=0, required=False)
    audience = serializers.DictField(child=serializers.IntegerField(min_value=0), required=False)
    artists = serializers.IntegerField(min_value=0, required=False)
    participants = serializers.IntegerField(min_value=0, required=False)
    travellers = serializers.IntegerField(min_value=0, required=False)
    volunteers = serializers.IntegerField(min_value=0, required=False)
    outputs = OutputSerializer(many=True, required=False)

    def validate_audience(self, value):
        from django_countries import countries

        unknown = [code for code in value if code.upper() not in dict(countries)]
        if unknown:
            raise serializers.ValidationError(f"Not ISO country codes: {unknown}")
        return {code.upper(): count for code, count in value.items()}


class ReportSerializer(serializers.ModelSerializer):
    costs = ReportCostSerializer(many=True, read_only=True)
    available_transitions = AvailableTransitions(
        lambda obj, user: services.report_available_transitions(report=obj, user=user)
    )

    class Meta:
        model = Report
        fields = [
            "id",
            "project",
            "kind",
            "state",
            "narrative",
            "indicators",
            "costs",
            "submitted_at",
            "decided_at",
            "available_transitions",
        ]


class ReportCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)


class ReportUpdateSerializer(serializers.Serializer):
    narrative = serializers.CharField(required=False, allow_blank=True, max_length=50000)
    indicators = IndicatorsSerializer(required=False)
    costs = ReportCostSerializer(many=True, required=False)


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "event", "project", "subject", "body", "url", "created_at", "read_at"]


class RankingRowSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    title = serializers.CharField()
    acronym = serializers.CharField()
    state = serializers.CharField()
    reviews = serializers.IntegerField()
    mean_score = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    above_threshold = serializers.BooleanField()
    requested_grant = serializers.DecimalField(max_digits=14, decimal_places=2)
    cumulative_requested = serializers.DecimalField(max_digits=16, decimal_places=2)
    within_budget = serializers.BooleanField()
    awarded_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class RankingSerializer(serializers.Serializer):
    call = serializers.IntegerField()
    budget = serializers.DecimalField(max_digits=16, decimal_places=2)
    overall_threshold = serializers.DecimalField(max_digits=6, decimal_places=2)
    results = RankingRowSerializer(many=True)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ConditionErrorsSerializer(serializers.Serializer):
    errors = ErrorSerializer(many=True)
