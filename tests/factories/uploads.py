"""Files to upload in tests: real small PDFs and images, and what must be refused."""

import io
import random
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

MB = 1024 * 1024


def pdf_bytes(*, pages=1, user_password=None, owner_password=None):
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if user_password is not None or owner_password is not None:
        writer.encrypt(
            user_password=user_password or "", owner_password=owner_password, algorithm="AES-256"
        )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image_bytes(format_name):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 40, 40)).save(buffer, format_name)
    return buffer.getvalue()


def zip_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def noise(size=4096, seed=7):
    return random.Random(seed).randbytes(size)


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

# (label, client file name, bytes): each refused, whatever its name says.
REFUSED = [
    ("html", "mandate.pdf", HTML),
    ("svg", "mandate.pdf", SVG),
    ("zip", "mandate.pdf", zip_bytes()),
    ("random bytes", "mandate.pdf", noise()),
    ("pdf header and garbage", "mandate.pdf", b"%PDF-1.7\n" + noise()),
    ("truncated pdf", "mandate.pdf", pdf_bytes()[:200]),
    ("password-protected pdf", "mandate.pdf", pdf_bytes(user_password="secret")),
    ("empty", "mandate.pdf", b""),
]
# Images are accepted as report attachments, never as mandates.
IMAGE_REFUSED = [
    ("png header and garbage", "photo.png", b"\x89PNG\r\n\x1a\n" + noise()),
    ("jpeg header and garbage", "photo.jpg", b"\xff\xd8\xff\xe0" + noise()),
    ("svg named png", "photo.png", SVG),
    ("html named jpg", "photo.jpg", HTML),
]


def upload(name, content, content_type="application/pdf"):
    """As a browser sends it: the client's name and declared type, both untrusted."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def oversized_pdf():
    # A real PDF padded past 10 MB (trailing bytes after %%EOF are legal): refused for size.
    return pdf_bytes() + b"\n%" + b"0" * (10 * MB)
