"""The benchmark harness's settings (`make bench`): production as it runs, on loopback.

Only what a loopback run cannot have differs from production: no HTTPS redirect (wrk speaks
plain HTTP), a fixed key, the bench database, and a no-database "ceiling" view mounted beside
the site (bench/urls.py) to normalise the figures. Everything else (DEBUG off, the cached
template loader, WhiteNoise, the middleware, persistent connections) is production's.
"""

import os

# production.py refuses to start without these; the bench supplies loopback values.
os.environ.setdefault(
    "DATABASE_URL",
    "postgres://postgres@127.0.0.1:5432/" + os.environ.get("BENCH_DB", "ensemble_bench"),
)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault(
    "SECRET_KEY", "bench-only-fixed-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"
)
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("CONN_MAX_AGE", "60")
# Production's shared cache (Redis), on a database of its own: the per-viewer page cache is on
# only with it (cms/private_cache.py). PRIVATE_PAGE_CACHE=false measures the pages built.
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from .env import BASE_DIR
from .production import *  # noqa: F403

BENCH = True
ROOT_URLCONF = "bench.urls"
# A separate static root: collectstatic for the bench never touches a developer's var/static.
STATIC_ROOT = BASE_DIR / "var" / "bench" / "static"
# HSTS and secure cookies change nothing a loopback client measures; kept as in production.
