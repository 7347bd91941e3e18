"""The outgoing HTTP helper against a real local server: no redirect followed, bodies capped,
no answer is Unreachable."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from motcua.core import http


class _Peer(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self, status: int, body: bytes, headers: dict | None = None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        try:
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (the timeout test)
            pass

    def do_GET(self):  # noqa: N802 (http.server's naming)
        if self.path == "/moved":
            self._answer(302, b"", {"Location": "/secret"})
        elif self.path == "/big":
            self._answer(200, b"x" * 100_000)
        elif self.path == "/slow":
            time.sleep(1)
            self._answer(200, b"late")
        else:
            self._answer(200, self.path.encode())

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer(500 if body == b"fail" else 200, body + b"|" + self.headers.get("X-Test", "").encode())


@pytest.fixture(scope="module")
def peer():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Peer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_it_answers_with_status_and_body_whatever_the_status(peer):
    reply = http.post(f"{peer}/x", b"hello", headers={"X-Test": "1"}, timeout=5)
    assert (reply.status, reply.body, reply.ok) == (200, b"hello|1", True)
    failed = http.post(f"{peer}/x", b"fail", timeout=5)
    assert (failed.status, failed.ok) == (500, False)


def test_it_does_not_follow_a_redirect(peer):
    reply = http.get(f"{peer}/moved", timeout=5)
    assert reply.status == 302 and reply.headers["Location"] == "/secret"


def test_it_reads_at_most_max_bytes(peer):
    assert len(http.get(f"{peer}/big", timeout=5, max_bytes=1000).body) == 1000


def test_no_answer_is_unreachable(peer):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    with pytest.raises(http.Unreachable):
        http.get(f"http://127.0.0.1:{closed_port}/", timeout=2)
    with pytest.raises(http.Unreachable, match="no answer within 0.2 s"):
        http.get(f"{peer}/slow", timeout=0.2)


def test_it_calls_http_addresses_only():
    with pytest.raises(ValueError):
        http.get("file:///etc/passwd", timeout=1)
