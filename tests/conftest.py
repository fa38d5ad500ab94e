import pytest

from cms.demo import ensure_site_tree


@pytest.fixture
def site_tree(db):
    """The public site's home page in English and French, as seed_demo makes it."""
    return ensure_site_tree()


# The cast of a proposal's life (lead, partners, reviewers, coordinator), for every test package.
from tests.workflow.conftest import cast  # noqa: E402, F401
