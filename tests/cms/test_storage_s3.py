"""Files on S3 through the project's own production storage configuration (django-storages)."""

import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages


@pytest.fixture
def bucket(s3_on_moto):
    return s3_on_moto[1]


@pytest.fixture
def s3_settings(s3_on_moto):
    return s3_on_moto


def test_private_files_round_trip_through_signed_urls(s3_settings, bucket):
    storage = storages["private"]
    name = storage.save("mandates/2027/mandate.pdf", ContentFile(b"%PDF-1.7 signed mandate"))
    assert name.startswith("mandates/2027/mandate")
    assert storage.exists(name)
    with storage.open(name) as handle:
        assert handle.read() == b"%PDF-1.7 signed mandate"

    url = storage.url(name)
    query = parse_qs(urlparse(url).query)
    assert urlparse(url).path == f"/{bucket}/private/{name}"
    assert query["X-Amz-Expires"] == ["120"]
    assert "X-Amz-Signature" in query
    with urllib.request.urlopen(url) as response:
        assert response.read() == b"%PDF-1.7 signed mandate"

    # Without its signature the object is not readable.
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(url.split("?")[0])
    assert error.value.code == 403

    storage.delete(name)
    assert not storage.exists(name)


def test_a_second_upload_of_the_same_name_never_overwrites(s3_settings):
    storage = storages["private"]
    first = storage.save("reports/report.pdf", ContentFile(b"first"))
    second = storage.save("reports/report.pdf", ContentFile(b"second"))
    assert first != second
    with storage.open(first) as handle:
        assert handle.read() == b"first"


def test_public_media_has_plain_urls_under_its_own_prefix(s3_settings, bucket):
    storage = storages["default"]
    name = storage.save("images/poster.txt", ContentFile(b"poster"))
    url = storage.url(name)
    assert "X-Amz-Signature" not in url
    assert urlparse(url).path == f"/{bucket}/media/{name}"
    storage.delete(name)
