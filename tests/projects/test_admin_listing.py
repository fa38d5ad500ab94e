"""The proposals listing writes its cells without Wagtail's per-cell templates
(projects/admin/proposals.py: PlainColumn, StampedTitleColumn): the page must stay exactly what
Wagtail's own templates give, whatever the titles hold."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from wagtail.admin.ui.tables import Column, TitleColumn

from projects.admin.proposals import PlainColumn, StampedTitleColumn
from tests.factories import BudgetLineFactory, JointProjectFactory, PartnershipFactory
from tests.factories.auth import verified_login
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    # The CSRF token changes from one response to the next; nothing else may.
    return re.sub(r'"CSRF_TOKEN": "[^"]+"', "", response.content.decode())


@pytest.mark.parametrize("query", ["", "?ordering=title", "?state=submitted"])
def test_the_listing_is_what_wagtails_templates_give(client, cast, monkeypatch, query):
    tricky = JointProjectFactory(
        call=cast.call, title='Rock & <Roll> "live"', acronym="R&R", state=ProjectState.SUBMITTED
    )
    BudgetLineFactory(partnership=tricky.partnerships.get(), amount=Decimal("1234.50"))
    PartnershipFactory(project=tricky)
    JointProjectFactory(call=cast.call, title="", acronym="ONLY<ACR>")
    JointProjectFactory(call=cast.call, title="", acronym="")
    JointProjectFactory(call=cast.call, title="987654321987654 ñ \ue000", acronym="X")
    verified_login(client, cast.coordinator)
    url = reverse("jointproject:index") + query
    client.get(url)  # warm per-process caches
    ours = page(client, url)
    monkeypatch.setattr(PlainColumn, "render_cell_html", Column.render_cell_html)
    monkeypatch.setattr(StampedTitleColumn, "render_cell_html", TitleColumn.render_cell_html)
    wagtails = page(client, url)
    assert ours == wagtails
    assert "Rock &amp; &lt;Roll&gt; &quot;live&quot;" in ours
