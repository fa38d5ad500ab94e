"""Builds the demo network of PRODUCT.md §5, idempotently, at any scale.

Everything is derived from an index (centre i, project j) so a second run finds what the first
made and adds nothing, and `scale=N` makes N times the centres, projects and partnerships.
Rows are written with bulk_create: `--scale 50` (20,000 projects) takes minutes, not hours.
"""

import random
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from projects.models import (
    AwardCriterion,
    Call,
    CallKind,
    CallTier,
    Centre,
    Discipline,
    Membership,
    MembershipKind,
    MembershipRole,
    Network,
    NetworkKind,
    Theme,
)
from workflow.services.ranking import ranking_refresh

from .data import COUNTRIES, DISCIPLINES, INTERNATIONAL_ASSOCIATION, THEMES
from .joint_projects import PROJECTS_PER_SCALE, ensure_projects
from .stories import tell_stories
from .two_factor import ensure_demo_two_factor

DEMO_PASSWORD = "ensemble-demo"
CENTRES_PER_SCALE = 60
BATCH = 2000
QUARTERS = ["Nord", "Sud", "Est", "Ouest", "Centre", "Port", "Old Town"]
COORDINATORS = "Coordinators"
REVIEWERS = "Reviewers"


@dataclass
class SeedReport:
    created: dict = field(default_factory=dict)

    def add(self, name, count):
        self.created[name] = self.created.get(name, 0) + count


def _noop_progress(stage, done, total):
    pass


def _batched(items, size=BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- Reference data -------------------------------------------------------------------------


def ensure_vocabularies():
    for model, names in ((Discipline, DISCIPLINES), (Theme, THEMES)):
        for name, name_fr in names:
            model.objects.get_or_create(
                slug=slugify(name), defaults={"name": name, "name_fr": name_fr}
            )
    return list(Discipline.objects.order_by("id")), list(Theme.objects.order_by("id"))


def ensure_networks():
    networks = {}
    for code, (name, _cities, _patterns) in COUNTRIES.items():
        networks[code], _ = Network.objects.get_or_create(
            slug=slugify(name),
            defaults={"name": name, "kind": NetworkKind.NATIONAL, "country": code},
        )
    association, _ = Network.objects.get_or_create(
        slug=slugify(INTERNATIONAL_ASSOCIATION),
        defaults={
            "name": INTERNATIONAL_ASSOCIATION,
            "kind": NetworkKind.INTERNATIONAL,
            "description": "The European association of the national networks of cultural centres.",
        },
    )
    return networks, association


def centre_spec(index):
    """The index-th centre: countries in turn, then cities, then kinds of venue."""
    codes = list(COUNTRIES)
    code = codes[index % len(codes)]
    k = index // len(codes)
    _name, cities, patterns = COUNTRIES[code]
    city, lat, lon = cities[k % len(cities)]
    pattern = patterns[(k // len(cities)) % len(patterns)]
    round_ = k // (len(cities) * len(patterns))
    name = pattern.format(city=city)
    if round_:
        # Past the distinct names: further venues of the same kind in other quarters.
        quarter = QUARTERS[(round_ - 1) % len(QUARTERS)]
        cycle = (round_ - 1) // len(QUARTERS)
        name = f"{name} ({quarter}{f' {cycle + 1}' if cycle else ''})"
    rng = random.Random(index)
    return {
        "name": name,
        "slug": slugify(f"{name}-{code}")[:190] or f"centre-{index}",
        "country": code,
        "city": city,
        "latitude": Decimal(str(round(lat + rng.uniform(-0.03, 0.03), 6))),
        "longitude": Decimal(str(round(lon + rng.uniform(-0.03, 0.03), 6))),
        "membership_kind": (
            MembershipKind.GUEST
            if index % 15 == 14
            else MembershipKind.ASSOCIATED
            if index % 10 == 9
            else MembershipKind.MEMBER
        ),
        "has_label": index % 3 == 0,
        "description": f"A cultural centre in {city}: performances, exhibitions, workshops and "
        "community projects for every age.",
    }


def ensure_centres(count, networks, disciplines, progress):
    specs = [centre_spec(i) for i in range(count)]
    existing = set(Centre.objects.values_list("slug", flat=True))
    missing = [spec for spec in specs if spec["slug"] not in existing]
    for done, batch in enumerate(_batched(missing), start=1):
        created = Centre.objects.bulk_create(
            [Centre(network=networks[spec["country"]], **spec) for spec in batch]
        )
        links = []
        for centre in created:
            rng = random.Random(centre.slug)
            for discipline in rng.sample(disciplines, 2):
                links.append(
                    Centre.disciplines.through(centre_id=centre.pk, discipline_id=discipline.pk)
                )
        Centre.disciplines.through.objects.bulk_create(links)
        progress("centres", min(done * BATCH, len(missing)), len(missing))
    by_slug = Centre.objects.in_bulk([spec["slug"] for spec in specs], field_name="slug")
    return [by_slug[spec["slug"]] for spec in specs], len(missing)


# --- People ---------------------------------------------------------------------------------

DEMO_USERS = [
    # username, first, last, email, language
    ("admin", "Ada", "Admin", "admin@ensemble.example", "en"),
    ("coordinator", "Claire", "Dubois", "coordinator@ensemble.example", "fr"),
    ("reviewer", "Rui", "Almeida", "reviewer@ensemble.example", "en"),
    ("reviewer2", "Riikka", "Virtanen", "reviewer2@ensemble.example", "en"),
    ("lead", "Léa", "Martin", "lead@ensemble.example", "fr"),
    ("partner", "Pieter", "Claes", "partner@ensemble.example", "fr"),
    ("partner2", "Petra", "Horvat", "partner2@ensemble.example", "en"),
    ("member", "Mathis", "Bernard", "member@ensemble.example", "fr"),
]


def ensure_groups():
    coordinators, _ = Group.objects.get_or_create(name=COORDINATORS)
    Group.objects.get_or_create(name=REVIEWERS)
    wanted = Permission.objects.filter(
        content_type__app_label="projects",
    ) | Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin")
    coordinators.permissions.add(*wanted)
    return coordinators


def ensure_demo_users():
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)
    users = {}
    for username, first, last, email, language in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": email, "password": password},
        )
        if username == "admin" and not user.is_superuser:
            user.is_superuser = user.is_staff = True
            user.save(update_fields=["is_superuser", "is_staff"])
        if created:
            from wagtail.users.models import UserProfile

            profile = UserProfile.get_for_user(user)
            profile.preferred_language = language
            profile.save(update_fields=["preferred_language"])
        users[username] = user
    users["coordinator"].groups.add(Group.objects.get(name=COORDINATORS))
    for name in ("reviewer", "reviewer2"):
        users[name].groups.add(Group.objects.get(name=REVIEWERS))
    return users


def ensure_centre_managers(centres, demo_users, progress):
    """Every centre has a manager; the first three are the demo users' own centres."""
    User = get_user_model()
    demo_memberships = [
        (centres[0], demo_users["lead"], MembershipRole.MANAGER),
        (centres[0], demo_users["member"], MembershipRole.STAFF),
        (centres[1], demo_users["partner"], MembershipRole.MANAGER),
        (centres[2], demo_users["partner2"], MembershipRole.MANAGER),
    ]
    for centre, user, role in demo_memberships:
        Membership.objects.get_or_create(centre=centre, user=user, defaults={"role": role})

    others = centres[3:]
    usernames = [f"manager.{centre.slug}"[:150] for centre in others]
    existing = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing per user would take minutes
    new_users = [
        User(
            username=username,
            first_name="Manager",
            last_name=centre.name[:150],
            email=f"{username[:60]}@centres.ensemble.example",
            password=password,
        )
        for username, centre in zip(usernames, others, strict=True)
        if username not in existing
    ]
    for done, batch in enumerate(_batched(new_users), start=1):
        User.objects.bulk_create(batch)
        progress("managers", min(done * BATCH, len(new_users)), len(new_users))
    user_ids = dict(User.objects.filter(username__in=usernames).values_list("username", "id"))
    has_manager = set(
        Membership.objects.filter(centre__in=others, role=MembershipRole.MANAGER).values_list(
            "centre_id", flat=True
        )
    )
    Membership.objects.bulk_create(
        [
            Membership(centre=centre, user_id=user_ids[username], role=MembershipRole.MANAGER)
            for username, centre in zip(usernames, others, strict=True)
            if centre.pk not in has_manager
        ],
        batch_size=BATCH,
    )
    managers = dict(
        Membership.objects.filter(role=MembershipRole.MANAGER)
        .order_by("-id")
        .values_list("centre_id", "user_id")
    )
    managers[centres[0].pk] = demo_users["lead"].pk
    managers[centres[1].pk] = demo_users["partner"].pk
    managers[centres[2].pk] = demo_users["partner2"].pk
    return managers, len(new_users)


# --- Calls ----------------------------------------------------------------------------------

CRITERIA = [
    ("Artistic and cultural quality", "Originality and quality of the artistic programme.", 10, 5),
    ("European dimension", "Real cooperation between centres of several countries.", 10, 5),
    ("Reach and participation", "Audiences, artists and communities involved.", 10, 4),
    ("Management and budget", "A realistic plan, budget and division of work.", 10, 4),
]
TIERS = [
    ("Small", 2, 2, Decimal("30000.00"), Decimal("0.8000"), 12),
    ("Medium", 3, 3, Decimal("100000.00"), Decimal("0.8000"), 24),
    ("Large", 5, 4, Decimal("200000.00"), Decimal("0.7500"), 36),
]


def ensure_calls(association, scale, now):
    """Two open calls (tiered, mobility) and two past ones that funded the running projects."""
    definitions = [
        ("joint-projects-2027", "Joint Projects 2027", CallKind.PROJECT, -30, 75, True),
        ("staff-mobility-2027", "Staff Mobility 2027", CallKind.MOBILITY, -15, 45, False),
        ("joint-projects-2026", "Joint Projects 2026", CallKind.PROJECT, -420, -330, True),
        ("joint-projects-2025", "Joint Projects 2025", CallKind.PROJECT, -800, -700, True),
    ]
    calls = {}
    for slug, title, kind, opens, deadline, tiered in definitions:
        mobility = kind == CallKind.MOBILITY
        call, created = Call.objects.get_or_create(
            slug=slug,
            defaults={
                "network": association,
                "title": title,
                "kind": kind,
                "summary": (
                    "Short exchanges of staff between two or more member centres, to learn from "
                    "each other's practice."
                    if mobility
                    else "Co-financing for joint cultural projects of member centres from several "
                    "countries: co-productions, residencies, festivals and participatory projects."
                ),
                "opens_at": (now + timedelta(days=opens)).replace(
                    hour=9, minute=0, second=0, microsecond=0
                ),
                "deadline": (now + timedelta(days=deadline)).replace(
                    hour=17, minute=0, second=0, microsecond=0
                ),
                "budget": Decimal("400000.00" if mobility else "12000000.00") * scale,
                "min_partners": 2 if mobility else 3,
                "min_countries": 2,
                "max_grant": Decimal("8000.00" if mobility else "200000.00"),
                "max_cofinancing_rate": Decimal("0.8000"),
                "max_duration_months": 6 if mobility else 36,
                "prefinancing_rate": Decimal("0.6000"),
                "min_reviews": 1 if mobility else 2,
                "overall_threshold": Decimal("24.00") if not mobility else Decimal("10.00"),
            },
        )
        if created:
            if tiered:
                for order, (name, partners, countries, grant, rate, months) in enumerate(TIERS):
                    CallTier.objects.create(
                        call=call,
                        sort_order=order,
                        name=name,
                        min_partners=partners,
                        min_countries=countries,
                        max_grant=grant,
                        max_cofinancing_rate=rate,
                        max_duration_months=months,
                    )
            for order, (name, description, max_score, threshold) in enumerate(
                CRITERIA[: 2 if mobility else 4]
            ):
                AwardCriterion.objects.create(
                    call=call,
                    sort_order=order,
                    name=name,
                    description=description,
                    max_score=max_score,
                    threshold=threshold,
                )
        calls[slug] = call
    return calls


# --- Entry point ----------------------------------------------------------------------------


def seed_demo(*, scale=1, now=None, progress=None):
    """Create (or complete) the demo network at the given scale; returns what was created."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    now = now or timezone.now()
    progress = progress or _noop_progress
    report = SeedReport()
    with transaction.atomic():
        disciplines, themes = ensure_vocabularies()
        networks, association = ensure_networks()
        ensure_groups()
        demo_users = ensure_demo_users()
        ensure_demo_two_factor(demo_users)
        calls = ensure_calls(association, scale, now)
    centres, created = ensure_centres(CENTRES_PER_SCALE * scale, networks, disciplines, progress)
    report.add("centres", created)
    managers, created = ensure_centre_managers(centres, demo_users, progress)
    report.add("users", created)
    for name, count in ensure_projects(
        PROJECTS_PER_SCALE * scale,
        centres,
        managers,
        calls,
        themes,
        now,
        progress,
        coordinator_id=demo_users["coordinator"].pk,
    ).items():
        report.add(name, count)
    for unit in range(scale):
        told = tell_stories(
            unit=unit,
            centres=centres,
            managers=managers,
            demo_users=demo_users,
            calls=calls,
            now=now,
        )
        report.add("projects told through the services", told)
        progress("stories", unit + 1, scale)
    # The bulk projects' budgets were written around the services: their ranking scores are
    # computed once here, for every call (the stories' projects were kept current as told).
    with transaction.atomic():
        ranking_refresh(call_ids=[call.pk for call in calls.values()])
    return report
