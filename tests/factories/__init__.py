"""factory-boy factories for the domain. Defaults make a valid, minimal object."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from projects.models import (
    AwardCriterion,
    BudgetCategory,
    BudgetLine,
    Call,
    CallTier,
    Centre,
    JointProject,
    Membership,
    MembershipRole,
    Network,
    NetworkKind,
    Partnership,
    PartnershipRole,
    Payment,
    PaymentKind,
)
from workflow.states import PartnershipState


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("correct-horse-battery")


def coordinator(**kwargs):
    """A secretariat member: group Coordinators, with the permissions seed_demo gives it."""
    from projects.demo.seed import ensure_groups

    group = ensure_groups()
    user = UserFactory(**kwargs)
    user.groups.add(group)
    return user


def reviewer(**kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get_or_create(name="Reviewers")[0])
    return user


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network

    name = factory.Sequence(lambda n: f"Réseau culturel {n}")
    slug = factory.Sequence(lambda n: f"network-{n}")
    kind = NetworkKind.NATIONAL
    country = "FR"


class CentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Centre

    name = factory.Sequence(lambda n: f"Maison de la culture {n}")
    slug = factory.Sequence(lambda n: f"centre-{n}")
    network = factory.SubFactory(NetworkFactory)
    country = factory.LazyAttribute(lambda centre: centre.network.country or "FR")
    city = "Lyon"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    centre = factory.SubFactory(CentreFactory)
    user = factory.SubFactory(UserFactory)
    role = MembershipRole.MANAGER


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    network = factory.SubFactory(NetworkFactory, kind=NetworkKind.INTERNATIONAL, country="")
    title = factory.Sequence(lambda n: f"Joint Projects {2027 + n}")
    slug = factory.Sequence(lambda n: f"call-{n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    budget = Decimal("1000000.00")
    min_partners = 3
    min_countries = 2
    max_grant = Decimal("100000.00")
    max_cofinancing_rate = Decimal("0.8000")
    max_duration_months = 24
    prefinancing_rate = Decimal("0.6000")
    min_reviews = 2


class CallTierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallTier

    call = factory.SubFactory(CallFactory)
    name = factory.Sequence(lambda n: f"Tier {n}")
    min_partners = 3
    min_countries = 2
    max_grant = Decimal("50000.00")
    max_cofinancing_rate = Decimal("0.8000")
    max_duration_months = 24


class AwardCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardCriterion

    call = factory.SubFactory(CallFactory)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    max_score = 10
    threshold = 5


class JointProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JointProject
        skip_postgeneration_save = True

    call = factory.SubFactory(CallFactory)
    lead_centre = factory.SubFactory(CentreFactory)
    title = factory.Sequence(lambda n: f"Shared Stages {n}")
    acronym = factory.Sequence(lambda n: f"SHS{n}")
    slug = factory.Sequence(lambda n: f"shared-stages-{n}")
    summary = "Three centres share their stages."
    start_date = factory.LazyFunction(lambda: timezone.now().date() + timedelta(days=90))
    end_date = factory.LazyAttribute(lambda project: project.start_date + timedelta(days=365))

    @factory.post_generation
    def with_lead(project, create, extracted, **kwargs):
        """The lead partnership exists from the start, as the workflow creates it."""
        if create and extracted is not False:
            PartnershipFactory(
                project=project,
                centre=project.lead_centre,
                role=PartnershipRole.LEAD,
                state=PartnershipState.CONFIRMED,
            )


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    project = factory.SubFactory(JointProjectFactory)
    centre = factory.SubFactory(CentreFactory)
    role = PartnershipRole.PARTNER
    state = PartnershipState.CONFIRMED


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    partnership = factory.SubFactory(PartnershipFactory)
    category = BudgetCategory.STAFF
    amount = Decimal("10000.00")


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    project = factory.SubFactory(JointProjectFactory)
    kind = PaymentKind.PREFINANCING
    amount = Decimal("6000.00")
    due_date = factory.LazyFunction(lambda: timezone.now().date())


def grant_permissions(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
