"""The reports' routes, included in projects/urls.py."""

from django.urls import path

from projects.workspace.reports.attachments import report_attachment_add, report_attachment_remove
from projects.workspace.reports.form import report_detail, report_submit
from projects.workspace.reports.listing import project_reports, report_start

urlpatterns = [
    path("projects/<int:pk>/reports/", project_reports, name="project_reports"),
    path("projects/<int:pk>/reports/start/", report_start, name="report_start"),
    path("reports/<int:pk>/", report_detail, name="report"),
    path("reports/<int:pk>/submit/", report_submit, name="report_submit"),
    path("reports/<int:pk>/attachments/", report_attachment_add, name="report_attachment_add"),
    path(
        "reports/<int:pk>/attachments/<int:attachment_id>/remove/",
        report_attachment_remove,
        name="report_attachment_remove",
    ),
]
