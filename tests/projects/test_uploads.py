"""What a private upload may be (projects/uploads.py): checked by content, never by name."""

import pytest
from django.core.exceptions import ValidationError

from projects import uploads
from tests.factories import PartnershipFactory
from tests.factories.uploads import (
    IMAGE_REFUSED,
    REFUSED,
    image_bytes,
    oversized_pdf,
    pdf_bytes,
    upload,
)


def check_attachment(file):
    return uploads.check(
        file, kinds=uploads.ATTACHMENT_KINDS, max_bytes=uploads.ATTACHMENT_MAX_BYTES
    )


def check_mandate(file):
    return uploads.check(file, kinds=uploads.MANDATE_KINDS, max_bytes=uploads.MANDATE_MAX_BYTES)


@pytest.mark.parametrize(("label", "name", "content"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_whatever_their_name(label, name, content):
    for check in (check_mandate, check_attachment):
        with pytest.raises(ValidationError) as error:
            check(upload(name, content))
        assert error.value.code in {"file_empty", "file_type", "file_unreadable"}


@pytest.mark.parametrize(
    ("label", "name", "content"), IMAGE_REFUSED, ids=[r[0] for r in IMAGE_REFUSED]
)
def test_fake_images_are_refused(label, name, content):
    with pytest.raises(ValidationError):
        check_attachment(upload(name, content, content_type="image/png"))


def test_a_pdf_header_followed_by_garbage_is_unreadable():
    from tests.factories.uploads import noise

    with pytest.raises(ValidationError) as error:
        check_mandate(upload("mandate.pdf", b"%PDF-1.7\n" + noise()))
    assert error.value.code == "file_unreadable"


def test_a_real_pdf_is_a_pdf_whatever_its_name_and_declared_type():
    kind = check_mandate(upload("scan.html", pdf_bytes(pages=2), content_type="text/html"))
    assert kind is uploads.PDF


def test_a_pdf_encrypted_without_user_password_opens_so_it_is_accepted():
    assert check_mandate(upload("m.pdf", pdf_bytes(owner_password="owner"))) is uploads.PDF


def test_a_password_protected_pdf_is_refused_with_a_reason():
    with pytest.raises(ValidationError) as error:
        check_mandate(upload("m.pdf", pdf_bytes(user_password="secret")))
    assert "password" in str(error.value.messages[0])


@pytest.mark.parametrize(
    ("format_name", "kind"),
    [("JPEG", uploads.JPEG), ("PNG", uploads.PNG), ("WEBP", uploads.WEBP)],
)
def test_images_are_attachments_but_not_mandates(format_name, kind):
    content = image_bytes(format_name)
    assert check_attachment(upload("photo.bin", content, content_type="image/x")) is kind
    with pytest.raises(ValidationError) as error:
        check_mandate(upload("photo.pdf", content))
    assert error.value.code == "file_type"


def test_size_limit():
    with pytest.raises(ValidationError) as error:
        check_mandate(upload("mandate.pdf", oversized_pdf()))
    assert error.value.code == "file_too_large"
    assert "the limit is 10 MB" in error.value.messages[0]


def test_a_checked_file_is_not_parsed_again(monkeypatch):
    file = upload("mandate.pdf", pdf_bytes())
    check_mandate(file)
    monkeypatch.setattr(uploads, "_parses_as_pdf", lambda f: pytest.fail("parsed twice"))
    assert check_mandate(file) is uploads.PDF
    uploads.validate_mandate(file)


def test_stored_names_are_generated_never_the_clients_path():
    name = uploads.mandate_upload_to(None, "../../etc/passwd.pdf")
    assert name.startswith("mandates/") and name.endswith(".pdf")
    assert ".." not in name and "passwd" not in name
    # An extension of no accepted type never reaches storage either.
    assert uploads.attachment_upload_to(None, "x.html").endswith(".bin")


def test_display_names_lose_paths_and_take_the_detected_extension():
    assert uploads.display_name("C:\\Users\\me\\Rapport final.exe", uploads.PDF) == (
        "Rapport final.pdf"
    )
    assert uploads.display_name("../../\x00.png", uploads.PDF, default="mandate") == "mandate.pdf"


@pytest.mark.django_db
def test_model_validation_uses_the_same_rule():
    partnership = PartnershipFactory()
    partnership.mandate_file = upload("mandate.pdf", b"<html><script></script></html>")
    with pytest.raises(ValidationError) as error:
        partnership.full_clean()
    assert error.value.error_dict["mandate_file"][0].code == "file_type"
    partnership.mandate_file = upload("mandate.pdf", pdf_bytes())
    partnership.full_clean()
