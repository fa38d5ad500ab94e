"""The benchmark harness: `make bench` (or `.venv/bin/python -m bench.run --scale 5`).

What it does, in order:

1. makes sure the PostgreSQL database exists (`ensemble_bench` for the default scale 50,
   `ensemble_bench_s<N>` for another scale, or `--db`), migrates it and seeds it with
   `seed_demo --scale N` unless a marker row says it already holds that scale;
2. collects the static files (WhiteNoise's manifest, as in production);
3. opens sessions for the demo users `lead`, `reviewer`, `coordinator` (the coordinator's
   OTP-verified when django-otp's static devices are installed) and API tokens;
4. counts the SQL queries and bytes of each page through Django's test client;
5. starts gunicorn (2 sync workers, cms.settings.bench) on a free loopback port and measures
   each page with `wrk`, each paired with a run of the no-database "ceiling" view just before
   it, so each figure is also read as a fraction of that ceiling (the machine is shared and
   noisy: the pairing cancels part of that noise, not all of it);
6. writes the table into docs/benchmarks.md (between markers, the rest of the file is kept)
   and the raw figures as JSON under var/bench/.
"""

import argparse
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SCALE = 50
MARKER_TABLE = "bench_seed_marker"
BEGIN = "<!-- bench:latest -->"
END = "<!-- /bench:latest -->"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=int(os.environ.get("SCALE", DEFAULT_SCALE)))
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", ""))
    parser.add_argument("--host", default=os.environ.get("BENCH_PGHOST", "127.0.0.1"))
    parser.add_argument("--duration", type=int, default=int(os.environ.get("DURATION", 6)))
    parser.add_argument("--ceiling-duration", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", default=os.environ.get("ONLY", ""), help="substring of pages")
    parser.add_argument("--label", default=os.environ.get("LABEL", ""))
    parser.add_argument("--output", default=str(BASE_DIR / "docs" / "benchmarks.md"))
    parser.add_argument(
        "--no-write", action="store_true", help="print the table, leave docs/benchmarks.md alone"
    )
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be at least 1")
    if not args.db:
        args.db = (
            "ensemble_bench" if args.scale == DEFAULT_SCALE else f"ensemble_bench_s{args.scale}"
        )
    return args


def log(message):
    print(f"[bench] {message}", flush=True)


# --- 1. The database ---------------------------------------------------------------------------


def ensure_database(args):
    import psycopg

    with psycopg.connect(
        host=args.host, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.db]).fetchone()
        if not exists:
            log(f"creating database {args.db}")
            conn.execute(f'CREATE DATABASE "{args.db}"')


def seeded_scale(connection):
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} "
            "(scale integer NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())"
        )
        cursor.execute(f"SELECT max(scale) FROM {MARKER_TABLE}")
        return cursor.fetchone()[0]


def migrate_and_seed(args):
    from django.core.management import call_command
    from django.db import connection

    log("migrating")
    call_command("migrate", interactive=False, verbosity=0)
    done = seeded_scale(connection)
    if done == args.scale:
        log(f"already seeded at scale {args.scale} (marker in {MARKER_TABLE}): not seeding")
        return
    if done is not None:
        raise SystemExit(
            f"{args.db} holds scale {done}, not {args.scale}: drop it or pass --db to use another."
        )
    log(f"seeding at scale {args.scale} (this takes a while at 50)")
    call_command("seed_demo", scale=args.scale, force=True, verbosity=1)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {MARKER_TABLE} (scale) VALUES (%s)", [args.scale])
    # What autovacuum would have done on a server that has been running: statistics for the
    # planner and the visibility map that lets PostgreSQL count from an index alone.
    log("VACUUM ANALYZE")
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# --- 3. Who asks -------------------------------------------------------------------------------


def open_session(user, *, otp=False):
    """A logged-in session as django.contrib.auth's login() leaves it, without its signals."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    # The backend that found the user (django-axes' comes first but only guards the password).
    store[BACKEND_SESSION_KEY] = next(
        path for path in settings.AUTHENTICATION_BACKENDS if not path.startswith("axes.")
    )
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if otp:
        device_id = otp_device_id(user)
        if device_id:
            store["otp_device_id"] = device_id
    store.save()
    return store.session_key


def otp_device_id(user):
    """The persistent id of a confirmed static OTP device of the user, created if need be; None
    when django-otp's static devices are not installed (2FA not enforced here)."""
    from django.apps import apps

    if not apps.is_installed("django_otp.plugins.otp_static"):
        return None
    from django_otp.plugins.otp_static.models import StaticDevice

    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="bench", defaults={"confirmed": True}
    )
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device.persistent_id


def api_token(user):
    from rest_framework.authtoken.models import Token

    # A fresh token each run: tokens expire (API_TOKEN_TTL) counted from their creation.
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user).key


def identities():
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.in_bulk(
        ["lead", "reviewer", "coordinator"], field_name="username"
    )
    missing = {"lead", "reviewer", "coordinator"} - set(users)
    if missing:
        raise SystemExit(f"demo users missing: {', '.join(sorted(missing))} (seed_demo first)")
    from django.middleware.csrf import _get_new_csrf_string

    return {
        name: {
            "session": open_session(user, otp=name == "coordinator"),
            # A browser holds the CSRF cookie its first page set; pages with forms are signed
            # for it (and a page is kept for its viewer only with it, cms/private_cache.py).
            "csrf": _get_new_csrf_string(),
            "token": api_token(user),
            "user": user,
        }
        for name, user in users.items()
    }


# --- The pages ---------------------------------------------------------------------------------


def biggest_call():
    """The call with the most ranked proposals."""
    from django.db.models import Count, Q

    from projects.models import Call

    try:
        from workflow.selectors import RANKED_STATES
    except ImportError:  # the ranking's states moved: any project counts then
        RANKED_STATES = None
    ranked = Q(projects__state__in=RANKED_STATES) if RANKED_STATES else Q()
    call = (
        Call.objects.annotate(n=Count("projects", filter=ranked))
        .order_by("-n", "pk")
        .values_list("pk", "n")
        .first()
    )
    return call


def busy_project(user):
    """The lead's centre's project with the most partnerships and history: a heavy detail page."""
    from django.db.models import Count

    from projects.models import JointProject
    from workflow import permissions

    centres = list(permissions.roles_of(user).centres)
    return (
        JointProject.objects.filter(partnerships__centre_id__in=centres)
        .annotate(
            n_partners=Count("partnerships", distinct=True),
            n_history=Count("history", distinct=True),
        )
        .order_by("-n_partners", "-n_history", "pk")
        .values_list("pk", flat=True)
        .first()
    )


def pages(who):
    call_pk, call_n = biggest_call()
    project = busy_project(who["lead"]["user"])
    return [
        # (name, kind, path, who, auth) — auth: session cookie, token, or anonymous.
        ("API projects list (lead)", "list", "/api/v1/projects/", "lead", "token"),
        ("API projects list (coordinator)", "list", "/api/v1/projects/", "coordinator", "token"),
        ("workspace home (lead)", "list", "/workspace/", "lead", "session"),
        ("workspace home (reviewer)", "list", "/workspace/", "reviewer", "session"),
        ("admin proposals listing", "list", "/admin/network/projects/", "coordinator", "session"),
        (
            "admin proposals listing, biggest call",
            "list",
            f"/admin/network/projects/?call={call_pk}",
            "coordinator",
            "session",
        ),
        ("admin payments listing", "list", "/admin/network/payments/", "coordinator", "session"),
        ("admin reports queue", "list", "/admin/network/reports/", "coordinator", "session"),
        (
            "admin call page, biggest call",
            "detail",
            f"/admin/network/calls/inspect/{call_pk}/",
            "coordinator",
            "session",
        ),
        (
            f"admin ranking, biggest call ({call_n} ranked)",
            "list",
            f"/admin/network/projects/ranking/{call_pk}/",
            "coordinator",
            "session",
        ),
        (
            f"API call ranking ({call_n} ranked)",
            "list",
            f"/api/v1/calls/{call_pk}/ranking/",
            "coordinator",
            "token",
        ),
        ("API project detail (lead)", "detail", f"/api/v1/projects/{project}/", "lead", "token"),
        (
            "workspace project (lead)",
            "detail",
            f"/workspace/projects/{project}/",
            "lead",
            "session",
        ),
        (
            "admin inspect (coordinator)",
            "detail",
            f"/admin/network/projects/inspect/{project}/",
            "coordinator",
            "session",
        ),
        ("public home", "home", "/en/", None, None),
        # The workspace screens of issue 7 (goal: dashboard 0.1, a proposal's pages 0.2).
        (
            "workspace proposal tasks (lead)",
            "detail",
            f"/workspace/projects/{project}/edit/",
            "lead",
            "session",
        ),
        (
            "workspace partners (lead)",
            "detail",
            f"/workspace/projects/{project}/partners/",
            "lead",
            "session",
        ),
        (
            "workspace budget (lead)",
            "detail",
            f"/workspace/projects/{project}/budget/",
            "lead",
            "session",
        ),
        (
            "workspace revisions (lead)",
            "detail",
            f"/workspace/projects/{project}/revisions/",
            "lead",
            "session",
        ),
        ("workspace reviews (reviewer)", "list", "/workspace/reviews/", "reviewer", "session"),
        ("workspace notifications (lead)", "list", "/workspace/notifications/", "lead", "session"),
        # The public site of issue 9, built ("public": the public page cache off) and served
        # from the public page cache (cms/public_cache.py) — goals 0.2 and 0.5.
        *[
            (f"{name}{' (cached)' if kind == 'public-cached' else ''}", kind, path, None, None)
            for name, path in public_pages()
            for kind in ("public", "public-cached")
        ],
    ]


def public_pages():
    from cms.models import ProjectPage

    biggest = (
        ProjectPage.objects.live()
        .filter(locale__language_code="en")
        .order_by("-country_count", "pk")
        .values_list("slug", flat=True)
        .first()
    )
    return [
        ("public showcase", "/en/projects/"),
        ("public showcase, two facets", "/en/projects/?country=FR&status=ongoing"),
        ("public project page", f"/en/projects/{biggest}/"),
        ("public Project Fair", "/en/fair/"),
        ("public centre directory", "/en/centres/"),
        # The maps' places, fetched by the map's script after the page.
        ("public showcase map data", "/en/projects/map/"),
        ("public directory map data", "/en/centres/map/"),
    ]


GOALS = {"list": 0.1, "detail": 0.2, "home": 0.3, "public": 0.2, "public-cached": 0.5}


def headers_for(who, name, auth):
    from django.conf import settings

    if auth == "token":
        return {"Authorization": f"Token {who[name]['token']}"}
    if auth == "session":
        return {
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={who[name]['session']}; "
            f"{settings.CSRF_COOKIE_NAME}={who[name]['csrf']}"
        }
    return {}


# --- 4. Queries and bytes, through the test client --------------------------------------------


def count_queries(path, headers, kind=""):
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    client = Client(headers={**headers, "Host": "127.0.0.1"})
    if kind.startswith("public"):
        return count_public_queries(client, path)
    with override_settings(PRIVATE_PAGE_CACHE=False):
        client.get(path)  # warm the per-process caches (content types, site root, templates)
        with CaptureQueriesContext(connection) as built:
            response = client.get(path)
    # Now: the next request's request_started signal empties the query log these slices read.
    built_count = len(built)
    kept = None
    if settings.PRIVATE_PAGE_CACHE:
        client.get(path)  # kept for this viewer (cms/private_cache.py), if it may be
        with CaptureQueriesContext(connection) as kept_queries:
            client.get(path)
        kept = len(kept_queries)
    return {
        "status": response.status_code,
        "queries": built_count,
        "queries_kept": kept,
        "bytes": len(response.content),
    }


def count_public_queries(client, path):
    """An anonymous public page: built (the public page cache off), then served from it."""
    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext

    with override_settings(PUBLIC_PAGE_CACHE=False):
        client.get(path)
        with CaptureQueriesContext(connection) as built:
            response = client.get(path)
    built_count = len(built)
    with override_settings(PUBLIC_PAGE_CACHE=True):
        client.get(path)
        with CaptureQueriesContext(connection) as kept:
            client.get(path)
    return {
        "status": response.status_code,
        "queries": built_count,
        "queries_kept": len(kept),
        "bytes": len(response.content),
    }


# --- 5. Throughput, through gunicorn and wrk ---------------------------------------------------


def ensure_wrk():
    if shutil.which("wrk"):
        return
    log("installing wrk (Debian)")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=False)
    if not shutil.which("wrk"):
        subprocess.run([*sudo, "apt-get", "update", "-q"], check=True)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(args, port, env):
    gunicorn = BASE_DIR / ".venv" / "bin" / "gunicorn"
    process = subprocess.Popen(
        [
            str(gunicorn if gunicorn.exists() else "gunicorn"),
            "cms.wsgi",
            "--workers",
            str(args.workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited on start")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/ceiling", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def fetch(url, headers):
    request = urllib.request.Request(url, headers={"Host": "127.0.0.1", **headers})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, len(response.read())


LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(url, headers, *, duration, connections):
    command = [
        "wrk",
        f"--threads={min(2, connections)}",
        f"--connections={connections}",
        f"--duration={duration}s",
        "--timeout=30s",
        "--latency",
    ]
    for key, value in headers.items():
        command += ["--header", f"{key}: {value}"]
    out = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=duration + 60, check=True
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {p: float(v) * UNITS[u] for p, v, u in LATENCY.findall(out)}
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "rps": rate,
        "p50_ms": latency.get("50"),
        "p99_ms": latency.get("99"),
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(0) if errors else "",
    }


# --- 6. The report -----------------------------------------------------------------------------


def machine():
    def sh(command):
        try:
            return subprocess.run(
                command, capture_output=True, text=True, shell=True
            ).stdout.strip()
        except OSError:
            return "?"

    cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip() or platform.processor()
    memory = sh("free -h | awk '/^Mem:/ {print $2}'")
    commit = sh(f"git -C {BASE_DIR} rev-parse --short HEAD")
    dirty = sh(f"git -C {BASE_DIR} status --porcelain --untracked-files=no")
    return {
        "nproc": sh("nproc"),
        "memory": memory,
        "cpu": cpu,
        "commit": commit + (" + uncommitted changes" if dirty else ""),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "postgres": sh("psql --version | awk '{print $3}'"),
        "private_cache": private_cache_state(),
    }


def private_cache_state():
    from django.conf import settings

    if not settings.PRIVATE_PAGE_CACHE:
        return "off (every request builds its page)"
    return f"on, Redis ({settings.REDIS_URL}), entries live {settings.PRIVATE_PAGE_CACHE_TTL} s"


def fmt_ms(value):
    if value is None:
        return "–"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def table(results):
    lines = [
        "| page | req/s | ceiling req/s | fraction of ceiling | goal | p50 ms | p99 ms | queries "
        "| bytes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['name']} | failed: {r['error']} | | | {GOALS[r['kind']]} | | | | |")
            continue
        fraction = r["rps"] / r["ceiling_rps"] if r["ceiling_rps"] else 0
        queries = (
            r["queries"]
            if r.get("queries_kept") is None
            else (f"{r['queries']} / {r['queries_kept']}")
        )
        goal = GOALS[r["kind"]]
        mark = "✓" if fraction >= goal else "✗"
        flag = f" (**{r['non_2xx']} non-2xx**)" if r["non_2xx"] else ""
        lines.append(
            f"| {r['name']}{flag} | {r['rps']:,.1f} | {r['ceiling_rps']:,.0f} | {fraction:.3f} "
            f"{mark} | {goal} | {fmt_ms(r['p50_ms'])} | {fmt_ms(r['p99_ms'])} | {queries} "
            f"| {r['bytes']:,} |"
        )
    return "\n".join(lines)


def report(args, info, results):
    ceilings = [r["ceiling_rps"] for r in results if "ceiling_rps" in r] or [0]
    return "\n".join(
        [
            BEGIN,
            f"## Latest run{' — ' + args.label if args.label else ''}",
            "",
            f"- date: {info['date']}; commit {info['commit']}",
            f"- machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']} memory; "
            f"Python {info['python']}, PostgreSQL {info['postgres']}",
            f"- data: `seed_demo --scale {args.scale}` (database `{args.db}`)",
            f"- load: gunicorn {args.workers} sync workers (`cms.settings.bench`), `wrk` "
            f"{args.connections} connections, {args.duration} s a page, each paired with "
            f"{args.ceiling_duration} s of the ceiling view just before it "
            f"(ceiling {min(ceilings):,.0f}–{max(ceilings):,.0f} req/s in this run)",
            "",
            table(results),
            "",
            f"- per-viewer page cache (cms/private_cache.py): {info['private_cache']}",
            "",
            "Queries and bytes: the second request of each page through Django's test client "
            "(queries: the page built / served from the per-viewer cache when that is on). "
            "✓/✗: the fraction against the goal of issue 6 (lists and dashboards 0.1, detail "
            "pages 0.2, the public home 0.3) and of issue 9 (public pages 0.2 built, 0.5 from the "
            "public page cache; their queries: built / served from that cache).",
            END,
        ]
    )


def write_report(args, text):
    path = Path(args.output)
    if path.exists():
        current = path.read_text()
        if BEGIN in current and END in current:
            head, _sep, rest = current.partition(BEGIN)
            _old, _sep, tail = rest.partition(END)
            path.write_text(head + text + tail)
            return
        path.write_text(current.rstrip() + "\n\n" + text + "\n")
        return
    path.write_text("# Benchmarks\n\n" + text + "\n")


def measure(args, rows, who, counted, failed, results, extra_env):
    """Throughput of `rows` under one gunicorn (started with `extra_env` added)."""
    port = free_port()
    server = start_gunicorn(args, port, {**os.environ, **extra_env})
    base = f"http://127.0.0.1:{port}"
    try:
        for name, kind, path, user, auth in rows:
            if name in failed:
                results.append({"name": name, "kind": kind, "path": path, "error": failed[name]})
                continue
            headers = headers_for(who, user, auth)
            try:
                for _ in range(2 * args.workers):  # each worker compiles and caches templates
                    fetch(base + path, headers)
            except OSError as exc:  # an HTTP error under gunicorn: report it, go on
                results.append({"name": name, "kind": kind, "path": path, "error": str(exc)})
                continue
            ceiling = run_wrk(
                base + "/bench/ceiling",
                {},
                duration=args.ceiling_duration,
                connections=args.connections,
            )
            measured = run_wrk(
                base + path, headers, duration=args.duration, connections=args.connections
            )
            row = {
                "name": name,
                "kind": kind,
                "path": path,
                "ceiling_rps": ceiling["rps"],
                **measured,
                **counted[name],
            }
            results.append(row)
            log(
                f"{name}: {row['rps']:.1f} req/s (ceiling {row['ceiling_rps']:.0f}, "
                f"{row['rps'] / row['ceiling_rps']:.4f}), p50 {fmt_ms(row['p50_ms'])} ms, "
                f"{row['queries']} queries"
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def main(argv=None):
    args = parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.bench"
    os.environ["BENCH_DB"] = args.db
    os.environ["DATABASE_URL"] = f"postgres://postgres@{args.host}:5432/{args.db}"
    sys.path.insert(0, str(BASE_DIR))
    ensure_wrk()
    ensure_database(args)

    import django

    django.setup()
    from django.core.management import call_command

    migrate_and_seed(args)
    from django.core.cache import cache

    cache.clear()  # no page or figure kept from an earlier run (the bench's own Redis database)
    log("collecting static files")
    call_command("collectstatic", interactive=False, verbosity=0)
    who = identities()
    selected = [p for p in pages(who) if args.only.lower() in p[0].lower()]

    counted, failed = {}, {}
    for name, _kind, path, user, auth in selected:
        try:
            counted[name] = count_queries(path, headers_for(who, user, auth), _kind)
        except Exception as exc:  # one broken page must not stop the others
            failed[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
        else:
            if counted[name]["status"] != 200:
                failed[name] = f"answered {counted[name]['status']}"
        log(f"{name}: {counted.get(name)} {failed.get(name, '')}")

    from django.db import connections

    connections.close_all()
    results = []
    # The rows that measure pages built run against a server with the public page cache off.
    groups = [
        ({}, [p for p in selected if p[1] != "public"]),
        ({"PUBLIC_PAGE_CACHE": "false"}, [p for p in selected if p[1] == "public"]),
    ]
    for extra_env, rows in groups:
        if rows:
            measure(args, rows, who, counted, failed, results, extra_env)
    order = {p[0]: i for i, p in enumerate(selected)}
    results.sort(key=lambda r: order[r["name"]])

    info = machine()
    info = machine()
    text = report(args, info, results)
    print(text)
    out = BASE_DIR / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    (out / f"results-{stamp}.json").write_text(
        json.dumps({"args": vars(args), "machine": info, "results": results}, indent=2)
    )
    if not args.no_write:
        write_report(args, text)
        log(f"written to {args.output}")


if __name__ == "__main__":
    main()
