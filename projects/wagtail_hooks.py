"""Registers the coordinators' admin (projects/admin/) with Wagtail."""

from wagtail import hooks

from projects.admin.menu import GrantsAdminGroup
from projects.admin.panels import construct_grants_panels


@hooks.register("register_admin_viewset")
def register_grants_admin():
    return GrantsAdminGroup()


hooks.register("construct_homepage_panels", construct_grants_panels)
