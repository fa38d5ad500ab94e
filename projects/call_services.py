"""Business rules of calls for proposals: duplicating a past call as next year's."""

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from projects.call_selectors import CALL_TIME_ZONE
from projects.models import AwardCriterion, Call, CallTier
from workflow import permissions
from workflow.conditions import Failure
from workflow.exceptions import ConditionsNotMet, NotPermitted, NotVisible

# A year in a title: four digits standing alone ("Joint Projects 2027", "2027–2028").
YEAR = re.compile(r"(?<!\d)(?:19|20|21)\d{2}(?!\d)")

# What a copy never takes from its source: its identity, and what the service sets itself.
NOT_COPIED = {"id", "title", "slug", "opens_at", "deadline", "created_at", "questions"}
PART_NOT_COPIED = {"id", "call"}

SLUG_MAX = Call._meta.get_field("slug").max_length
TITLE_MAX = Call._meta.get_field("title").max_length


@dataclass(frozen=True)
class NextYear:
    """What "next year's" copy of a call is called and when it runs, before anyone edits it."""

    title: str
    opens_at: datetime
    deadline: datetime


def one_year_later(moment):
    """The same wall-clock time in Brussels a year later (29 February becomes the 28th), so a
    deadline at 17:00 stays at 17:00 across the change of summer time."""
    local = moment.astimezone(CALL_TIME_ZONE)
    try:
        return local.replace(year=local.year + 1)
    except ValueError:
        return local.replace(year=local.year + 1, day=28)


def next_year_title(title):
    """Every year in the title one higher; a title without a year is marked as a copy, so two
    calls never silently share a name."""
    shifted, count = YEAR.subn(lambda found: str(int(found.group(0)) + 1), title)
    if not count:
        shifted = _("%(title)s (copy)") % {"title": title}
    return str(shifted)[:TITLE_MAX]


def call_next_year(call):
    """The defaults of the copy of `call` (also what the admin's confirm form shows)."""
    return NextYear(
        title=next_year_title(call.title),
        opens_at=one_year_later(call.opens_at),
        deadline=one_year_later(call.deadline),
    )


def unique_call_slug(text):
    base = (slugify(text) or "call")[: SLUG_MAX - 4].strip("-") or "call"
    # One query for every slug the loop could try.
    taken = set(Call.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def copied_questions(call):
    """The questions as the stream's raw data, each under a new block id: answers are keyed by
    the question's id, and a copy is a new question that last year's answers must not match
    (nor freeze)."""
    return [{**block, "id": str(uuid.uuid4())} for block in call.questions.raw_data]


def _field_values(instance, excluded):
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.name not in excluded
    }


def call_duplicate(*, call_id, actor, opens_at=None, deadline=None, title=None):
    """A new call copied from call `call_id` as next year's: its rules, tiers, award criteria
    and questions, its dates a year later and the year in its title one higher unless given,
    under a new unique slug. Coordinators only. Returns the new call."""
    if not permissions.is_coordinator(actor):
        raise NotPermitted(_("Only coordinators may duplicate a call."))
    with transaction.atomic():
        # Locked: two copies of the same call made at once take their slugs one after the other.
        source = Call.objects.select_for_update().filter(pk=call_id).first()
        if source is None:
            raise NotVisible(_("No such call."))
        defaults = call_next_year(source)
        title = (title or "").strip() or defaults.title
        opens_at = opens_at or defaults.opens_at
        deadline = deadline or defaults.deadline
        if deadline <= opens_at:
            raise ConditionsNotMet(
                [
                    Failure(
                        "deadline_before_opening",
                        _("The deadline must come after the opening."),
                    )
                ]
            )
        call = Call(
            **_field_values(source, NOT_COPIED),
            title=title,
            slug=unique_call_slug(title),
            opens_at=opens_at,
            deadline=deadline,
        )
        call.questions = copied_questions(source)
        call.save()
        CallTier.objects.bulk_create(
            CallTier(**_field_values(tier, PART_NOT_COPIED), call=call)
            for tier in source.tiers.order_by("sort_order", "pk")
        )
        AwardCriterion.objects.bulk_create(
            AwardCriterion(**_field_values(criterion, PART_NOT_COPIED), call=call)
            for criterion in source.criteria.order_by("sort_order", "pk")
        )
        # The copy's history in the admin starts with who made it, and from what.
        log(
            instance=call,
            action="wagtail.create",
            user=actor,
            data={"duplicated_from": source.pk},
        )
    return call
