"""Settings come from the environment; production refuses to start without its secrets."""

import os
import subprocess
import sys
from pathlib import Path

import environ
import pytest

from cms.settings.storage import s3_storages

ROOT = Path(__file__).resolve().parents[2]
SECRET = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz-secret"
PRODUCTION_ENV = {
    "SECRET_KEY": SECRET,
    "DATABASE_URL": "sqlite:////tmp/ensemble-check.sqlite3",
    "ALLOWED_HOSTS": "ensemble.example.org",
    "AWS_STORAGE_BUCKET_NAME": "ensemble-media",
    "REDIS_URL": "redis://127.0.0.1:6379/1",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
}


def manage(*args, env):
    base = {
        key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "DJANGO_"))
    }
    base.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args, "--settings=cms.settings.production"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_production_refuses_a_weak_secret_key():
    result = manage("check", env={**PRODUCTION_ENV, "SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "SECRET_KEY must be a random string" in result.stderr


def test_the_s3_storages_keep_addressing_and_checksums_inside_the_botocore_config(monkeypatch):
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "bucket")
    monkeypatch.setenv("AWS_S3_ADDRESSING_STYLE", "path")
    storages = s3_storages(environ.Env())
    private = storages["private"]["OPTIONS"]
    config = private["client_config"]
    assert config.s3 == {"addressing_style": "path"}
    assert config.signature_version == "s3v4"
    assert config.request_checksum_calculation == "when_required"
    assert "addressing_style" not in private and "signature_version" not in private
    assert private["querystring_auth"] is True and private["location"] == "private"
    assert storages["default"]["OPTIONS"]["querystring_auth"] is False
