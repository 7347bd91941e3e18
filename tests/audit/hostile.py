"""Hostile files for the upload tests, built in memory."""

from __future__ import annotations

import io
import socket
import struct
import threading
import zipfile
import zlib

from tests.backoffice.conftest import PDF, PNG

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def pdf_with_pages(n: int) -> bytes:
    """A PDF whose page tree says n pages and holds n page objects."""
    kids = " ".join(f"{i + 3} 0 R" for i in range(n))
    parts = [b"%PDF-1.4\n", b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n",
             f"2 0 obj<</Type/Pages/Kids[{kids}]/Count {n}>>endobj\n".encode()]
    parts += [f"{i + 3} 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n".encode() for i in range(n)]
    parts.append(b"trailer<</Root 1 0 R>>\n%%EOF\n")
    return b"".join(parts)


def pdf_lying_about_pages(n: int) -> bytes:
    """A page tree that claims one page but holds n page objects."""
    return pdf_with_pages(n).replace(f"/Count {n}".encode(), b"/Count 1")


POLYGLOT = (b"%PDF-1.4\n%<html><body><script>fetch('/can-bo/').then(r=>r.text()).then(alert)</script></body></html>\n"
            + PDF[9:])
POLYGLOT_DEEP = PDF + b"\n" * 200_000 + b"<HTML><SCRIPT SRC=//evil.example/x.js></SCRIPT>"


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares huge dimensions (a decompression bomb needs only the header)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def zip_bomb(megabytes: int = 50) -> bytes:
    """A small zip that inflates to `megabytes` of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b"\x00" * (1024 * 1024)
            for _ in range(megabytes):
                member.write(block)
        archive.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


GOOD = {"pdf": PDF, "png": PNG}


class FakeClamd:
    """A clamd on loopback that speaks INSTREAM and finds EICAR."""

    def __init__(self, answer_override: bytes | None = None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.received: list[bytes] = []
        self.answer_override = answer_override
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _recv_exact(self, conn, n: int) -> bytes:
        data = b""
        while len(data) < n:
            part = conn.recv(n - len(data))
            if not part:
                raise ConnectionError("closed")
            data += part
        return data

    def _serve(self):
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            with conn:
                try:
                    command = b""
                    while not command.endswith(b"\0"):
                        command += self._recv_exact(conn, 1)
                    assert command == b"zINSTREAM\0"
                    body = b""
                    while True:
                        (size,) = struct.unpack("!L", self._recv_exact(conn, 4))
                        if size == 0:
                            break
                        body += self._recv_exact(conn, size)
                    self.received.append(body)
                    if self.answer_override is not None:
                        conn.sendall(self.answer_override)
                    elif EICAR in body:
                        conn.sendall(b"stream: Eicar-Test-Signature FOUND\0")
                    else:
                        conn.sendall(b"stream: OK\0")
                except (ConnectionError, AssertionError, OSError):
                    continue

    def close(self):
        self.sock.close()
