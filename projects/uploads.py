"""Members' uploads (signed mandates, report attachments): checked by content, stored safely.

The one place that decides what a private upload may be. The client's file name and declared
content type are never trusted: a file is what its first bytes say *and* what a real parser can
open, so an HTML page, an SVG, a ZIP or random bytes renamed ``.pdf`` are refused.

- A PDF starts with ``%PDF-`` and pypdf reads its catalogue and every page. Encrypted PDFs are
  accepted only when they open without a password (owner-password "permissions" encryption, which
  signing tools often add); a PDF that asks for a password is refused, because the coordinators
  who check it could not read it.
- An image (report attachments only) is JPEG, PNG or WebP by its magic bytes, and Pillow opens and
  verifies it as that same format.
- SVG, HTML, ZIP (so also .docx/.odt/.xlsx, which are ZIP containers) and everything else are
  refused.

Stored names are generated (``<prefix>/<year>/<random>.<ext>``, the extension from the detected
type), and the stored content type is the detected one. The checks run once per file object: the
serializer, the service and the model field validators all call them, and a file already checked
is not parsed again.
"""

import contextlib
import logging
import posixpath
import re
import unicodedata
import uuid
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

MB = 1024 * 1024
# Limits per kind of upload; Django's own upload settings only decide memory vs temp file.
MANDATE_MAX_BYTES = 10 * MB
ATTACHMENT_MAX_BYTES = 10 * MB
MAX_ATTACHMENTS_PER_REPORT = 20
SNIFF_BYTES = 16


@dataclass(frozen=True)
class Kind:
    name: str
    content_type: str
    extension: str


PDF = Kind("PDF", "application/pdf", "pdf")
JPEG = Kind("JPEG", "image/jpeg", "jpg")
PNG = Kind("PNG", "image/png", "png")
WEBP = Kind("WEBP", "image/webp", "webp")
KINDS = (PDF, JPEG, PNG, WEBP)
MANDATE_KINDS = (PDF,)
ATTACHMENT_KINDS = (PDF, JPEG, PNG, WEBP)
BY_EXTENSION = {kind.extension: kind for kind in KINDS} | {"jpeg": JPEG}
BY_CONTENT_TYPE = {kind.content_type: kind for kind in KINDS}

# The attribute a checked file object carries, so later checks of the same object are free.
CHECKED = "_ensemble_upload_kind"


def sniff(head):
    """The kind the first bytes announce, or None."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def _raw(file):
    """The uploaded file object behind a model's FieldFile (or the object itself)."""
    if getattr(file, "_committed", None) is False and getattr(file, "_file", None) is not None:
        return file._file
    return file


def _read_head(file):
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    return head


def _parses_as_pdf(file):
    from pypdf import PdfReader

    file.seek(0)
    try:
        # Not strict: real-world PDFs (scanners, signing tools) carry small flaws pypdf repairs;
        # a header followed by anything but PDF objects still fails to yield a catalogue.
        reader = PdfReader(file, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return _("This PDF is protected by a password; upload it without one.")
        pages = reader.pages
        if len(pages) < 1:
            return _("This PDF has no pages.")
        for page in pages:
            page.mediabox  # noqa: B018 (reading each page's box parses its dictionary)
    except Exception:  # pypdf raises many kinds (PdfReadError, KeyError, RecursionError…)
        logger.info("upload refused: unreadable PDF", exc_info=True)
        return _("This file is not a readable PDF.")
    finally:
        file.seek(0)
    return None


def _parses_as_image(file, kind):
    from PIL import Image

    file.seek(0)
    try:
        with Image.open(file, formats=[kind.name]) as image:
            if image.format != kind.name:
                return _("This file is not a readable image.")
            image.verify()
    except Exception:  # Pillow: UnidentifiedImageError, SyntaxError, DecompressionBombError…
        logger.info("upload refused: unreadable image", exc_info=True)
        return _("This file is not a readable image.")
    finally:
        file.seek(0)
    return None


def _describe(kinds):
    return ", ".join(kind.name for kind in kinds)


def check(file, *, kinds, max_bytes):
    """The file's Kind if it is one of `kinds` by content and at most `max_bytes`; otherwise a
    ValidationError (codes: file_empty, file_too_large, file_type, file_unreadable)."""
    raw = _raw(file)
    known = getattr(raw, CHECKED, None)
    if known is not None and known in kinds:
        return known
    size = raw.size
    if size is None or size == 0:
        raise ValidationError(_("The file is empty."), code="file_empty")
    if size > max_bytes:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB."),
            params={"size": round(size / MB, 1), "limit": max_bytes // MB},
            code="file_too_large",
        )
    kind = sniff(_read_head(raw))
    if kind not in kinds:
        raise ValidationError(
            _("This type of file is not accepted. Accepted: %(kinds)s."),
            params={"kinds": _describe(kinds)},
            code="file_type",
        )
    problem = _parses_as_pdf(raw) if kind is PDF else _parses_as_image(raw, kind)
    if problem:
        raise ValidationError(problem, code="file_unreadable")
    # An object that refuses attributes is simply checked again next time.
    with contextlib.suppress(AttributeError):
        setattr(raw, CHECKED, kind)
    return kind


def validate_mandate(file):
    """Model/serializer validator: a signed mandate is a readable PDF of at most 10 MB."""
    if getattr(file, "_committed", False):
        return  # already stored, so it was checked when it came in
    check(file, kinds=MANDATE_KINDS, max_bytes=MANDATE_MAX_BYTES)


def validate_attachment(file):
    """Model/serializer validator: a PDF, JPEG, PNG or WebP of at most 10 MB."""
    if getattr(file, "_committed", False):
        return
    check(file, kinds=ATTACHMENT_KINDS, max_bytes=ATTACHMENT_MAX_BYTES)


def prepare(file, kind):
    """Give a checked upload its stored identity: a random name with the detected extension and
    the detected content type (S3 keeps it as the object's Content-Type). Returns the file."""
    raw = _raw(file)
    raw.name = f"{uuid.uuid4().hex}.{kind.extension}"
    raw.content_type = kind.content_type
    return raw


def display_name(client_name, kind, *, default="file"):
    """A harmless name to show and to download under: the client's base name, without paths or
    control characters, with the extension of the detected type."""
    base = posixpath.basename(str(client_name or "").replace("\\", "/"))
    base = unicodedata.normalize("NFC", base).rsplit(".", 1)[0]
    base = re.sub(r"[\x00-\x1f\x7f\"<>:/\\|?*;]+", "", base).strip(" .")[:150]
    return f"{base or default}.{kind.extension}"


def _generated(prefix, filename):
    extension = posixpath.splitext(str(filename))[1].lstrip(".").lower()
    extension = BY_EXTENSION[extension].extension if extension in BY_EXTENSION else "bin"
    return f"{prefix}/{timezone.now():%Y}/{uuid.uuid4().hex}.{extension}"


def mandate_upload_to(instance, filename):
    """Never the client's path: a random name under mandates/<year>/."""
    return _generated("mandates", filename)


def attachment_upload_to(instance, filename):
    return _generated("reports", filename)


def answer_upload_to(instance, filename):
    return _generated("answers", filename)


def kind_of_name(name):
    """The Kind of a stored name (by the extension this module gave it), or None."""
    return BY_EXTENSION.get(posixpath.splitext(str(name))[1].lstrip(".").lower())


def _delete_quietly(storage, name):
    try:
        storage.delete(name)
    except Exception:  # a storage outage must not undo a committed change; log and move on
        logger.warning("could not delete stored file %s", name, exc_info=True)


def delete_after_commit(storage, name):
    """Delete a stored file once the current transaction commits: a rollback loses nothing."""
    if name:
        transaction.on_commit(partial(_delete_quietly, storage, name))


def can_read_private_files(user, project):
    """Mandates and report attachments: coordinators and members of the project's centres (any
    partnership state: lead, partners, invited or asking). Not reviewers, who judge the proposal
    itself, and not the public, even when the project is public. `project.partnerships` is read
    through the prefetch cache when there is one."""
    from workflow import permissions

    roles = permissions.roles_of(user)
    if roles.is_coordinator:
        return True
    return bool(roles.centres) and any(
        p.centre_id in roles.centres for p in project.partnerships.all()
    )
