"""What the workspace's pages share: reading a person's input, badges, pagination, the way
back after a form, loading a project for its page, and the answers a person may give for one
partnership (shown on the home page and on the project page)."""

import re
from datetime import date, datetime, time
from decimal import Decimal

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from projects.models import JointProject
from projects.selectors import with_partners
from workflow import permissions, services
from workflow.states import PartnershipState, ProjectState, ReviewState

COMMENT_MAX_LENGTH = 5000

# A review's states as the workspace names them: in French « Submitted » agrees with
# « évaluation » (feminine), unlike the same word for a project or a report.
REVIEW_STATE_LABELS = {
    **dict(ReviewState.choices),
    ReviewState.SUBMITTED: pgettext_lazy("review state", "Submitted"),
}

# The badge's family (its border colour); the badge always carries the state's name as text.
STATE_TONES = {
    ProjectState.DRAFT: "neutral",
    ProjectState.OPEN_FOR_PARTNERS: "active",
    ProjectState.SUBMITTED: "active",
    ProjectState.UNDER_REVIEW: "active",
    ProjectState.CHANGES_REQUESTED: "warning",
    ProjectState.APPROVED: "success",
    ProjectState.IN_PROGRESS: "success",
    ProjectState.REPORTING: "success",
    ProjectState.REPORT_SUBMITTED: "success",
    ProjectState.COMPLETED: "done",
    ProjectState.REJECTED: "ended",
    ProjectState.WITHDRAWN: "ended",
    ProjectState.TERMINATED: "ended",
    PartnershipState.INVITED: "warning",
    PartnershipState.REQUESTED: "warning",
    PartnershipState.CONFIRMED: "success",
    PartnershipState.DECLINED: "ended",
}


# Amounts in EUR: digits, optionally spaced in thousands, and at most two decimals after a point
# or a comma. "20,000" is refused rather than guessed (twenty thousand, or twenty?).
AMOUNT = re.compile(r"^-?\d{1,12}(?:[.,]\d{1,2})?$")


class InvalidInput(ValueError):
    """Malformed input: the message says what to write instead."""

    def __init__(self, message, *, field):
        super().__init__(message)
        self.message = message
        self.field = field


def parse_amount(raw, *, field="awarded_amount"):
    """A Decimal amount in EUR, None when empty; InvalidInput when it cannot be read."""
    text = re.sub(r"[\s\u00a0\u202f]", "", raw or "")
    if not text:
        return None
    if not AMOUNT.match(text):
        raise InvalidInput(
            _("Write the amount in euros with digits only, for example 20000 or 20000.50."),
            field=field,
        )
    return Decimal(text.replace(",", "."))


def parse_date(raw, *, field="resubmission_date"):
    """An aware end-of-day datetime for a date in the future, None when empty."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            _("Write the date as year-month-day, for example 2027-03-31."), field=field
        ) from None
    if day <= timezone.localdate():
        raise InvalidInput(_("The date must be in the future."), field=field)
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def parse_comment(raw, *, field="comment"):
    text = (raw or "").strip()
    if len(text) > COMMENT_MAX_LENGTH:
        raise InvalidInput(
            _("The comment is too long (at most %(limit)s characters).")
            % {"limit": COMMENT_MAX_LENGTH},
            field=field,
        )
    return text


class CountedPaginator(Paginator):
    """A paginator told its total (from the per-state counts) instead of asking the database."""

    def __init__(self, object_list, per_page, *, total):
        super().__init__(object_list, per_page)
        self._total = total

    @cached_property
    def count(self):
        return self._total


def badge(state, label):
    return {"state": state, "label": label, "tone": STATE_TONES.get(state, "neutral")}


def safe_next(request, default):
    """Back to the workspace page the form was on, never elsewhere."""
    target = request.POST.get("next", "")
    if target.startswith("/workspace/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def load_project(user, pk):
    """The project with everything its page shows, or 404 when the user may not see it."""
    project = with_partners(JointProject.objects.filter(pk=pk)).prefetch_related("payments").first()
    if project is None or not permissions.can_view_project(user, project):
        raise Http404("No such project.")
    return project


def partnership_label(name, *, state, centre_id, user):
    """An answer named from the point of view of who gives it."""
    roles = permissions.roles_of(user)
    invited = state == PartnershipState.INVITED
    if name == "accept":
        return _("Accept the invitation") if invited else _("Accept the request")
    if name == "decline":
        if invited:
            return (
                _("Decline the invitation")
                if roles.manager_of(centre_id)
                else _("Take the invitation back")
            )
        return _("Take the request back") if roles.member_of(centre_id) else _("Refuse the request")
    if name == "withdraw":
        return _("Leave the project") if roles.manager_of(centre_id) else _("Remove this partner")
    return name.replace("_", " ").capitalize()


def partnership_actions(partnership, user):
    """The answers a user may give for one partnership, without those that can never succeed
    now (the lead never leaves; partners no longer change once the proposal is submitted)."""
    project = partnership.project
    names = services.partnership_available_transitions(partnership=partnership, user=user)
    actions = []
    for name in names:
        if name == "withdraw" and partnership.is_lead:
            continue
        if name in ("accept", "withdraw") and project.state not in ProjectState.editable():
            continue
        actions.append(
            {
                "name": name,
                "label": partnership_label(
                    name, state=partnership.state, centre_id=partnership.centre_id, user=user
                ),
                "url": reverse("workspace:partnership_transition", args=[partnership.pk, name]),
                "dangerous": name in ("decline", "withdraw"),
            }
        )
    return actions


def forbidden(request, exc, *, project_id=None):
    return render(
        request,
        "projects/workspace/forbidden.html",
        {"project_url": reverse("workspace:project", args=[project_id]) if project_id else ""},
        status=403,
    )
