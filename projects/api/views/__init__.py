"""The JSON API (PRODUCT.md §4), one module per resource. Views parse input and call services;
nothing more."""

from .auth import MeView, TokenView
from .calls import CallViewSet, CentreViewSet
from .joint_projects import ProjectViewSet
from .notifications import NotificationViewSet
from .partnerships import PartnershipViewSet
from .reports import ReportViewSet
from .reviews import ReviewViewSet

__all__ = [
    "CallViewSet",
    "CentreViewSet",
    "MeView",
    "NotificationViewSet",
    "PartnershipViewSet",
    "ProjectViewSet",
    "ReportViewSet",
    "ReviewViewSet",
    "TokenView",
]
