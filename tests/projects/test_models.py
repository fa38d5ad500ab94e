"""Domain constraints: bad input gets a clear ValidationError and nothing is saved."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import override

from projects.models import (
    BudgetLine,
    Call,
    Centre,
    JointProject,
    Membership,
    Network,
    NetworkKind,
    Partnership,
    PartnershipRole,
    Payment,
    PaymentKind,
)
from tests.factories import (
    AwardCriterionFactory,
    BudgetLineFactory,
    CallFactory,
    CallTierFactory,
    CentreFactory,
    JointProjectFactory,
    MembershipFactory,
    NetworkFactory,
    PartnershipFactory,
    PaymentFactory,
)
from workflow.states import PartnershipState, ProjectState

pytestmark = pytest.mark.django_db


def messages_of(error):
    return [message for messages in error.message_dict.values() for message in messages]


def test_a_centre_takes_part_in_a_project_at_most_once():
    project = JointProjectFactory()
    partner = PartnershipFactory(project=project)
    duplicate = Partnership(project=project, centre=partner.centre)
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "This centre already takes part in this project." in messages_of(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    assert project.partnerships.count() == 2


def test_a_project_has_one_lead():
    project = JointProjectFactory()  # with its lead partnership
    second_lead = Partnership(
        project=project,
        centre=CentreFactory(),
        role=PartnershipRole.LEAD,
        state=PartnershipState.CONFIRMED,
    )
    with pytest.raises(ValidationError) as error:
        second_lead.full_clean()
    assert "A project has exactly one lead centre." in messages_of(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        second_lead.save()
    assert project.partnerships.filter(role=PartnershipRole.LEAD).count() == 1


def test_the_lead_partnership_is_always_confirmed():
    project = JointProjectFactory(with_lead=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.create(
            project=project,
            centre=project.lead_centre,
            role=PartnershipRole.LEAD,
            state=PartnershipState.INVITED,
        )
    assert not project.partnerships.exists()


NEGATIVE = Decimal("-0.01")


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (
            lambda: BudgetLineFactory.build(partnership=PartnershipFactory(), amount=NEGATIVE),
            "amount",
        ),
        (lambda: PaymentFactory.build(project=JointProjectFactory(), amount=NEGATIVE), "amount"),
        (
            lambda: PartnershipFactory.build(
                project=JointProjectFactory(), centre=CentreFactory(), own_contribution=NEGATIVE
            ),
            "own_contribution",
        ),
        (
            lambda: CallFactory.build(
                network=NetworkFactory(kind=NetworkKind.INTERNATIONAL, country=""), budget=NEGATIVE
            ),
            "budget",
        ),
    ],
    ids=["budget line", "payment", "own contribution", "call budget"],
)
def test_amounts_cannot_be_negative(build, field):
    obj = build()
    model = type(obj)
    before = model.objects.count()
    with pytest.raises(ValidationError) as error:
        obj.full_clean()
    assert error.value.message_dict[field] == ["This amount cannot be negative."]
    # The database refuses it too, whatever path the value takes.
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()
    assert model.objects.count() == before


@pytest.mark.parametrize("field", ["max_cofinancing_rate", "prefinancing_rate"])
@pytest.mark.parametrize("value", [Decimal("-0.1"), Decimal("1.01")])
def test_call_rates_lie_within_zero_and_one(field, value):
    call = CallFactory()
    setattr(call, field, value)
    with pytest.raises(ValidationError) as error:
        call.full_clean()
    assert field in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        call.save()
    call.refresh_from_db()
    assert Decimal(0) <= getattr(call, field) <= Decimal(1)


def test_a_tier_rate_lies_within_zero_and_one():
    tier = CallTierFactory.build(call=CallFactory(), max_cofinancing_rate=Decimal("1.5"))
    with pytest.raises(ValidationError) as error:
        tier.full_clean()
    assert "max_cofinancing_rate" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        tier.save()


def test_boundary_rates_are_accepted():
    call = CallFactory(max_cofinancing_rate=Decimal("1"), prefinancing_rate=Decimal("0"))
    call.full_clean()
    assert Call.objects.filter(pk=call.pk).exists()


def test_the_deadline_comes_after_the_opening():
    call = CallFactory.build(
        network=NetworkFactory(kind=NetworkKind.INTERNATIONAL, country=""),
        opens_at=timezone.now(),
        deadline=timezone.now() - timedelta(days=1),
    )
    with pytest.raises(ValidationError) as error:
        call.full_clean()
    assert "The deadline must come after the opening." in messages_of(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        call.save()
    assert not Call.objects.exists()


def test_a_criterion_threshold_cannot_exceed_its_maximum():
    criterion = AwardCriterionFactory.build(call=CallFactory(), max_score=10, threshold=11)
    with pytest.raises(ValidationError) as error:
        criterion.full_clean()
    assert error.value.message_dict["threshold"] == [
        "The threshold cannot exceed the maximum score."
    ]


def test_a_project_cannot_end_before_it_starts():
    project = JointProjectFactory.build(
        call=CallFactory(),
        lead_centre=CentreFactory(),
        start_date=timezone.now().date(),
        end_date=timezone.now().date() - timedelta(days=1),
    )
    with pytest.raises(ValidationError) as error:
        project.full_clean()
    assert "The project cannot end before it starts." in messages_of(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        project.save()
    assert not JointProject.objects.exists()


def test_a_tier_must_belong_to_the_project_call():
    call = CallFactory()
    other_tier = CallTierFactory()
    project = JointProjectFactory.build(call=call, tier=other_tier, lead_centre=CentreFactory())
    with pytest.raises(ValidationError) as error:
        project.full_clean()
    assert error.value.message_dict["tier"] == ["This tier belongs to another call."]


def test_a_call_with_tiers_needs_the_proposal_to_pick_one():
    tier = CallTierFactory()
    project = JointProjectFactory.build(call=tier.call, tier=None, lead_centre=CentreFactory())
    with pytest.raises(ValidationError) as error:
        project.full_clean()
    assert error.value.message_dict["tier"] == ["This call has tiers: choose one."]


def test_a_person_is_a_member_of_a_centre_once():
    membership = MembershipFactory()
    duplicate = Membership(centre=membership.centre, user=membership.user, role="staff")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "This person is already a member of this centre." in messages_of(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_countries_are_iso_codes_named_in_english_and_french():
    centre = CentreFactory(country="BE")
    centre.refresh_from_db()
    assert centre.country.code == "BE"
    with override("en"):
        assert centre.country.name == "Belgium"
    with override("fr"):
        assert centre.country.name == "Belgique"
    bad = Centre(name="X", slug="x", network=centre.network, country="XX", city="Nowhere")
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert "country" in error.value.message_dict


def test_coordinates_stay_on_the_globe():
    centre = CentreFactory.build(network=NetworkFactory(), latitude=Decimal("91"))
    with pytest.raises(ValidationError) as error:
        centre.full_clean()
    assert "latitude" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        centre.save()
    assert not Centre.objects.filter(slug=centre.slug).exists()


def test_an_international_association_has_no_country_and_a_national_network_has_one():
    association = Network(name="EACC", slug="eacc", kind=NetworkKind.INTERNATIONAL, country="FR")
    with pytest.raises(ValidationError) as error:
        association.full_clean()
    assert "An international association has no single country." in messages_of(error.value)
    national = Network(name="Réseau", slug="reseau", kind=NetworkKind.NATIONAL, country="")
    with pytest.raises(ValidationError):
        national.full_clean()


def test_a_project_has_one_prefinancing_payment():
    payment = PaymentFactory(kind=PaymentKind.PREFINANCING)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            project=payment.project,
            kind=PaymentKind.PREFINANCING,
            amount=1,
            due_date=payment.due_date,
        )
    # Recoveries may be several.
    for _ in range(2):
        Payment.objects.create(
            project=payment.project, kind=PaymentKind.RECOVERY, amount=1, due_date=payment.due_date
        )
    assert payment.project.payments.count() == 3


def test_the_state_cannot_be_assigned_directly():
    project = JointProjectFactory()
    with pytest.raises(AttributeError):
        project.state = ProjectState.APPROVED
    partnership = project.partnerships.get()
    with pytest.raises(AttributeError):
        partnership.state = PartnershipState.DECLINED


def test_mandates_must_be_pdfs_of_at_most_ten_megabytes():
    partnership = PartnershipFactory()
    partnership.mandate_file = SimpleUploadedFile(
        "mandate.exe", b"MZ", content_type="application/pdf"
    )
    with pytest.raises(ValidationError) as error:
        partnership.full_clean()
    assert "mandate_file" in error.value.message_dict
    partnership.mandate_file = SimpleUploadedFile(
        "mandate.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024), content_type="application/pdf"
    )
    with pytest.raises(ValidationError) as error:
        partnership.full_clean()
    assert "the limit is 10 MB" in error.value.message_dict["mandate_file"][0]


def test_derived_figures_come_from_confirmed_partners():
    call = CallFactory()
    project = JointProjectFactory(call=call, lead_centre=CentreFactory(country="FR"))
    lead = project.partnerships.get()
    BudgetLineFactory(partnership=lead, amount=Decimal("6000.00"))
    BudgetLineFactory(partnership=lead, amount=Decimal("4000.00"))
    lead.own_contribution = Decimal("2000.00")
    lead.save()
    partner = PartnershipFactory(
        project=project, centre=CentreFactory(country="HR"), own_contribution=Decimal("1000.00")
    )
    BudgetLineFactory(partnership=partner, amount=Decimal("5000.00"))
    invited = PartnershipFactory(
        project=project, state=PartnershipState.INVITED, centre=CentreFactory(country="DE")
    )
    BudgetLineFactory(partnership=invited, amount=Decimal("99999.00"))

    project = JointProject.objects.get(pk=project.pk)
    assert project.countries == ["FR", "HR"]
    assert project.total_cost == Decimal("15000.00")
    assert project.requested_grant == Decimal("12000.00")
    assert project.cofinancing_rate == Decimal("0.8000")
    assert BudgetLine.objects.count() == 4
