import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from cms.demo import ensure_site_tree


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttles count in the cache (API token requests, password resets): each test starts
    with none spent by the tests before it."""
    from django.core.cache import cache

    from cms.cache import LocalMemo

    cache.clear()
    LocalMemo.clear_all()  # and this process's copies of it


@pytest.fixture(autouse=True)
def _default_language():
    """A request in French leaves French active in the thread (Django resets it only at the
    start of the next request): each test starts, and ends, in the default language, so a
    service's messages read the same whichever test ran before it on the same worker."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def site_tree(db):
    """The public site's home page in English and French (without its sections: quicker)."""
    return ensure_site_tree(sections=False)


@pytest.fixture
def public_site(db):
    """The public site as seed_demo makes it: the home page and every section (showcase, Fair,
    centres, calls, insights, resources, news, about) in English and French."""
    return ensure_site_tree()


# The cast of a proposal's life (lead, partners, reviewers, coordinator), for every test package.
from tests.workflow.conftest import cast  # noqa: E402, F401


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def moto_server():
    """An S3-compatible server (moto) on a free loopback port, for the whole session (storage
    tests in tests/cms and the private-file downloads in tests/projects)."""
    port = free_port()
    executable = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(
        [str(executable), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("moto_server did not start") from None
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def s3_on_moto(moto_server, monkeypatch):
    """The project's own production storage configuration (cms/settings/storage.py) against
    moto, in a fresh bucket: yields (boto3 client, bucket name) while STORAGES points at it."""
    import uuid

    import boto3
    import environ
    from botocore.config import Config
    from django.test import override_settings

    from cms.settings.storage import s3_storages

    bucket = f"ensemble-{uuid.uuid4().hex[:12]}"
    for name, value in {
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": moto_server,
        "AWS_S3_REGION_NAME": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_QUERYSTRING_EXPIRE": "120",
        "AWS_S3_ADDRESSING_STYLE": "path",
    }.items():
        monkeypatch.setenv(name, value)
    # The bucket exists before the application runs (infrastructure, not app code).
    client = boto3.client(
        "s3",
        endpoint_url=moto_server,
        region_name="eu-west-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
        config=Config(s3={"addressing_style": "path"}),
    )
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    with override_settings(STORAGES=s3_storages(environ.Env())):
        yield client, bucket
