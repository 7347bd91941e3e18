"""A fake national portal (DVCQG) for the sync tests: a real HTTP server on 127.0.0.1.

It checks every request the way a strict receiver would (service, required fields, yyyyMMddHHmmss
dates, status codes 1–10, channels 1–3, the arrays' fields) and answers 400 with a non-zero
`error_code` when something is wrong. It keeps what it accepted keyed by the `Idempotency-Key`
header: a repeat is acknowledged and changes nothing. It can be told to fail:

    portal.fail("500", times=2)     # HTTP 500 twice, then normal
    portal.fail("timeout")          # answer after the client's timeout
    portal.fail("garbage")          # HTTP 200 with an HTML page
    portal.fail("drop")             # close the connection without an answer
    portal.down() / portal.up()     # stop listening / listen again on the same port
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

DOSSIER_FIELDS = {
    "MaHoSo": str, "MaTTHC": str, "TenTTHC": str, "MaLinhVuc": str, "TenLinhVuc": str, "ChuHoSo": str,
    "LoaiDoiTuong": int, "MaDoiTuong": str, "ThongTinKhac": str, "Email": str, "Fax": str, "SoDienThoai": str,
    "TrichYeuHoSo": str, "NgayTiepNhan": str, "NgayHenTra": str, "TrangThaiHoSo": int, "NgayTra": str,
    "ThongTinTra": str, "HinhThuc": int, "NgayKetThucXuLy": str, "DonViXuLy": str, "GhiChu": str,
    "KenhThucHien": int, "TaiLieuNop": list, "DanhSachLePhi": list, "DanhSachGiayToKetQua": list,
}
DATE_FIELDS = ("NgayTiepNhan", "NgayHenTra", "NgayTra", "NgayKetThucXuLy")
FILE_FIELDS = {"TepDinhKemId", "TenTepDinhKem", "IsDeleted", "MaThanhPhanHoSo", "DuongDanTaiTepTin"}
FEE_FIELDS = {"TenPhiLePhi", "MaPhiLePhi", "HinhThucThu", "Gia", "LoaiPhiLePhi"}
RESULT_FIELDS = {"TenGiayTo", "MaThanhPhanHoSo", "GiayToId", "DuongDanTepTinKetQua"}
PROGRESS_FIELDS = {
    "MaHoSo", "NguoiXuLy", "ChucDanh", "ThoiDiemXuLy", "PhongBanXuLy", "NoiDungXuLy", "TrangThai", "NgayBatDau",
    "NgayKetThucTheoQuyDinh",
}


def check_date(value: str, *, required: bool = False) -> str | None:
    if value == "" and not required:
        return None
    if not (isinstance(value, str) and len(value) == 14 and value.isdigit()):
        return f"ngày không đúng yyyyMMddHHmmss: {value!r}"
    try:
        dt.datetime.strptime(value, "%Y%m%d%H%M%S")
    except ValueError:
        return f"ngày không tồn tại: {value!r}"
    return None


def validate(body: object) -> list[str]:
    """The problems of a request body (empty when valid)."""
    if not isinstance(body, dict):
        return ["thân yêu cầu không phải đối tượng JSON"]
    service, data = body.get("service"), body.get("data")
    if not isinstance(data, list) or len(data) != 1 or not isinstance(data[0], dict):
        return ["data phải là danh sách một hồ sơ"]
    record = data[0]
    if service == "DongBoHoSoMC":
        return _validate_dossier(body, record)
    if service == "CapNhatTienDoHoSoMC":
        missing = PROGRESS_FIELDS - set(record)
        errors = [f"thiếu trường {name}" for name in sorted(missing)]
        errors += [e for e in (check_date(record.get("ThoiDiemXuLy", ""), required=True),) if e]
        if record.get("TrangThai") not in range(1, 11):
            errors.append("TrangThai ngoài 1–10")
        return errors
    return [f"dịch vụ không hỗ trợ: {service!r}"]


def _validate_dossier(body: dict, record: dict) -> list[str]:
    errors = []
    if not isinstance(body.get("isUpdating"), bool):
        errors.append("isUpdating phải là true/false")
    for name, kind in DOSSIER_FIELDS.items():
        if name not in record:
            errors.append(f"thiếu trường {name}")
        elif not isinstance(record[name], kind) or (kind is int and isinstance(record[name], bool)):
            errors.append(f"{name} sai kiểu")
    if errors:
        return errors
    for name in ("MaHoSo", "MaTTHC", "ChuHoSo"):
        if not record[name].strip():
            errors.append(f"{name} rỗng")
    errors += [e for name in DATE_FIELDS if (e := check_date(record[name]))]
    if record["TrangThaiHoSo"] not in range(1, 11):
        errors.append("TrangThaiHoSo ngoài 1–10")
    if record["TrangThaiHoSo"] != 1 and not record["NgayTiepNhan"]:
        errors.append("hồ sơ đã tiếp nhận phải có NgayTiepNhan")
    if record["KenhThucHien"] not in (1, 2, 3):
        errors.append("KenhThucHien ngoài 1–3")
    if record["LoaiDoiTuong"] not in (1, 2) or record["HinhThuc"] not in (0, 1):
        errors.append("LoaiDoiTuong/HinhThuc không hợp lệ")
    for name, fields in (("TaiLieuNop", FILE_FIELDS), ("DanhSachLePhi", FEE_FIELDS),
                         ("DanhSachGiayToKetQua", RESULT_FIELDS)):
        for item in record[name]:
            if not isinstance(item, dict) or fields - set(item):
                errors.append(f"{name}: thiếu trường")
    return errors


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802 (http.server's naming)
        portal: FakePortal = self.server.portal
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        mode = portal._next_failure()
        portal.requests.append(SimpleNamespace(headers=dict(self.headers), body=raw, failure=mode))
        if mode == "drop":
            self.close_connection = True
            self.connection.close()
            return
        if mode == "timeout":
            time.sleep(portal.timeout_delay)
        if mode == "500":
            return self._answer(500, b'{"error_code": 500, "message": "Internal error"}')
        if mode == "garbage":
            return self._answer(200, b"<html><body>502 Bad Gateway</body></html>", "text/html")
        if portal.token and self.headers.get("Authorization") != f"Bearer {portal.token}":
            return self._answer(401, b'{"error_code": 401, "message": "unauthorized"}')
        key = self.headers.get("Idempotency-Key") or ""
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        errors = ["thiếu Idempotency-Key"] if not key else validate(body)
        if errors:
            portal.rejected.append((key, errors))
            payload = {"error_code": 1, "message": "; ".join(errors)}
            return self._answer(400, json.dumps(payload, ensure_ascii=False).encode())
        with portal.lock:
            duplicate = key in portal.received
            if not duplicate:
                portal.received[key] = body
                record = body["data"][0]
                if body["service"] == "DongBoHoSoMC":
                    portal.dossiers[record["MaHoSo"]] = record
                portal.order.append(key)
        payload = {"error_code": 0, "message": "trùng, đã nhận trước đó" if duplicate else "thành công"}
        return self._answer(200, json.dumps(payload, ensure_ascii=False).encode())

    def _answer(self, status: int, raw: bytes, content_type: str = "application/json") -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
            pass


class FakePortal:
    def __init__(self, token: str = "", timeout_delay: float = 1.5):
        self.token = token
        self.timeout_delay = timeout_delay
        self.lock = threading.Lock()
        self.requests: list[SimpleNamespace] = []
        self.received: dict[str, dict] = {}  # idempotency key -> body (first time only)
        self.dossiers: dict[str, dict] = {}  # MaHoSo -> last accepted record
        self.order: list[str] = []  # keys in the order they were first accepted
        self.rejected: list[tuple[str, list[str]]] = []
        self._failures: list[str] = []
        self._sticky: str | None = None
        self.port = 0
        self._server: ThreadingHTTPServer | None = None

    # --- control ---------------------------------------------------------------------------------
    def fail(self, mode: str, times: int | None = None) -> None:
        """Fail the next `times` requests (None: until `recover()`)."""
        with self.lock:
            if times is None:
                self._sticky = mode
            else:
                self._failures.extend([mode] * times)

    def recover(self) -> None:
        with self.lock:
            self._sticky, self._failures = None, []

    def _next_failure(self) -> str | None:
        with self.lock:
            if self._failures:
                return self._failures.pop(0)
            return self._sticky

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/dvcqg/api"

    def up(self) -> FakePortal:
        server = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
        server.daemon_threads = True
        server.portal = self
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
