"""Private files through the API and the workspace: uploads checked by content, stored under
generated names, replaced files deleted after the commit, downloads by role."""

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from projects.models import Partnership, ReportAttachment
from tests.factories.auth import verified_login
from tests.factories.uploads import (
    IMAGE_REFUSED,
    REFUSED,
    image_bytes,
    oversized_pdf,
    pdf_bytes,
    upload,
)
from tests.workflow.conftest import advance, build_draft, build_ready
from workflow import services
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db

FIELDS = [(Partnership, "mandate_file"), (ReportAttachment, "file")]


@pytest.fixture
def private_storage(tmp_path, monkeypatch):
    """The private storage in a fresh directory, so a test sees exactly what it stored."""
    storage = FileSystemStorage(location=str(tmp_path), base_url=None)
    for model, name in FIELDS:
        monkeypatch.setattr(model._meta.get_field(name), "storage", storage)
    return storage


def stored_files(storage):
    root = storage.location
    import os

    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _dirs, names in os.walk(root)
        for name in names
    )


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def sign(client, partnership, file):
    return client.post(
        f"/api/v1/partnerships/{partnership.pk}/mandate/",
        {"declaration": "true", "file": file},
        format="multipart",
    )


def lead_partnership(project):
    return project.partnerships.get(role="lead")


def body(response):
    return b"".join(response.streaming_content)


# --- Mandates: what is accepted -----------------------------------------------------------------


@pytest.mark.parametrize(("label", "name", "content"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_mandates_leave_nothing_behind(cast, private_storage, label, name, content):
    partnership = lead_partnership(build_draft(cast))
    response = sign(client_for(cast.lead_manager), partnership, upload(name, content))
    assert response.status_code == 400, response.content
    assert "file" in response.json()
    partnership.refresh_from_db()
    assert partnership.mandate_signed_at is None
    assert not partnership.mandate_file
    assert stored_files(private_storage) == []


def test_refusals_speak_the_users_language(cast, private_storage):
    partnership = lead_partnership(build_draft(cast))
    response = client_for(cast.lead_manager).post(
        f"/api/v1/partnerships/{partnership.pk}/mandate/",
        {"declaration": "true", "file": upload("m.pdf", b"<html></html>")},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 400
    assert "n’est pas accepté" in response.json()["file"][0]


def test_an_oversized_mandate_is_refused(cast, private_storage):
    partnership = lead_partnership(build_draft(cast))
    response = sign(client_for(cast.lead_manager), partnership, upload("m.pdf", oversized_pdf()))
    assert response.status_code == 400
    assert "10 MB" in response.json()["file"][0]
    assert stored_files(private_storage) == []


def test_a_real_pdf_is_stored_under_a_generated_name(cast, private_storage):
    partnership = lead_partnership(build_draft(cast))
    content = pdf_bytes()
    response = sign(
        client_for(cast.lead_manager),
        partnership,
        upload("../../evil <script>.pdf", content, content_type="text/html"),
    )
    assert response.status_code == 200, response.json()
    assert response.json()["mandate_signed"] is True
    assert response.json()["mandate_file_url"].endswith(
        f"/api/v1/partnerships/{partnership.pk}/mandate/file/"
    )
    partnership.refresh_from_db()
    [name] = stored_files(private_storage)
    assert name == partnership.mandate_file.name
    assert name.startswith("mandates/") and name.endswith(".pdf")
    assert "evil" not in name and "script" not in name
    assert private_storage.open(name).read() == content


def test_the_service_checks_too(cast, private_storage):
    """Callers other than the API (workspace, commands) meet the same rule."""
    from django.core.exceptions import ValidationError

    partnership = lead_partnership(build_draft(cast))
    with pytest.raises(ValidationError) as error:
        services.partnership_sign_mandate(
            partnership_id=partnership.pk,
            actor=cast.lead_manager,
            declaration=True,
            file=upload("m.pdf", b"<svg/>"),
        )
    assert "file" in error.value.message_dict
    assert stored_files(private_storage) == []


def test_replacing_a_mandate_deletes_the_old_file_after_the_commit(
    cast, private_storage, django_capture_on_commit_callbacks
):
    partnership = lead_partnership(build_draft(cast))
    client = client_for(cast.lead_manager)
    assert sign(client, partnership, upload("one.pdf", pdf_bytes(pages=1))).status_code == 200
    [first] = stored_files(private_storage)
    with django_capture_on_commit_callbacks() as callbacks:
        assert sign(client, partnership, upload("two.pdf", pdf_bytes(pages=2))).status_code == 200
        # Until the commit, both files are there: a rollback would lose nothing.
        assert len(stored_files(private_storage)) == 2
    for callback in callbacks:
        callback()
    partnership.refresh_from_db()
    assert stored_files(private_storage) == [partnership.mandate_file.name]
    assert partnership.mandate_file.name != first


def test_a_rolled_back_replacement_keeps_the_old_file(
    cast, private_storage, django_capture_on_commit_callbacks
):
    partnership = lead_partnership(build_draft(cast))
    services.partnership_sign_mandate(
        partnership_id=partnership.pk,
        actor=cast.lead_manager,
        declaration=True,
        file=upload("one.pdf", pdf_bytes()),
    )
    partnership.refresh_from_db()
    first = partnership.mandate_file.name
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.partnership_sign_mandate(
            partnership_id=partnership.pk,
            actor=cast.lead_manager,
            declaration=True,
            file=upload("two.pdf", pdf_bytes(pages=2)),
        )
        raise RuntimeError("something later in the same transaction failed")
    assert callbacks == []
    partnership.refresh_from_db()
    assert partnership.mandate_file.name == first
    assert private_storage.exists(first)


# --- Mandates: who downloads -------------------------------------------------------------------


@pytest.fixture
def signed(cast, private_storage):
    """A proposal under review whose lead signed with a PDF; the reviewer is assigned."""
    project = build_ready(cast)
    partnership = lead_partnership(project)
    content = pdf_bytes()
    services.partnership_sign_mandate(
        partnership_id=partnership.pk,
        actor=cast.lead_manager,
        declaration=True,
        file=upload("mandate.pdf", content),
    )
    advance(cast, project, ProjectState.UNDER_REVIEW)
    services.review_assign(project_id=project.pk, reviewer=cast.reviewer, actor=cast.coordinator)
    return project, partnership, content


def assert_downloads(response, content):
    assert response.status_code == 200
    assert body(response) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_mandate_download_through_the_api_by_role(cast, signed):
    project, partnership, content = signed
    url = f"/api/v1/partnerships/{partnership.pk}/mandate/file/"
    for user in (cast.lead_staff, cast.partner_manager, cast.coordinator):
        assert_downloads(client_for(user).get(url, HTTP_ACCEPT="application/pdf"), content)
    # The reviewer sees the proposal, but not the centres' signed papers.
    reviewer = client_for(cast.reviewer)
    assert reviewer.get(f"/api/v1/projects/{project.pk}/").status_code == 200
    assert reviewer.get(url).status_code == 404
    assert client_for(cast.other_manager).get(url).status_code == 404
    assert APIClient().get(url).status_code == 401


def test_a_public_project_does_not_make_its_mandates_public(cast, private_storage):
    project = build_draft(cast)
    partnership = lead_partnership(project)
    services.partnership_sign_mandate(
        partnership_id=partnership.pk,
        actor=cast.lead_manager,
        declaration=True,
        file=upload("mandate.pdf", pdf_bytes()),
    )
    services.project_transition(
        project_id=project.pk, name="open_partner_search", actor=cast.lead_manager
    )
    other = client_for(cast.other_manager)
    assert other.get(f"/api/v1/partnerships/{partnership.pk}/").json()["mandate_file_url"] is None
    assert other.get(f"/api/v1/partnerships/{partnership.pk}/mandate/file/").status_code == 404


def test_no_file_is_a_404(cast, private_storage):
    partnership = lead_partnership(build_draft(cast))
    url = f"/api/v1/partnerships/{partnership.pk}/mandate/file/"
    assert client_for(cast.lead_manager).get(url).status_code == 404


def test_mandate_download_in_the_workspace_by_role(cast, signed, client):
    _project, partnership, content = signed
    url = f"/workspace/files/mandates/{partnership.pk}/"
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for user in (cast.lead_staff, cast.partner_manager):
        client.force_login(user)
        assert_downloads(client.get(url), content)
    for user in (cast.reviewer, cast.other_manager):
        client.force_login(user)
        assert client.get(url).status_code == 404
    verified_login(client, cast.coordinator)
    assert_downloads(client.get(url), content)


# --- Report attachments --------------------------------------------------------------------------


@pytest.fixture
def report(cast, private_storage):
    project = advance(cast, build_ready(cast), ProjectState.IN_PROGRESS)
    return services.report_create(project_id=project.pk, actor=cast.lead_manager, kind="interim")


def attach(client, report, file, **data):
    return client.post(
        f"/api/v1/reports/{report.pk}/attachments/", {"file": file, **data}, format="multipart"
    )


def test_attach_list_download_and_remove(
    cast, report, private_storage, django_capture_on_commit_callbacks
):
    lead = client_for(cast.lead_staff)
    photo = image_bytes("PNG")
    response = attach(lead, report, upload("C:\\photos\\Stage.png", photo, "text/html"))
    assert response.status_code == 201, response.json()
    attachment = response.json()
    assert attachment["title"] == "Stage.png"
    assert attachment["name"] == "Stage.png"
    assert attachment["content_type"] == "image/png"
    assert attachment["size"] == len(photo)
    [name] = stored_files(private_storage)
    assert name.startswith("reports/") and name.endswith(".png") and "Stage" not in name

    listed = lead.get(f"/api/v1/reports/{report.pk}/").json()["attachments"]
    assert [a["id"] for a in listed] == [attachment["id"]]
    url = listed[0]["download_url"]
    assert url.endswith(f"/api/v1/reports/{report.pk}/attachments/{attachment['id']}/file/")

    for user in (cast.lead_manager, cast.partner_manager, cast.coordinator):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert body(response) == photo
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert 'filename="Stage.png"' in response["Content-Disposition"]
    for user in (cast.other_manager, cast.reviewer):
        assert client_for(user).get(url).status_code == 404
    assert APIClient().get(url).status_code == 401

    workspace = f"/workspace/files/attachments/{attachment['id']}/"
    from django.test import Client

    browser = Client()
    browser.force_login(cast.partner_manager)
    assert browser.get(workspace).status_code == 200
    browser.force_login(cast.other_manager)
    assert browser.get(workspace).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        response = lead.delete(f"/api/v1/reports/{report.pk}/attachments/{attachment['id']}/")
    assert response.status_code == 204
    assert stored_files(private_storage) == []
    assert not ReportAttachment.objects.exists()
    assert client_for(cast.lead_manager).get(url).status_code == 404


@pytest.mark.parametrize(
    ("label", "name", "content"),
    [*REFUSED, *IMAGE_REFUSED, ("oversized", "big.pdf", oversized_pdf())],
    ids=[r[0] for r in [*REFUSED, *IMAGE_REFUSED]] + ["oversized"],
)
def test_refused_attachments_leave_nothing_behind(
    cast, report, private_storage, label, name, content
):
    response = attach(client_for(cast.lead_manager), report, upload(name, content))
    assert response.status_code == 400
    assert "file" in response.json()
    assert stored_files(private_storage) == []
    assert not ReportAttachment.objects.exists()


def test_a_pdf_attachment_with_a_title(cast, report, private_storage):
    response = attach(
        client_for(cast.lead_manager), report, upload("r.pdf", pdf_bytes()), title="Programme"
    )
    assert response.status_code == 201
    assert response.json()["title"] == "Programme"
    assert response.json()["content_type"] == "application/pdf"


def test_only_the_lead_centre_attaches_and_removes(cast, report, private_storage):
    # Partners read the report and its files, but the report is the lead centre's to write.
    response = attach(client_for(cast.partner_manager), report, upload("a.png", image_bytes("PNG")))
    assert response.status_code == 403
    assert attach(
        client_for(cast.other_manager), report, upload("a.png", image_bytes("PNG"))
    ).status_code == (404)
    attachment = attach(
        client_for(cast.lead_manager), report, upload("a.png", image_bytes("PNG"))
    ).json()
    url = f"/api/v1/reports/{report.pk}/attachments/{attachment['id']}/"
    assert client_for(cast.partner_manager).delete(url).status_code == 403
    assert client_for(cast.coordinator).delete(url).status_code == 403
    assert len(stored_files(private_storage)) == 1


def test_a_submitted_report_takes_no_attachments(cast, report, private_storage):
    attachment = attach(
        client_for(cast.lead_manager), report, upload("a.png", image_bytes("PNG"))
    ).json()
    services.report_transition(report_id=report.pk, name="submit", actor=cast.lead_manager)
    lead = client_for(cast.lead_manager)
    response = attach(lead, report, upload("b.png", image_bytes("PNG")))
    assert response.status_code == 409
    url = f"/api/v1/reports/{report.pk}/attachments/{attachment['id']}/"
    assert lead.delete(url).status_code == 409
    assert len(stored_files(private_storage)) == 1


def test_an_attachment_of_another_report_is_not_found(cast, report, private_storage):
    other = services.report_create(
        project_id=report.project_id, actor=cast.lead_manager, kind="final"
    )
    lead = client_for(cast.lead_manager)
    attachment = attach(lead, other, upload("a.png", image_bytes("PNG"))).json()
    wrong = f"/api/v1/reports/{report.pk}/attachments/{attachment['id']}/"
    assert lead.get(f"{wrong}file/").status_code == 404
    assert lead.delete(wrong).status_code == 404
    assert ReportAttachment.objects.count() == 1


def test_deleting_a_report_deletes_its_files(
    cast, report, private_storage, django_capture_on_commit_callbacks
):
    attach(client_for(cast.lead_manager), report, upload("a.png", image_bytes("PNG")))
    with django_capture_on_commit_callbacks(execute=True):
        report.delete()
    assert stored_files(private_storage) == []


def test_the_attachment_list_costs_a_fixed_number_of_queries(cast, report, private_storage):
    lead = client_for(cast.lead_manager)
    url = f"/api/v1/reports/{report.pk}/"

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert lead.get(url).status_code == 200
        return len(queries)

    attach(lead, report, upload("a.png", image_bytes("PNG")))
    one = count()
    for n in range(4):
        attach(lead, report, upload(f"{n}.jpg", image_bytes("JPEG")))
    assert len(lead.get(url).json()["attachments"]) == 5
    assert count() == one


# --- On S3: a redirect to a short-lived signed URL -----------------------------------------------


@pytest.fixture
def s3_private_storage(s3_on_moto, monkeypatch):
    """The production storage configuration against moto (tests/conftest.py)."""
    from django.core.files.storage import storages

    storage = storages["private"]
    # The fields resolved their storage at import; point them at this one.
    for model, name in FIELDS:
        monkeypatch.setattr(model._meta.get_field(name), "storage", storage)
    return s3_on_moto


def test_on_s3_downloads_redirect_to_a_signed_url(
    cast, s3_private_storage, django_capture_on_commit_callbacks
):
    import urllib.request
    from urllib.parse import parse_qs, urlparse

    client, bucket = s3_private_storage
    partnership = lead_partnership(build_draft(cast))
    lead = client_for(cast.lead_manager)
    assert sign(lead, partnership, upload("old.pdf", pdf_bytes(pages=3))).status_code == 200
    partnership.refresh_from_db()
    old_key = f"private/{partnership.mandate_file.name}"
    content = pdf_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        response = sign(lead, partnership, upload("m.pdf", content, content_type="text/html"))
    assert response.status_code == 200
    partnership.refresh_from_db()
    key = f"private/{partnership.mandate_file.name}"
    # Stored under the detected type, not the one the client declared; the old one is gone.
    assert client.head_object(Bucket=bucket, Key=key)["ContentType"] == "application/pdf"
    listed = client.list_objects_v2(Bucket=bucket, Prefix="private/mandates/")["Contents"]
    assert [o["Key"] for o in listed] == [key] and key != old_key

    url = f"/api/v1/partnerships/{partnership.pk}/mandate/file/"
    assert client_for(cast.other_manager).get(url).status_code == 404
    response = client_for(cast.lead_staff).get(url)
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    signed = response["Location"]
    assert urlparse(signed).path == f"/{bucket}/{key}"
    query = parse_qs(urlparse(signed).query)
    assert query["X-Amz-Expires"] == ["120"] and "X-Amz-Signature" in query
    with urllib.request.urlopen(signed, timeout=10) as download:
        assert download.read() == content
        assert download.headers["Content-Type"] == "application/pdf"
        assert download.headers["Content-Disposition"].startswith("attachment;")
    # Unsigned, the same object is refused: the bucket is private.
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(signed.split("?")[0], timeout=10)
