"""A proposal's page in the admin (the proposals viewset's inspect view): its workflow tracker,
the actions to take, every section of the proposal, and the decision forms."""

from projects.admin.inspect.forms import TransitionForm
from projects.admin.inspect.views import JointProjectInspectView

__all__ = ["JointProjectInspectView", "TransitionForm"]
