"""The workspace's reports (issue 7, item 9): the project's reports, the report form, its
attachments and its submission; permissions, bad input, feedback and query counts."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import services as project_services
from projects.models import Report, ReportAttachment, ReportCost
from tests.factories import CentreFactory, MembershipFactory, UserFactory
from tests.factories.auth import verified_login
from tests.factories.uploads import HTML, image_bytes, oversized_pdf, pdf_bytes, upload
from tests.workflow.conftest import BUDGET, add_partner, advance, build_ready
from workflow import services
from workflow.states import ProjectState, ReportState

pytestmark = pytest.mark.django_db


# --- Helpers --------------------------------------------------------------------------------


def login(client, user):
    verified_login(client, user)
    return client


def text(response):
    body = response.content.decode()
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()


def list_url(project):
    return reverse("workspace:project_reports", args=[project.pk])


def report_url(report):
    return reverse("workspace:report", args=[report.pk])


def submit_url(report):
    return reverse("workspace:report_submit", args=[report.pk])


def attach_url(report):
    return reverse("workspace:report_attachment_add", args=[report.pk])


def remove_url(report, attachment):
    return reverse("workspace:report_attachment_remove", args=[report.pk, attachment.pk])


def running_project(cast, state=ProjectState.IN_PROGRESS):
    return advance(cast, build_ready(cast), state)


def final_report(cast, project):
    return services.report_create(project_id=project.pk, actor=cast.lead_manager, kind="final")


def confirmed(project):
    return list(project.partnerships.filter(state="confirmed").order_by("pk"))


def form_data(project, report=None, **overrides):
    """A complete, valid report form for `project` (every confirmed partner's costs)."""
    data = {
        "narrative": "We toured three cities with a shared programme.",
        "events": "12",
        "artists": "30",
        "participants": "450",
        "travellers": "25",
        "volunteers": "8",
        "audience-TOTAL_FORMS": "2",
        "audience-INITIAL_FORMS": "0",
        "audience-0-country": "DE",
        "audience-0-count": "40",
        "audience-1-country": "",
        "audience-1-count": "",
        "outputs-TOTAL_FORMS": "2",
        "outputs-INITIAL_FORMS": "0",
        "outputs-0-title": "Tour film",
        "outputs-0-url": "https://example.org/film",
        "outputs-1-title": "",
        "outputs-1-url": "",
    }
    for partnership in confirmed(project):
        data[f"audience_{partnership.centre.country.code}"] = "300"
        data[f"cost_{partnership.pk}"] = "9500.50"
    data.update(overrides)
    return data


def snapshot(report):
    """What a report holds, to prove nothing changed."""
    report.refresh_from_db()
    return (
        report.state,
        report.narrative,
        report.indicators,
        sorted(report.costs.values_list("partnership_id", "amount")),
        report.attachments.count(),
    )


def errors_in_summary(response):
    body = response.content.decode()
    summary = re.search(r'<div class="error-summary".*?</div>', body, flags=re.S)
    assert summary, "no error summary"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", summary.group(0)))


# --- The list of reports ------------------------------------------------------------------------


def test_the_reports_page_shows_states_due_dates_and_a_returned_reports_feedback(client, cast):
    project = running_project(cast)
    final = final_report(cast, project)
    interim = services.report_create(project_id=project.pk, actor=cast.lead_manager, kind="interim")
    services.report_transition(report_id=interim.pk, name="submit", actor=cast.lead_manager)
    services.report_transition(
        report_id=interim.pk,
        name="return",
        actor=cast.coordinator,
        comment="Add the audience figures of the Zagreb festival.",
    )

    response = login(client, cast.partner_manager).get(list_url(project))
    assert response.status_code == 200
    page = text(response)
    assert "Final report" in page and "Interim report" in page
    assert "State: Draft" in page and "State: Returned for changes" in page
    due = project.end_date.toordinal() + 60
    from datetime import date

    assert date.fromordinal(due).strftime("%-d %b %Y") in page
    assert "The network returned the Interim report for changes" in page
    assert "Add the audience figures of the Zagreb festival." in page
    assert report_url(final) in response.content.decode()
    # A partner reads; only the lead centre starts reports.
    assert "Start the interim report" not in page


def test_the_lead_starts_the_final_report_once_and_only_while_the_project_runs(client, cast):
    project = running_project(cast)
    login(client, cast.lead_manager)
    page = text(client.get(list_url(project)))
    assert "Start the interim report" in page and "Start the final report" in page

    start = reverse("workspace:report_start", args=[project.pk])
    response = client.post(start, {"kind": "final"})
    report = Report.objects.get(project=project, kind="final")
    assert response.status_code == 302 and response.url == report_url(report)

    page = text(client.get(list_url(project)))
    assert "Start the final report" not in page  # one final report per project
    response = client.post(start, {"kind": "final"})
    assert response.status_code == 422
    assert "The project already has its final report." in errors_in_summary(response)
    assert Report.objects.filter(project=project).count() == 1

    assert client.post(start, {"kind": "yearly"}).status_code == 400
    assert client.post(start, {"kind": "interim"}).status_code == 302
    assert Report.objects.filter(project=project, kind="interim").count() == 1


def test_a_staff_member_of_the_lead_starts_a_report_as_the_service_allows(client, cast):
    """report_create's rule is can_write_report: any member of the lead centre, not only its
    managers; a partner may not."""
    project = running_project(cast)
    start = reverse("workspace:report_start", args=[project.pk])
    login(client, cast.partner_manager)
    assert "Start the interim report" not in text(client.get(list_url(project)))
    assert client.post(start, {"kind": "interim"}).status_code == 403
    assert not Report.objects.filter(project=project).exists()
    assert login(client, cast.lead_staff).post(start, {"kind": "interim"}).status_code == 302
    assert Report.objects.filter(project=project, kind="interim").count() == 1


def test_the_reports_list_is_paginated(client, cast, monkeypatch):
    from projects.workspace.reports import listing as views

    monkeypatch.setattr(views, "REPORTS_PER_PAGE", 2)
    project = running_project(cast)
    made = [
        services.report_create(project_id=project.pk, actor=cast.lead_manager, kind=kind)
        for kind in ("interim", "interim", "final")
    ]
    login(client, cast.lead_manager)
    first = client.get(list_url(project)).content.decode()
    assert "Page 1 of 2" in first and report_url(made[0]) in first
    assert report_url(made[2]) not in first
    second = client.get(list_url(project) + "?page=2").content.decode()
    assert report_url(made[2]) in second and report_url(made[0]) not in second
    # The final report exists (on page 2): it is not offered again on page 1.
    assert "Start the final report" not in text(client.get(list_url(project)))


def test_no_report_before_the_project_starts(client, cast):
    project = running_project(cast, ProjectState.APPROVED)
    login(client, cast.lead_manager)
    assert "Start the final report" not in text(client.get(list_url(project)))
    response = client.post(reverse("workspace:report_start", args=[project.pk]), {"kind": "final"})
    assert response.status_code == 409
    assert "Reports are written while the project runs." in errors_in_summary(response)
    assert not Report.objects.filter(project=project).exists()


# --- Permissions --------------------------------------------------------------------------------


def test_another_centre_and_a_reviewer_get_404_on_every_page_and_action(client, cast):
    project = running_project(cast)  # public (in the showcase), its reports are not
    report = final_report(cast, project)
    attachment = project_services.report_attachment_add(
        report_id=report.pk, actor=cast.lead_manager, file=upload("a.pdf", pdf_bytes())
    )
    before = snapshot(report)
    for user in (cast.other_manager, cast.reviewer):
        login(client, user)
        assert client.get(reverse("workspace:project", args=[project.pk])).status_code == 200
        assert client.get(list_url(project)).status_code == 404
        assert client.get(report_url(report)).status_code == 404
        assert client.post(report_url(report), form_data(project)).status_code == 404
        assert client.post(submit_url(report), form_data(project)).status_code == 404
        response = client.post(
            attach_url(report), {"attachment-file": upload("b.pdf", pdf_bytes())}
        )
        assert response.status_code == 404
        assert client.post(remove_url(report, attachment)).status_code == 404
        start = reverse("workspace:report_start", args=[project.pk])
        assert client.post(start, {"kind": "interim"}).status_code == 404
        url = reverse("workspace:attachment_file", args=[attachment.pk])
        assert client.get(url).status_code == 404
    assert snapshot(report) == before
    assert Report.objects.filter(project=project).count() == 1
    assert client.get(reverse("workspace:report", args=[999999])).status_code == 404


def test_a_partner_reads_the_report_but_cannot_change_it(client, cast):
    project = running_project(cast)
    report = final_report(cast, project)
    services.report_update(
        report_id=report.pk,
        actor=cast.lead_manager,
        narrative="The tour so far.",
        indicators={"events": 4, "audience": {"FR": 120, "IT": 15}},
        costs=[{"partnership": confirmed(project)[0].pk, "amount": Decimal("1234.50")}],
    )
    attachment = project_services.report_attachment_add(
        report_id=report.pk,
        actor=cast.lead_manager,
        file=upload("poster.png", image_bytes("PNG"), "image/png"),
        title="Poster",
    )
    before = snapshot(report)
    login(client, cast.partner_manager)
    response = client.get(report_url(report))
    assert response.status_code == 200
    body = response.content.decode()
    page = text(response)
    assert 'id="report-form"' not in body and 'name="narrative"' not in body
    assert "The tour so far." in page and "1,234.50" in page and "Italy" in page
    assert reverse("workspace:attachment_file", args=[attachment.pk]) in body
    assert "Save and submit" not in page and "Attach the file" not in page

    assert client.post(report_url(report), form_data(project)).status_code == 403
    assert client.post(submit_url(report), form_data(project)).status_code == 403
    response = client.post(attach_url(report), {"attachment-file": upload("x.pdf", pdf_bytes())})
    assert response.status_code == 403
    assert client.post(remove_url(report, attachment)).status_code == 403
    assert snapshot(report) == before
    # The partner downloads the attachment (a member of the project's centres).
    assert client.get(reverse("workspace:attachment_file", args=[attachment.pk])).status_code == 200

    # A coordinator reads too (and acts in the admin).
    response = login(client, cast.coordinator).get(report_url(report))
    assert response.status_code == 200
    assert 'id="report-form"' not in response.content.decode()


def test_a_staff_member_writes_but_only_a_manager_submits(client, cast):
    """workflow.permissions: the lead centre's members write reports (can_write_report); its
    managers submit them (can_run_report_transition / submit_report)."""
    project = running_project(cast, ProjectState.REPORTING)
    report = final_report(cast, project)
    login(client, cast.lead_staff)
    page = text(client.get(report_url(report)))
    assert "Save the report" in page and "Save and submit" not in page
    assert "A manager of Maison de la culture de Lyon submits the report." in page

    before = snapshot(report)
    response = client.post(submit_url(report), form_data(project))
    assert response.status_code == 403
    assert snapshot(report) == before  # refused before anything is saved

    response = client.post(report_url(report), form_data(project))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.narrative.startswith("We toured") and report.state == ReportState.DRAFT

    response = login(client, cast.lead_manager).post(submit_url(report), form_data(project))
    assert response.status_code == 302
    report.refresh_from_db()
    project.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    assert project.state == ProjectState.REPORT_SUBMITTED


# --- Saving -------------------------------------------------------------------------------------


def test_the_lead_saves_narrative_indicators_and_costs(client, cast):
    project = running_project(cast)
    report = final_report(cast, project)
    login(client, cast.lead_manager)
    page = client.get(report_url(report)).content.decode()
    for partnership in confirmed(project):
        assert f'name="cost_{partnership.pk}"' in page
        assert f'name="audience_{partnership.centre.country.code}"' in page

    response = client.post(report_url(report), form_data(project))
    assert response.status_code == 302 and response.url == report_url(report)
    report.refresh_from_db()
    assert report.narrative == "We toured three cities with a shared programme."
    assert report.indicators == {
        "events": 12,
        "artists": 30,
        "participants": 450,
        "travellers": 25,
        "volunteers": 8,
        "audience": {"FR": 300, "BE": 300, "HR": 300, "DE": 40},
        "outputs": [{"title": "Tour film", "url": "https://example.org/film"}],
    }
    assert sorted(report.costs.values_list("amount", flat=True)) == [Decimal("9500.50")] * 3

    # The form shows what is saved; a second save replaces, never duplicates, the costs.
    page = client.get(report_url(report)).content.decode()
    assert 'value="9500.50"' in page and 'value="Tour film"' in page
    assert re.search(r'<option value="DE" selected>', page)
    data = form_data(project, **{f"cost_{confirmed(project)[0].pk}": "100"})
    data[f"cost_{confirmed(project)[1].pk}"] = ""  # not known yet: not reported
    assert client.post(report_url(report), data).status_code == 302
    costs = dict(report.costs.values_list("partnership_id", "amount"))
    assert costs == {
        confirmed(project)[0].pk: Decimal("100"),
        confirmed(project)[2].pk: Decimal("9500.50"),
    }


@pytest.mark.parametrize(
    ("field", "value", "message", "error_field"),
    [
        ("events", "-3", "Write 0 or more.", None),
        ("participants", str(10**30), "Write at most 10000000.", None),
        ("artists", "1e30", "Write a whole number", None),
        ("audience-0-country", "XX", "Choose a country from the list.", None),
        ("audience-0-country", "FR", "This country is listed twice.", None),
        ("audience-1-count", "12", "Choose the country of this audience.", "audience-1-country"),
        ("outputs-0-url", "javascript:alert(1)", "Write a web address", None),
        ("cost", "-100", "Costs cannot be negative.", None),
        ("cost", "10000000000000000000000000000000", "Write the amount in euros", None),
        ("cost", "20,000", "Write the amount in euros", None),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_saved(
    client, cast, field, value, message, error_field
):
    project = running_project(cast)
    report = final_report(cast, project)
    services.report_update(
        report_id=report.pk, actor=cast.lead_manager, narrative="Saved before.", indicators={}
    )
    before = snapshot(report)
    if field == "cost":
        field = f"cost_{confirmed(project)[1].pk}"
    data = form_data(project, **{field: value})
    data[f"audience_{confirmed(project)[0].centre.country.code}"] = "10"
    response = login(client, cast.lead_manager).post(report_url(report), data)
    assert response.status_code == 400
    assert snapshot(report) == before  # not the narrative, not the other partners' costs
    body = response.content.decode()
    assert message in errors_in_summary(response)
    # The error is next to its field, which is marked invalid and keeps what was typed.
    field_id = f"id_{error_field or field}"
    assert re.search(
        rf'<p class="field-errors" id="{field_id}_error">.*?{re.escape(message)}', body
    )
    input_tag = re.search(rf'<(input|select)[^>]*id="{field_id}"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in input_tag and f"{field_id}_error" in input_tag
    assert f'href="#{field_id}"' in body
    assert "We toured three cities" in body  # the rest of the input is kept too


def test_a_partners_costs_cannot_be_given_twice(client, cast):
    project = running_project(cast)
    report = final_report(cast, project)
    before = snapshot(report)
    partner = confirmed(project)[1]
    data = form_data(project)
    data[f"cost_{partner.pk}"] = ["100", "200"]
    response = login(client, cast.lead_manager).post(report_url(report), data)
    assert response.status_code == 400
    assert "Give one amount for this partner." in errors_in_summary(response)
    assert snapshot(report) == before
    # Saved twice, one row per partner (the service replaces them; the database refuses twice).
    client.post(report_url(report), form_data(project))
    client.post(report_url(report), form_data(project))
    assert ReportCost.objects.filter(report=report).count() == 3
    assert ReportCost.objects.filter(report=report, partnership=partner).count() == 1


def test_costs_of_a_centre_outside_the_project_are_ignored(client, cast):
    project = running_project(cast)
    report = final_report(cast, project)
    other = build_ready(cast).partnerships.first()
    data = form_data(project, **{f"cost_{other.pk}": "5"})
    assert login(client, cast.lead_manager).post(report_url(report), data).status_code == 302
    assert not ReportCost.objects.filter(partnership=other).exists()


# --- Attachments --------------------------------------------------------------------------------


def test_pdfs_and_images_are_attached_and_removed(client, cast):
    project = running_project(cast)
    report = final_report(cast, project)
    login(client, cast.lead_staff)  # a member of the lead centre
    response = client.post(
        attach_url(report),
        {"attachment-file": upload("Programme final.pdf", pdf_bytes()), "attachment-title": ""},
    )
    assert response.status_code == 302
    response = client.post(
        attach_url(report),
        {
            "attachment-file": upload("photo.jpg", image_bytes("JPEG"), "image/jpeg"),
            "attachment-title": "Opening night",
        },
    )
    assert response.status_code == 302
    pdf, photo = report.attachments.order_by("pk")
    assert pdf.content_type == "application/pdf" and photo.content_type == "image/jpeg"
    page = client.get(report_url(report)).content.decode()
    for attachment in (pdf, photo):
        assert reverse("workspace:attachment_file", args=[attachment.pk]) in page
    assert "Opening night" in page

    assert client.post(remove_url(report, photo)).status_code == 302
    assert list(report.attachments.all()) == [pdf]
    assert (
        client.post(f"/workspace/reports/{report.pk}/attachments/999999/remove/").status_code == 404
    )


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("report.pdf", HTML, "application/pdf"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 100, "image/png"),
        ("notes.txt", b"just text", "text/plain"),
        ("report.pdf", pdf_bytes(user_password="secret"), "application/pdf"),
        ("big.pdf", oversized_pdf(), "application/pdf"),
    ],
    ids=["html named pdf", "fake png", "text", "encrypted pdf", "over 10 MB"],
)
def test_what_is_not_a_pdf_or_an_image_is_refused(client, cast, name, content, content_type):
    project = running_project(cast)
    report = final_report(cast, project)
    response = login(client, cast.lead_manager).post(
        attach_url(report),
        {"attachment-file": upload(name, content, content_type), "attachment-title": "Proof"},
    )
    assert response.status_code == 400
    assert not ReportAttachment.objects.filter(report=report).exists()
    body = response.content.decode()
    assert "The file was not attached:" in body
    assert re.search(r'<p class="field-errors" id="id_attachment-file_error">', body)
    assert 'value="Proof"' in body


def test_an_upload_without_a_file_is_refused(client, cast):
    project = running_project(cast)
    report = final_report(cast, project)
    response = login(client, cast.lead_manager).post(attach_url(report), {})
    assert response.status_code == 400
    assert "Choose a file to attach." in errors_in_summary(response)


# --- Submitting ---------------------------------------------------------------------------------


def test_an_incomplete_final_report_lists_everything_missing(client, cast):
    project = running_project(cast, ProjectState.REPORTING)
    report = final_report(cast, project)
    login(client, cast.lead_manager)
    page = text(client.get(report_url(report)))
    assert "Before the report can be submitted:" in page  # told before trying

    data = form_data(project, narrative="", events="", artists="", participants="")
    data.update(travellers="", volunteers="", **{"audience-0-country": "", "audience-0-count": ""})
    data.update({"outputs-0-title": "", "outputs-0-url": ""})
    for partnership in confirmed(project):
        data[f"audience_{partnership.centre.country.code}"] = ""
        data[f"cost_{partnership.pk}"] = ""
    data[f"cost_{confirmed(project)[0].pk}"] = "5000"  # only the lead's costs
    response = client.post(submit_url(report), data)
    assert response.status_code == 422
    summary = errors_in_summary(response)
    assert "Your changes are saved, but the report cannot be submitted yet:" in summary
    assert "the narrative" in summary
    assert "the indicators" in summary
    assert "Centre culturel de Liège" in summary and "Kulturni centar Zagreb" in summary
    assert "Maison de la culture de Lyon" not in summary
    report.refresh_from_db()
    project.refresh_from_db()
    assert report.state == ReportState.DRAFT and project.state == ProjectState.REPORTING
    assert report.costs.count() == 1  # what was given is kept


def test_the_final_report_is_submitted_once_reporting_has_begun(client, cast):
    project = running_project(cast)  # in progress
    report = final_report(cast, project)
    login(client, cast.lead_manager)
    page = client.get(report_url(report)).content.decode()
    assert "Save and submit" not in page
    begin = reverse("workspace:project_transition", args=[project.pk, "begin_reporting"])
    assert begin in page

    before = snapshot(report)
    response = client.post(submit_url(report), form_data(project))
    assert response.status_code == 409
    assert "once reporting has begun" in errors_in_summary(response)
    assert snapshot(report) == before

    response = client.post(begin, {"next": report_url(report)})
    assert response.status_code == 302 and response.url == report_url(report)
    assert "Save and submit" in client.get(report_url(report)).content.decode()
    assert client.post(submit_url(report), form_data(project)).status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED

    # Submitted: read-only for everyone, and any change is refused with 409.
    page = client.get(report_url(report)).content.decode()
    assert 'id="report-form"' not in page
    assert client.post(report_url(report), form_data(project)).status_code == 409
    response = client.post(attach_url(report), {"attachment-file": upload("a.pdf", pdf_bytes())})
    assert response.status_code == 409
    assert not report.attachments.exists()


def test_an_interim_report_is_submitted_while_the_project_runs(client, cast):
    project = running_project(cast)
    report = services.report_create(project_id=project.pk, actor=cast.lead_manager, kind="interim")
    response = login(client, cast.lead_manager).post(submit_url(report), form_data(project))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_a_returned_report_shows_its_feedback_and_is_editable_again(client, cast):
    project = running_project(cast, ProjectState.REPORTING)
    report = final_report(cast, project)
    login(client, cast.lead_manager)
    assert client.post(submit_url(report), form_data(project)).status_code == 302
    services.project_transition(
        project_id=project.pk,
        name="return_report",
        actor=cast.coordinator,
        comment="The costs of Zagreb need the invoices attached.",
    )
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED

    response = client.get(report_url(report))
    body = response.content.decode()
    feedback = re.search(
        r'<section class="state-note state-note-warning" id="feedback".*?</section>', body, re.S
    )
    assert feedback, "the feedback is shown first"
    assert "The costs of Zagreb need the invoices attached." in feedback.group(0)
    assert body.index('id="feedback"') < body.index('id="report-form"')
    assert "Save and submit" in body

    # The partners see the feedback too; the list shows it.
    assert "The costs of Zagreb need" in text(
        login(client, cast.partner_manager).get(report_url(report))
    )
    assert "The costs of Zagreb need" in text(client.get(list_url(project)))

    login(client, cast.lead_manager)
    response = client.post(
        attach_url(report), {"attachment-file": upload("invoices.pdf", pdf_bytes())}
    )
    assert response.status_code == 302
    assert client.post(submit_url(report), form_data(project)).status_code == 302
    report.refresh_from_db()
    project.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    assert project.state == ProjectState.REPORT_SUBMITTED
    # Once resubmitted, the earlier feedback is still there, folded.
    assert "The network's earlier feedback" in text(client.get(report_url(report)))


# --- A fixed number of queries ------------------------------------------------------------------


def count_queries(client, url):
    client.get(url)  # warm the per-process caches (content types, site)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


COUNTRIES = ["DE", "IT", "ES", "NL", "PT", "PL", "SE", "CZ"]


def project_with_partners(cast, extra):
    """A running project with lead + 2 partners + `extra` more (each with budget, mandate and
    grant agreement), in reporting."""
    project = build_ready(cast)
    managers = {
        cast.lead_centre.pk: cast.lead_manager,
        cast.partner_centre.pk: cast.partner_manager,
        cast.partner2_centre.pk: cast.partner2_manager,
    }
    for i in range(extra):
        centre = CentreFactory(name=f"Centre {i}", country=COUNTRIES[i])
        manager = UserFactory()
        MembershipFactory(centre=centre, user=manager, role="manager")
        managers[centre.pk] = manager
        add_partner(cast, project, centre, manager)
    advance(cast, project, ProjectState.APPROVED)
    for partnership in project.partnerships.filter(state="confirmed"):
        services.partnership_accept_agreement(
            partnership_id=partnership.pk, actor=managers[partnership.centre_id]
        )
    for name, actor in (("start", cast.coordinator), ("begin_reporting", cast.lead_manager)):
        services.project_transition(project_id=project.pk, name=name, actor=actor)
    project.refresh_from_db()
    return project


def filled_report(cast, project, attachments):
    report = final_report(cast, project)
    partnerships = confirmed(project)
    services.report_update(
        report_id=report.pk,
        actor=cast.lead_manager,
        narrative="Done.",
        indicators={
            "events": 3,
            "audience": {p.centre.country.code: 10 for p in partnerships} | {"US": 4},
            "outputs": [{"title": f"Output {i}", "url": ""} for i in range(attachments)],
        },
        costs=[{"partnership": p.pk, "amount": Decimal("100")} for p in partnerships],
    )
    for i in range(attachments):
        project_services.report_attachment_add(
            report_id=report.pk,
            actor=cast.lead_manager,
            file=upload(f"file-{i}.pdf", pdf_bytes()),
        )
    return report


@pytest.mark.parametrize("who", ["lead_manager", "partner_manager"])
def test_the_report_page_runs_a_fixed_number_of_queries(client, cast, who, record_property):
    small = filled_report(cast, project_with_partners(cast, 0), attachments=1)  # 3 centres
    large = filled_report(cast, project_with_partners(cast, 6), attachments=8)  # 9 centres
    assert large.costs.count() == 9
    login(client, getattr(cast, who))
    counts = (count_queries(client, report_url(small)), count_queries(client, report_url(large)))
    record_property("queries", counts)
    print(f"report page as {who}: {counts[0]} queries (3 partners), {counts[1]} (9 partners)")
    assert counts[0] == counts[1]
    assert counts[1] <= 14


def test_the_reports_list_runs_a_fixed_number_of_queries(client, cast, record_property):
    def grow(project, n):
        for _ in range(n):
            report = services.report_create(
                project_id=project.pk, actor=cast.lead_manager, kind="interim"
            )
            services.report_transition(report_id=report.pk, name="submit", actor=cast.lead_manager)
            services.report_transition(
                report_id=report.pk, name="return", actor=cast.coordinator, comment="More."
            )

    small = running_project(cast)
    grow(small, 2)
    large = running_project(cast)
    grow(large, 12)
    final_report(cast, large)
    login(client, cast.lead_manager)
    counts = (count_queries(client, list_url(small)), count_queries(client, list_url(large)))
    record_property("queries", counts)
    print(f"reports list: {counts[0]} queries (2 reports), {counts[1]} (13 reports)")
    assert counts[0] == counts[1]
    assert counts[1] <= 10


def test_each_partners_planned_budget_is_shown_beside_its_costs(client, cast):
    project = running_project(cast)
    report = final_report(cast, project)
    planned = sum(line["amount"] for line in BUDGET)
    page = text(login(client, cast.lead_manager).get(report_url(report)))
    assert f"{planned:,.2f}" in page
