"""S3 storages (django-storages) built from the environment.

Static files are served by WhiteNoise from the application (hashed names, cached forever), so S3
holds uploads only, in two storages of one bucket:

- ``default``: public media (Wagtail images and documents of the public site) under ``media/``,
  addressed by plain URLs; the bucket policy or CDN makes that prefix readable.
- ``private``: mandates, reports' attachments and other member files under ``private/``, never
  public, handed out only as short-lived signed URLs after a permission check.
"""

from botocore.config import Config


def s3_options(env, *, location, signed):
    endpoint_url = env("AWS_S3_ENDPOINT_URL", default=None)
    options = {
        "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
        "region_name": env("AWS_S3_REGION_NAME", default="eu-west-1"),
        "endpoint_url": endpoint_url,
        "access_key": env("AWS_ACCESS_KEY_ID", default=None),
        "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
        "location": location,
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": signed,
        "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=300),
        "custom_domain": None if signed else env("AWS_S3_CUSTOM_DOMAIN", default=None),
        # django-storages ignores addressing_style/signature_version given beside client_config,
        # so they live inside the botocore Config. S3-compatible servers (MinIO, Garage, moto)
        # reject the newer default checksums: compute them only when required.
        "client_config": Config(
            signature_version="s3v4",
            s3={"addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="auto")},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
    }
    return {key: value for key, value in options.items() if value is not None}


def s3_storages(env):
    return {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": s3_options(env, location="media", signed=False),
        },
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": s3_options(env, location="private", signed=True),
        },
        "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        },
    }
