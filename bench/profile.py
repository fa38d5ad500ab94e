"""Profile one page of the bench database: its SQL (with times) and a pyinstrument profile.

    .venv/bin/python -m bench.profile /workspace/ --user lead [--scale 5] [--explain]

Uses cms.settings.bench and the database `make bench` seeded (see bench/run.py). `--explain`
runs EXPLAIN ANALYZE on the slowest queries.
"""

import argparse
import os
import sys
import time

from bench.run import BASE_DIR, DEFAULT_SCALE


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--user", default="")
    parser.add_argument("--token", action="store_true", help="API token instead of a session")
    parser.add_argument("--scale", type=int, default=DEFAULT_SCALE)
    parser.add_argument("--db", default="")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args(argv)
    db = args.db or (
        "ensemble_bench" if args.scale == DEFAULT_SCALE else f"ensemble_bench_s{args.scale}"
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.bench"
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{db}"
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.run import api_token, open_session

    headers = {"Host": "127.0.0.1"}
    if args.user:
        user = get_user_model().objects.get(username=args.user)
        if args.token:
            headers["Authorization"] = f"Token {api_token(user)}"
        else:
            key = open_session(user, otp=True)
            headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={key}"
    client = Client(headers=headers)
    response = client.get(args.path)
    print(f"status {response.status_code}, {len(response.content):,} bytes")
    with CaptureQueriesContext(connection) as queries:
        client.get(args.path)
    print(f"{len(queries)} queries")
    ranked = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))
    for q in ranked:
        print(f"  {float(q['time']) * 1000:7.1f} ms  {q['sql'][:300]}")
    started = time.perf_counter()
    for _ in range(args.repeat):
        client.get(args.path)
    print(f"mean {1000 * (time.perf_counter() - started) / args.repeat:.1f} ms a request")
    if args.explain:
        with connection.cursor() as cursor:
            for q in ranked[:3]:
                cursor.execute("EXPLAIN ANALYZE " + q["sql"])
                print("\n".join(row[0] for row in cursor.fetchall()))
                print("-" * 80)
    if not args.no_profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        with profiler:
            for _ in range(args.repeat):
                client.get(args.path)
        print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
