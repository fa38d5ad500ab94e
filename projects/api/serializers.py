"""JSON shapes of PRODUCT.md §4 (snake_case, integer ids, money as decimal strings)."""

import copy
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from django_countries import countries
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
    ReportAttachment,
    ReportKind,
)
from projects.uploads import can_read_private_files, validate_attachment, validate_mandate
from workflow import services
from workflow.models import Notification, Review, TransitionLog

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0")}

# Bounds of free-form input: far above what a real proposal or report holds, far below what
# would strain the database or the server (each is tested in tests/projects/api/test_bad_input.py).
MAX_COUNT = 10_000_000  # people, events, audience per country
MAX_ITEMS = 200  # entries of any list: costs, scores, budget lines, outputs
MAX_TEXT = 20_000  # characters of a long text the model leaves unbounded
MAX_ID = 2**63 - 1  # ids are BigAutoField


def refuse_duplicates(entries, key, message):
    """A list naming the same object twice is ambiguous (and breaks unique constraints)."""
    seen, twice = set(), []
    for entry in entries:
        if entry[key] in seen and entry[key] not in twice:
            twice.append(entry[key])
        seen.add(entry[key])
    if twice:
        raise serializers.ValidationError(
            [message % {"id": ", ".join(str(value) for value in twice[:10])}]
        )
    return entries


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


class BuiltOnce:
    """ModelSerializer builds its fields from the model (validators, labels, kwargs) each time
    it is instantiated: ≈ 1/4 of the API project detail's time, for four nested serializers.
    Build them once per class and hand each instance a copy, as DRF does with declared fields
    (Field.__deepcopy__ re-creates a field from its arguments); the copies are bound to the
    instance as usual, so context and request stay per request."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built
        return copy.deepcopy(built)


class PartnershipSerializer(BuiltOnce, serializers.ModelSerializer):
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
    mandate_file_url = serializers.SerializerMethodField()

    class Meta(PartnershipSerializer.Meta):
        fields = [*PartnershipSerializer.Meta.fields, "budget_lines", "mandate_file_url"]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_mandate_file_url(self, partnership):
        """Where the signed PDF downloads, for those who may read it; null otherwise."""
        request = self.context.get("request")
        if not partnership.mandate_file or request is None:
            return None
        if not can_read_private_files(request.user, partnership.project):
            return None
        return request.build_absolute_uri(
            reverse("api:partnership-mandate-file", kwargs={"pk": partnership.pk})
        )


class HistorySerializer(BuiltOnce, serializers.ModelSerializer):
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


class PaymentSerializer(BuiltOnce, serializers.ModelSerializer):
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


class FromFigures:
    """Read a derived figure from `project.figures` when a list attached them in one query
    (projects.selectors.project_figures), else from the model's property."""

    def get_attribute(self, instance):
        figures = getattr(instance, "figures", None)
        if figures is not None:
            return getattr(figures, self.source)
        return super().get_attribute(instance)


class FigureListField(FromFigures, serializers.ListField):
    pass


class FigureDecimalField(FromFigures, serializers.DecimalField):
    pass


class ProjectListSerializer(serializers.ModelSerializer):
    countries = FigureListField(child=serializers.CharField(), read_only=True)
    total_cost = FigureDecimalField(max_digits=14, decimal_places=2, read_only=True)
    requested_grant = FigureDecimalField(max_digits=14, decimal_places=2, read_only=True)
    cofinancing_rate = FigureDecimalField(
        max_digits=6, decimal_places=4, read_only=True, allow_null=True
    )

    class Meta:
        model = JointProject
        fields = PROJECT_FIELDS


# The list's rows, read with values() (no model instances); the JSON is what
# ProjectListSerializer would give (tests/projects/api/test_project_list.py compares them), built
# without DRF's per-field machinery: for 50 rows that machinery cost more than the queries.
PROJECT_LIST_COLUMNS = [
    "id",
    "state",
    "call_id",
    "tier_id",
    "lead_centre_id",
    "title",
    "acronym",
    "summary",
    "start_date",
    "end_date",
    "awarded_amount",
]
_money = serializers.DecimalField(max_digits=14, decimal_places=2).to_representation
_rate = serializers.DecimalField(max_digits=6, decimal_places=4).to_representation
_date = serializers.DateField().to_representation


def project_list_rows(rows, figures):
    """ProjectListSerializer(many=True).data for `rows` (dicts of PROJECT_LIST_COLUMNS) and
    their `figures` ({project id: selectors.ProjectFigures})."""
    data = []
    for row in rows:
        figure = figures[row["id"]]
        rate = figure.cofinancing_rate
        awarded = row["awarded_amount"]
        data.append(
            {
                "id": row["id"],
                "state": row["state"],
                "call": row["call_id"],
                "tier": row["tier_id"],
                "lead_centre": row["lead_centre_id"],
                "title": row["title"],
                "acronym": row["acronym"],
                "summary": row["summary"],
                "start_date": _date(row["start_date"]),
                "end_date": _date(row["end_date"]),
                "countries": list(figure.countries),
                "total_cost": _money(figure.total_cost),
                "requested_grant": _money(figure.requested_grant),
                "cofinancing_rate": None if rate is None else _rate(rate),
                "awarded_amount": None if awarded is None else _money(awarded),
            }
        )
    return data


class ProjectDetailSerializer(BuiltOnce, ProjectListSerializer):
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
            "description": {"max_length": MAX_TEXT},
            "sought_partner_profile": {"max_length": MAX_TEXT},
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
    # No min_value: a negative amount fails the "awarded_amount" condition (422, with its code).
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
    # Checked by content (a readable PDF, at most 10 MB): projects/uploads.py.
    file = serializers.FileField(required=False, allow_null=True, validators=[validate_mandate])


class BudgetSerializer(serializers.Serializer):
    lines = BudgetLineSerializer(many=True, max_length=MAX_ITEMS)
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

    criterion = serializers.IntegerField(source="criterion_id", min_value=1, max_value=MAX_ID)
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
    scores = ScoreSerializer(many=True, required=False, max_length=MAX_ITEMS)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=10000)

    def validate_scores(self, scores):
        return refuse_duplicates(
            scores, "criterion", _("Criterion %(id)s is scored twice: score each criterion once.")
        )


class ReportCostSerializer(serializers.Serializer):
    """A partner's actual costs in and out: the partnership by id."""

    partnership = serializers.IntegerField(source="partnership_id", min_value=1, max_value=MAX_ID)
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
    url = serializers.URLField(required=False, allow_blank=True, max_length=2000)


COUNTRY_NAMES = dict(countries)


class AudienceField(serializers.DictField):
    """Audience per country: ISO 3166-1 codes (any case) to counts."""

    child = serializers.IntegerField(min_value=0, max_value=MAX_COUNT)

    def to_internal_value(self, data):
        # Keys are checked before the values, so errors never echo thousands of bad keys.
        if isinstance(data, dict):
            if len(data) > len(COUNTRY_NAMES):
                raise serializers.ValidationError(_("One entry per country at most."))
            unknown = [str(code)[:10] for code in data if str(code).upper() not in COUNTRY_NAMES]
            if unknown:
                raise serializers.ValidationError(
                    _("Not ISO 3166-1 country codes: %(codes)s.")
                    % {"codes": ", ".join(unknown[:10])}
                )
            if len({str(code).upper() for code in data}) < len(data):
                raise serializers.ValidationError(_("A country is listed twice."))
        value = super().to_internal_value(data)
        return {code.upper(): count for code, count in value.items()}


class IndicatorsSerializer(serializers.Serializer):
    events = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, required=False)
    audience = AudienceField(required=False)
    artists = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, required=False)
    participants = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, required=False)
    travellers = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, required=False)
    volunteers = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, required=False)
    outputs = OutputSerializer(many=True, required=False, max_length=MAX_ITEMS)


class ReportAttachmentSerializer(serializers.ModelSerializer):
    """An attachment as listed in its report: what it is and where it downloads."""

    name = serializers.CharField(source="filename", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportAttachment
        fields = ["id", "title", "name", "size", "content_type", "uploaded_at", "download_url"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_download_url(self, attachment):
        url = reverse(
            "api:report-attachment-file",
            kwargs={"pk": attachment.report_id, "attachment_id": attachment.pk},
        )
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class ReportAttachmentUploadSerializer(serializers.Serializer):
    # Checked by content (PDF, JPEG, PNG or WebP, at most 10 MB): projects/uploads.py.
    file = serializers.FileField(validators=[validate_attachment])
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class ReportSerializer(serializers.ModelSerializer):
    costs = ReportCostSerializer(many=True, read_only=True)
    attachments = ReportAttachmentSerializer(many=True, read_only=True)
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
            "attachments",
            "submitted_at",
            "decided_at",
            "available_transitions",
        ]


class ReportCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)


class ReportUpdateSerializer(serializers.Serializer):
    narrative = serializers.CharField(required=False, allow_blank=True, max_length=50000)
    indicators = IndicatorsSerializer(required=False)
    costs = ReportCostSerializer(many=True, required=False, max_length=MAX_ITEMS)

    def validate_costs(self, costs):
        return refuse_duplicates(
            costs,
            "partnership",
            _("Partnership %(id)s is listed twice: give each partner's costs once."),
        )


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "event", "project", "subject", "body", "url", "created_at", "read_at"]


class RankingRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(help_text="1 for the best proposal of the call.")
    project = serializers.IntegerField()
    title = serializers.CharField()
    acronym = serializers.CharField()
    state = serializers.CharField()
    reviews = serializers.IntegerField()
    mean_score = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    above_threshold = serializers.BooleanField()
    requested_grant = serializers.DecimalField(max_digits=14, decimal_places=2)
    cumulative_requested = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        help_text="Requested grants of this proposal and of every better one, on any page.",
    )
    within_budget = serializers.BooleanField()
    awarded_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class RankingSerializer(serializers.Serializer):
    """One page of a call's ranking, in the API's list envelope, with the call's figures."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    call = serializers.IntegerField()
    budget = serializers.DecimalField(max_digits=16, decimal_places=2)
    overall_threshold = serializers.DecimalField(max_digits=6, decimal_places=2)
    results = RankingRowSerializer(many=True)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Coordinators and superusers: a code from the authenticator app, or a "
        "recovery code.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ConditionErrorsSerializer(serializers.Serializer):
    errors = ErrorSerializer(many=True)
