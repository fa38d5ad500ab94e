"""The editor's routes, included in projects/urls.py."""

from django.urls import path

from projects.workspace.editor.check import check
from projects.workspace.editor.questions import questions_section
from projects.workspace.editor.sections import eligibility_panel, section, task_list
from projects.workspace.editor.start import proposal_start

urlpatterns = [
    path("proposals/new/", proposal_start, name="proposal_start"),
    path("projects/<int:pk>/edit/", task_list, name="editor"),
    path("projects/<int:pk>/edit/check/", check, name="editor_check"),
    path("projects/<int:pk>/edit/eligibility/", eligibility_panel, name="editor_eligibility"),
    # Before the generic section route: "questions" is a section with its own view.
    path("projects/<int:pk>/edit/questions/", questions_section, name="editor_questions"),
    path("projects/<int:pk>/edit/<slug:slug>/", section, name="editor_section"),
]
