"""Local development: `make run` (SQLite, console email, immediate tasks)."""

from .base import *  # noqa: F403
from .base import LOGGING, env

DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
LOGGING["handlers"]["console"]["formatter"] = env("LOG_FORMAT", default="plain")
