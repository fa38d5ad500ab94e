"""Wagtail pages of the public site. Domain records stay plain models in `projects`."""

from cms.models.calls import CallIndexPage, CallPage
from cms.models.centres import CentreIndexPage
from cms.models.content import (
    InsightsPage,
    NewsIndexPage,
    NewsPage,
    ResourceHubPage,
    StandardPage,
)
from cms.models.fair import FairPage
from cms.models.home import HomePage, open_call_cards
from cms.models.showcase import (
    SYNCED_FIELDS,
    ProjectIndexPage,
    ProjectPage,
    ProjectPageFacet,
    ShowcaseStatus,
)

__all__ = [
    "SYNCED_FIELDS",
    "CallIndexPage",
    "CallPage",
    "CentreIndexPage",
    "FairPage",
    "HomePage",
    "InsightsPage",
    "NewsIndexPage",
    "NewsPage",
    "ProjectIndexPage",
    "ProjectPage",
    "ProjectPageFacet",
    "ResourceHubPage",
    "ShowcaseStatus",
    "StandardPage",
    "open_call_cards",
]
