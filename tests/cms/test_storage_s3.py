"""Files on S3 through the project's own production storage configuration (django-storages)."""

import urllib.error
import urllib.request
import uuid
from urllib.parse import parse_qs, urlparse

import boto3
import environ
import pytest
from botocore.config import Config
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import override_settings

from cms.settings.storage import s3_storages


@pytest.fixture
def bucket():
    return f"ensemble-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def s3_settings(moto_server, monkeypatch, bucket):
    env = {
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": moto_server,
        "AWS_S3_REGION_NAME": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_QUERYSTRING_EXPIRE": "120",
        "AWS_S3_ADDRESSING_STYLE": "path",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # The bucket exists before the application runs (infrastructure, not app code).
    boto3.client(
        "s3",
        endpoint_url=moto_server,
        region_name="eu-west-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
        config=Config(s3={"addressing_style": "path"}),
    ).create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    with override_settings(STORAGES=s3_storages(environ.Env())):
        yield


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
