"""The workspace of members, partners and reviewers (PRODUCT.md §6: under /workspace/)."""

from django.urls import path

from projects import files
from projects.workspace import (
    budgets,
    dashboard,
    editor,
    inbox,
    partners,
    proposals,
    reports,
    reviews,
    revisions,
    threads,
)

app_name = "workspace"

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("projects/<int:pk>/", proposals.project_detail, name="project"),
    path(
        "projects/<int:pk>/transitions/<slug:name>/",
        proposals.project_transition,
        name="project_transition",
    ),
    path(
        "partnerships/<int:pk>/transitions/<slug:name>/",
        partners.partnership_transition,
        name="partnership_transition",
    ),
    path(
        "partnerships/<int:pk>/mandate/",
        partners.partnership_mandate,
        name="partnership_mandate",
    ),
    path(
        "partnerships/<int:pk>/agreement/",
        partners.partnership_agreement,
        name="partnership_agreement",
    ),
    path("files/mandates/<int:pk>/", files.mandate_file, name="mandate_file"),
    path("files/attachments/<int:pk>/", files.attachment_file, name="attachment_file"),
    path("files/answers/<int:pk>/", files.answer_file, name="answer_file"),
    # One list per job, owned by its module or package (projects/workspace/<job>).
    *editor.urlpatterns,
    *partners.urlpatterns,
    *budgets.urlpatterns,
    *reviews.urlpatterns,
    *reports.urlpatterns,
    *inbox.urlpatterns,
    *threads.urlpatterns,
    *revisions.urlpatterns,
]
