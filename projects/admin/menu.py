"""The admin menu's groups: Proposals, and Network (calls, centres, networks)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSetGroup

from projects.admin.calls import CallViewSet
from projects.admin.centres import CentreViewSet
from projects.admin.networks import NetworkViewSet
from projects.admin.proposals import JointProjectViewSet


class ProposalsAdminGroup(ModelViewSetGroup):
    menu_label = _("Proposals")
    menu_icon = "form"
    menu_order = 140
    items = (JointProjectViewSet,)


class NetworkAdminGroup(ModelViewSetGroup):
    menu_label = _("Network")
    menu_icon = "group"
    menu_order = 150
    items = (CallViewSet, CentreViewSet, NetworkViewSet)
