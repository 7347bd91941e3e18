"""Fixtures for service accounts and webhooks: dossier fixtures, accounts, a local webhook receiver."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from tests.dossiers.conftest import _fast_settings, people  # noqa: F401 (fixtures)
from tests.sync.conftest import clock  # noqa: F401 (fixture)


@pytest.fixture(autouse=True)
def _integration_settings(settings, tmp_path):
    settings.MOTCUA_SMS_BACKEND = "locmem"
    settings.MOTCUA_SMS_FILE_PATH = tmp_path / "sms"
    settings.MOTCUA_JOBS_MODE = "worker"
    settings.MOTCUA_SYNC_URL = ""
    settings.MOTCUA_WEBHOOK_TIMEOUT = 1
    settings.MOTCUA_WEBHOOK_MAX_ATTEMPTS = 3
    # Production defaults (https only, no private targets); the receiver tests allow loopback http.
    settings.MOTCUA_WEBHOOK_ALLOW_HTTP = False
    settings.MOTCUA_WEBHOOK_ALLOW_PRIVATE = False


@pytest.fixture
def accounts(people):  # noqa: F811 (the imported fixture)
    from motcua.integrations.models import ServiceAccount

    def make(name, agency, roles=(), scopes=("dossiers:read",)):
        return ServiceAccount.objects.create(name=name, agency=agency, roles=list(roles), scopes=list(scopes))

    return SimpleNamespace(
        make=make,
        kiosk=make("kiosk-tan-thanh", people.commune, ["receptionist"], ["dossiers:read", "dossiers:write",
                                                                        "webhooks:manage"]),
        reader=make("kho-du-lieu", people.commune),
        other=make("xa-ly-van-lam", people.other_commune),
    )


class _Receiver(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802
        server = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        server.received.append(SimpleNamespace(path=self.path, headers=dict(self.headers), body=body))
        status = server.script.pop(0) if server.script else 204
        raw = json.dumps({"ok": status < 300}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def receiver(settings):
    """A webhook receiver on http://127.0.0.1:<port>/hook (loopback http allowed for the test)."""
    settings.MOTCUA_WEBHOOK_ALLOW_HTTP = True
    settings.MOTCUA_WEBHOOK_ALLOW_PRIVATE = True
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.daemon_threads = True
    server.received, server.script = [], []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield server
    server.shutdown()
    server.server_close()
