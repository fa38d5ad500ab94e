"""The partners' routes (the answers' routes are in projects/urls.py)."""

from django.urls import path

from projects.workspace.partners.invite import project_invite
from projects.workspace.partners.join import project_join
from projects.workspace.partners.page import partnership_withdraw, project_partners

# The routes of issue 7 item 3 (the answers' routes are in projects/urls.py).
urlpatterns = [
    path("projects/<int:pk>/partners/", project_partners, name="project_partners"),
    path("projects/<int:pk>/partners/invite/", project_invite, name="project_invite"),
    path("projects/<int:pk>/join/", project_join, name="project_join"),
    path(
        "partnerships/<int:pk>/withdraw/",
        partnership_withdraw,
        name="partnership_withdraw",
    ),
]
