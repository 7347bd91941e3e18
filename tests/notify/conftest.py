"""Fixtures for notification tests: the dossier fixtures, SMS kept in memory, a fake SMS gateway."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests.dossiers.conftest import _fast_settings, people  # noqa: F401 (fixtures)

PUBLIC_URL = "https://dichvucong.camau.gov.vn"  # a realistic length, for the 160-character checks


@pytest.fixture(autouse=True)
def _notify_settings(settings, tmp_path):
    from motcua.notify import backends

    settings.MOTCUA_SMS_BACKEND = "locmem"
    settings.MOTCUA_SMS_FILE_PATH = tmp_path / "sms"
    settings.MOTCUA_PUBLIC_URL = PUBLIC_URL
    settings.MOTCUA_JOBS_MODE = "worker"
    settings.MOTCUA_NOTIFY_MAX_ATTEMPTS = 8
    backends.sms_outbox.clear()
    yield
    backends.sms_outbox.clear()


@pytest.fixture
def sms_outbox():
    from motcua.notify import backends

    return backends.sms_outbox


def drain(rounds: int = 30) -> dict[str, int]:
    """Run every job until none is left, moving the clock past each back-off."""
    from motcua.jobs import runner

    totals: dict[str, int] = {}
    start = timezone.now()
    for i in range(rounds):
        counts = runner.run_pending(now=start + dt.timedelta(hours=7) * i)
        for state, n in counts.items():
            totals[state] = totals.get(state, 0) + n
        if not counts and i:
            break
    return totals


class _Gateway(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output quiet
        pass

    def do_POST(self):  # noqa: N802 (http.server's naming)
        server = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        server.requests.append(SimpleNamespace(path=self.path, headers=dict(self.headers), body=body))
        status, answer, delay = server.script.pop(0) if server.script else (200, None, 0)
        if delay:
            time.sleep(delay)
        if answer is None:
            answer = {"id": f"gw-{len(server.requests)}"}
        raw = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            pass


@pytest.fixture
def gateway(settings):
    """A fake SMS gateway on 127.0.0.1: `gateway.fail(500, times=2)` scripts answers; it
    records `gateway.requests`. The http backend is configured to use it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    server.daemon_threads = True
    server.requests = []
    server.script = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/sms/send"

    def answer(status: int = 200, body=None, *, times: int = 1, delay: float = 0):
        server.script.extend([(status, body, delay)] * times)

    settings.MOTCUA_SMS_BACKEND = "http"
    settings.MOTCUA_SMS_URL = url
    settings.MOTCUA_SMS_TOKEN = "test-token"
    settings.MOTCUA_SMS_TIMEOUT = 5
    yield SimpleNamespace(url=url, requests=server.requests, answer=answer, server=server)
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
