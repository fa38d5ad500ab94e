"""A proposal's partners: the consortium page (/workspace/projects/<pk>/partners/) with the
search for partner centres and the invitations, the page to ask to join
(/workspace/projects/<pk>/join/, linked from the public Project Fair), and a centre's answers:
accept or decline an invitation or a request to join, leave, sign the mandate, accept the grant
agreement.

Refusals are mapped as on the project page (see projects.workspace.proposals): NotVisible → 404,
NotPermitted → 403 page, WrongState → back with a message, ConditionsNotMet → the page again
(422) listing every failure, malformed input → the page again (400) with the error next to the
field. A form sent from the partners page (``page=partners``) comes back to the partners page;
from the project page, to the project page.

One module per job: `page` (the partners page, and the confirmation before a partner leaves),
`search` (the search for partner centres), `invite` (inviting a centre found), `join` (asking
to join), `actions` (a centre's answers, its mandate and the grant agreement, sent from the
project page or the partners page); `_shared` holds what they share, `urls` the routes.
"""

from projects.workspace.partners.actions import (
    partnership_agreement,
    partnership_mandate,
    partnership_transition,
)
from projects.workspace.partners.urls import urlpatterns

__all__ = [
    "partnership_agreement",
    "partnership_mandate",
    "partnership_transition",
    "urlpatterns",
]
