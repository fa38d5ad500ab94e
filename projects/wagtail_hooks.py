"""Registers the coordinators' admin (projects/admin/) with Wagtail."""

from wagtail import hooks

from projects.admin.menu import NetworkAdminGroup, ProposalsAdminGroup


@hooks.register("register_admin_viewset")
def register_network_admin():
    return NetworkAdminGroup()


@hooks.register("register_admin_viewset")
def register_proposals_admin():
    return ProposalsAdminGroup()
