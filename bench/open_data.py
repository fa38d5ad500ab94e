"""The open-data exports at scale: `python -m bench.open_data` (after `make bench` seeded the
database). Streams /open-data/360giving.json and /open-data/grants.csv through Django's test
client and reports, for each, the grants, the bytes, the wall time, the SQL queries and the
peak of memory the Python objects took while streaming (tracemalloc: flat memory means a peak
that does not grow with the grants)."""

import os
import sys
import time
import tracemalloc
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def measure(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tracemalloc.start()
    started = time.perf_counter()
    size = 0
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        for chunk in response.streaming_content:
            size += len(chunk)
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "status": response.status_code,
        "bytes": size,
        "seconds": elapsed,
        "queries": len(queries),
        "peak_mib": peak / 2**20,
    }


def main():
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.bench"
    os.environ.setdefault("BENCH_DB", "ensemble_bench")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.test import Client

    from projects.models import JointProject
    from projects.open_data import GRANT_STATES

    grants = JointProject.objects.filter(
        state__in=GRANT_STATES, awarded_amount__isnull=False
    ).count()
    client = Client(headers={"Host": "127.0.0.1"})
    print(f"{grants:,} grants")
    for path in ("/open-data/360giving.json", "/open-data/grants.csv"):
        row = measure(client, path)
        print(
            f"{path}: {row['status']}, {row['bytes'] / 2**20:.1f} MiB in {row['seconds']:.1f} s, "
            f"{row['queries']} queries, peak {row['peak_mib']:.1f} MiB of Python objects"
        )


if __name__ == "__main__":
    main()
