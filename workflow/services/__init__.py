"""The single transition service per object kind (PRODUCT.md §3.5).

Each checks the user's permission, the source state and every condition, locks the project row
(and the object's), runs the transition, saves, appends to the transition log and schedules the
notifications for after the commit. Views, the API, the admin and management commands call these.
"""

from .partnerships import (
    partnership_accept_agreement,
    partnership_available_transitions,
    partnership_invite,
    partnership_request,
    partnership_set_budget,
    partnership_sign_mandate,
    partnership_transition,
)
from .payments import payment_mark_paid, report_costs_accept
from .projects import (
    project_available_transitions,
    project_transition,
    project_transition_many,
)
from .ranking import ranking_refresh, ranking_refresh_scores
from .reports import report_available_transitions, report_create, report_transition, report_update
from .reviews import review_assign, review_available_transitions, review_score, review_transition

__all__ = [
    "partnership_accept_agreement",
    "partnership_available_transitions",
    "partnership_invite",
    "partnership_request",
    "partnership_set_budget",
    "partnership_sign_mandate",
    "partnership_transition",
    "payment_mark_paid",
    "project_available_transitions",
    "project_transition",
    "project_transition_many",
    "ranking_refresh",
    "ranking_refresh_scores",
    "report_available_transitions",
    "report_costs_accept",
    "report_create",
    "report_transition",
    "report_update",
    "review_assign",
    "review_available_transitions",
    "review_score",
    "review_transition",
]
