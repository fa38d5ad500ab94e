"""When the database cannot be reached the site answers 503, not 500, and /healthz says so.

The first tests fake the outage (every query raises OperationalError), on any database. The last
one is the real thing on PostgreSQL: the app runs in its own process, connected through a TCP
proxy that the test cuts and restores, and must recover without a restart.
"""

import contextlib
import json
import os
import runpy
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import warnings
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.db.backends.utils import CursorWrapper
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_down():
    return mock.patch.object(
        CursorWrapper,
        "execute",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    )


@pytest.fixture
def client():
    # Django's test client re-raises an exception the site turned into a response after the
    # got_request_exception signal; here we look at the response.
    return Client(raise_request_exception=False)


def assert_503_page(response):
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert "Temporarily unavailable" in response.content.decode()


def test_a_public_page_answers_503_with_a_plain_page(client, site_tree):
    with database_down():
        response = client.get("/en/")
    assert_503_page(response)
    # The response headers are still set on it.
    assert "camera=()" in response["Permissions-Policy"]


def test_the_api_answers_503_in_json(client):
    token = Token.objects.create(user=UserFactory())
    with database_down():
        response = client.get("/api/v1/calls/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "detail": "The service is temporarily unavailable. Please try again shortly.",
        "code": "database_unavailable",
    }


def test_a_logged_in_member_gets_503_in_the_workspace(client):
    client.force_login(UserFactory())
    with database_down():
        response = client.get("/workspace/")
    assert_503_page(response)


def touch_the_user(get_response):
    """Like the two-factor middleware: reads the user before any view runs."""

    def middleware(request):
        request.user.is_authenticated  # noqa: B018 - loads the session and the user
        return get_response(request)

    return middleware


def test_a_middleware_hitting_the_database_first_still_gives_503(client, settings):
    client.force_login(UserFactory())
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "tests.cms.test_database_down.touch_the_user",
    ]
    with database_down():
        response = client.get("/workspace/")
    assert_503_page(response)


def test_an_error_page_needing_the_database_still_gives_503(client):
    # The 404 page renders the layout, whose context processors read the user.
    client.force_login(UserFactory())
    with database_down():
        response = client.get("/workspace/no-such-page/")
    assert_503_page(response)


def test_other_errors_stay_500(client, site_tree):
    with mock.patch("cms.models.HomePage.serve", side_effect=ValueError("a bug")):
        response = client.get("/en/")
    assert response.status_code == 500


def test_health_when_everything_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_health_when_the_cache_does_not_answer(client):
    with mock.patch("cms.views.cache.set", side_effect=ConnectionError("Redis is down")):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unavailable"}


def test_health_when_the_database_does_not_answer(client):
    with database_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "down", "database": "unavailable", "cache": "ok"}


# --- Redis, for real --------------------------------------------------------------------------


def production_cache(monkeypatch, url):
    """CACHES as cms/settings/base.py builds it for REDIS_URL=url."""
    monkeypatch.setenv("REDIS_URL", url)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # runpy: the module is already imported
        return runpy.run_module("cms.settings.base")["CACHES"]


@pytest.fixture
def silent_server():
    """A TCP port that accepts connections and never answers: a hung Redis."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield server.getsockname()[1]


def health_within(client, seconds):
    result = {}
    thread = threading.Thread(target=lambda: result.update(response=client.get("/healthz")))
    started = time.monotonic()
    thread.start()
    thread.join(timeout=seconds)
    assert not thread.is_alive(), f"/healthz took more than {seconds}s"
    return result["response"], time.monotonic() - started


def test_a_hung_redis_makes_health_degraded_quickly(client, monkeypatch, silent_server):
    caches = production_cache(monkeypatch, f"redis://127.0.0.1:{silent_server}/0")
    with override_settings(CACHES=caches):
        response, elapsed = health_within(client, 10)
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert elapsed < 5  # the socket timeouts of settings, not the operating system's


@pytest.fixture
def redis_server():
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


def test_a_running_redis_is_ok(client, monkeypatch, redis_server):
    with override_settings(CACHES=production_cache(monkeypatch, redis_server)):
        response = client.get("/healthz")
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


# --- PostgreSQL, for real ---------------------------------------------------------------------


def wait_for_port(port, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


class TcpProxy:
    """Forwards 127.0.0.1:port to PostgreSQL; stop() cuts every connection and refuses new
    ones, as a database server that went away; start() brings it back on the same port."""

    def __init__(self, target):
        self.target = target
        self.port = free_port()
        self.sockets = set()
        self.lock = threading.Lock()
        self.listener = None

    def start(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(16)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def stop(self):
        # shutdown() first: close() alone leaves the socket listening while accept() waits.
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.sockets.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


# The app as a WSGI server in its own process, with persistent connections (CONN_MAX_AGE) as
# in production, and health checks of those connections on or off.
SERVER = """
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server

from django.conf import settings

settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] = sys.argv[2] == "on"
from django.core.wsgi import get_wsgi_application

class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass

make_server("127.0.0.1", int(sys.argv[1]), get_wsgi_application(), handler_class=Quiet)\\
    .serve_forever()
"""


def get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a real outage needs PostgreSQL; CI runs it on it"
)
@pytest.mark.parametrize("health_checks", ["on", "off"])
def test_the_site_survives_the_database_going_away(site_tree, tmp_path, health_checks):
    token = Token.objects.create(user=UserFactory())
    database = connection.settings_dict
    proxy = TcpProxy((database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432)))
    proxy.start()
    port = free_port()
    user = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port), health_checks],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cms.settings.test",
            "DATABASE_URL": f"postgres://{user}@127.0.0.1:{proxy.port}/{database['NAME']}",
            "CONN_MAX_AGE": "600",
        },
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    api = {"Authorization": f"Token {token.key}"}
    try:
        wait_for_port(port)
        assert get(f"{base}/healthz")[0] == 200
        assert get(f"{base}/en/")[0] == 200
        assert get(f"{base}/api/v1/calls/", api)[0] == 200

        proxy.stop()
        # Twice each: the first request finds the persistent connection cut, the next ones
        # cannot connect at all.
        for _ in range(2):
            status, _, body = get(f"{base}/healthz")
            assert (status, json.loads(body)) == (
                503,
                {"status": "down", "database": "unavailable", "cache": "ok"},
            )
            # The anonymous home is served from the cache (routing, menu, figures, open
            # calls): it stays up. A page Wagtail has to look up needs the database: 503.
            assert get(f"{base}/en/")[0] == 200
            status, headers, body = get(f"{base}/en/not-cached-anywhere/")
            assert status == 503
            assert headers["Retry-After"] == "30"
            assert "Temporarily unavailable" in body
            status, headers, body = get(f"{base}/api/v1/calls/", api)
            assert status == 503
            assert headers["Content-Type"] == "application/json"
            assert json.loads(body)["code"] == "database_unavailable"

        proxy.start()
        # Back at once, without restarting the app.
        status, _, body = get(f"{base}/healthz")
        assert (status, json.loads(body)["status"]) == (200, "ok")
        assert get(f"{base}/en/")[0] == 200
        assert get(f"{base}/api/v1/calls/", api)[0] == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
        proxy.stop()
        log.close()
        print((tmp_path / "server.log").read_text())  # shown when the test fails


def test_the_503_speaks_the_visitors_language(client, site_tree):
    with database_down():
        page = client.get("/fr/")
        api = client.get("/api/v1/calls/", HTTP_AUTHORIZATION="Token x", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 503
    assert "Momentanément indisponible" in page.content.decode()
    assert api.status_code == 503
    assert api.json()["detail"].startswith("Le service est momentanément indisponible")


def test_a_dead_redis_slows_public_pages_but_never_breaks_them(client, monkeypatch):
    """Wagtail reads the site's root paths from the cache on every public page: with Django's
    plain RedisCache a dead Redis raised there, and every public page answered 500."""
    from django.core.cache import caches
    from wagtail.models import Site

    dead = f"redis://127.0.0.1:{free_port()}/0"
    with override_settings(CACHES=production_cache(monkeypatch, dead)):
        cache = caches["default"]
        assert cache.get("anything", "missed") == "missed"
        cache.set("anything", 1)  # dropped, not raised
        assert cache.get_many(["a", "b"]) == {}
        assert Site.get_site_root_paths() is not None
        assert client.get("/healthz").json()["cache"] == "unavailable"
