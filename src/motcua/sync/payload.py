"""Dossier + Event → the national portal's (DVCQG) sync payload, per docs/regulations.md §8.

Pure: no writes, no settings, no network. Field names are exactly those of the public OpenCPS
integration (`DVCQGIntegrationActionImpl`) and the fields added since 2022. The official DVCQG
specification was not available (docs/regulations.md §9, open point 4): mappings that are our reading
rather than a documented rule are listed in `UNVERIFIED` and marked [?] below; check them against
the spec of the portal you connect to.

Dates are `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh; a date that does not exist yet is "".

    envelope(dossier, event) -> {"service": "DongBoHoSoMC", "isUpdating": bool, "data": [dossier_data(...)]}
    progress_envelope(dossier, event) -> {"service": "CapNhatTienDoHoSoMC", "data": [progress record]}
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from motcua.catalog.fees import dossier_fee_amount
from motcua.dossiers.models import (
    ApplicantKind,
    Channel,
    Delivery,
    Dossier,
    DossierFile,
    Event,
    EventKind,
    FileKind,
    FileSource,
    Status,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DATE_FORMAT = "%Y%m%d%H%M%S"  # yyyyMMddHHmmss
DOSSIER_SERVICE = "DongBoHoSoMC"
PROGRESS_SERVICE = "CapNhatTienDoHoSoMC"

# TrangThaiHoSo 1–10. Our Status values were chosen equal to the portal's codes (docs/architecture.md §6);
# the table keeps the mapping explicit so that a renumbering on either side is caught by tests.
STATUS_CODES: dict[int, int] = {
    Status.SUBMITTED: 1,  # Mới đăng ký
    Status.RECEIVED: 2,  # Được tiếp nhận
    Status.REFUSED: 3,  # Không được tiếp nhận
    Status.PROCESSING: 4,  # Đang xử lý
    Status.SUPPLEMENT_REQUESTED: 5,  # Yêu cầu bổ sung giấy tờ
    Status.AWAITING_PAYMENT: 6,  # Yêu cầu thực hiện nghĩa vụ tài chính
    Status.WITHDRAWN: 7,  # Công dân yêu cầu rút hồ sơ
    Status.STOPPED: 8,  # Dừng xử lý
    Status.COMPLETED: 9,  # Đã xử lý xong
    Status.RETURNED: 10,  # Đã trả kết quả
}

# KenhThucHien: 1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích (the same values as Channel).
CHANNEL_CODES: dict[int, int] = {Channel.COUNTER: 1, Channel.ONLINE: 2, Channel.POST: 3}

# LoaiDoiTuong per OpenCPS: 1 công dân, 2 doanh nghiệp. [?] the 2026 ministry harness uses 0/1/2.
APPLICANT_KINDS: dict[str, int] = {ApplicantKind.PERSON: 1, ApplicantKind.ORGANISATION: 2}

# HinhThucThu per the 2026 harness: 1 on receipt, 4 on return. [?]
FEE_COLLECTION: dict[str, int] = {"at_reception": 1, "at_return": 4}

# Fields whose mapping is our reading, not a documented rule (see the module docstring).
UNVERIFIED = frozenset({
    "LoaiDoiTuong", "MaDoiTuong", "TrichYeuHoSo", "ThongTinTra", "HinhThuc", "NgayKetThucXuLy",
    "TaiLieuNop.TepDinhKemId", "TaiLieuNop.MaThanhPhanHoSo", "TaiLieuNop.DuongDanTaiTepTin",
    "DanhSachLePhi.MaPhiLePhi", "DanhSachLePhi.HinhThucThu", "DanhSachLePhi.LoaiPhiLePhi",
    "DanhSachGiayToKetQua.GiayToId", "DuocThanhToanTrucTuyen", "ThoiGianGiaiQuyet", "DonViTinh",
})

TIME_UNITS = {
    "working_days": "Ngày làm việc", "working_hours": "Giờ làm việc", "days": "Ngày", "months": "Tháng",
    "same_day": "Trong ngày",
}


def fmt(instant: dt.datetime | None) -> str:
    """yyyyMMddHHmmss in Asia/Ho_Chi_Minh, or "" when the moment has not happened."""
    if instant is None:
        return ""
    if instant.tzinfo is None:
        raise ValueError("naive datetime")
    return instant.astimezone(TZ).strftime(DATE_FORMAT)


def idempotency_key(dossier: Dossier, event: Event) -> str:
    """MaHoSo and the dossier version the event produced: unique per change, the same on a resend."""
    return f"{dossier.code}:{event.version}"


def _fee_kind(name: str) -> int:
    # LoaiPhiLePhi [?]: 2 lệ phí, 1 phí (read from the name; the catalogue has no such field).
    return 2 if name.strip().lower().startswith("lệ phí") else 1


def _submitted_files(files: list[DossierFile]) -> list[dict[str, Any]]:
    return [
        {
            "TepDinhKemId": str(f.pk),
            "TenTepDinhKem": f.original_name,
            "IsDeleted": False,
            "MaThanhPhanHoSo": str(f.component_id or ""),
            "DuongDanTaiTepTin": "",  # [?] no public file URL is exposed to the portal
            "DuocSoHoa": f.source == FileSource.SCANNED,
            "DuocLayTuKhoDMQG": f.source == FileSource.WALLET,
        }
        for f in files if f.kind in (FileKind.COMPONENT, FileKind.SUPPLEMENT)
    ]


def _result_files(files: list[DossierFile]) -> list[dict[str, Any]]:
    return [
        {"TenGiayTo": f.original_name, "MaThanhPhanHoSo": "", "GiayToId": str(f.pk), "DuongDanTepTinKetQua": ""}
        for f in files if f.kind == FileKind.RESULT
    ]


def _fees(fees: list, dossier: Dossier) -> list[dict[str, Any]]:
    return [
        {
            "TenPhiLePhi": fee.name,
            "MaPhiLePhi": str(fee.pk),
            "HinhThucThu": FEE_COLLECTION.get(fee.collected, 1),
            "Gia": dossier_fee_amount(fee, dossier),  # the fee's rule for this dossier (#17)
            "LoaiPhiLePhi": _fee_kind(fee.name),
        }
        for fee in fees
    ]


def _decimal_text(value) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def dossier_data(
    dossier: Dossier, event: Event, *, files: list[DossierFile] | None = None, fees: list | None = None,
    paid_online: bool = False, identity_verified: bool = False,
) -> dict[str, Any]:
    """The dossier record of DongBoHoSoMC as it stands after `event`."""
    version = dossier.procedure_version
    files = list(files if files is not None else dossier.files.order_by("uploaded_at", "id"))
    fees = list(fees if fees is not None else version.fees.order_by("order", "id"))
    end = dossier.finished_at or dossier.closed_at
    return {
        "MaHoSo": dossier.code,
        "MaTTHC": version.procedure.code,
        "TenTTHC": version.name,
        "MaLinhVuc": version.sector.code,
        "TenLinhVuc": version.sector.name,
        "ChuHoSo": dossier.applicant_name,
        "LoaiDoiTuong": APPLICANT_KINDS.get(dossier.applicant_kind, 1),
        "MaDoiTuong": dossier.applicant_id_number,
        "ThongTinKhac": "",
        "Email": dossier.applicant_email,
        "Fax": "",
        "SoDienThoai": dossier.applicant_phone,
        "TrichYeuHoSo": f"{version.name} – {dossier.case.name}"[:1000],
        "NgayTiepNhan": fmt(dossier.received_at),
        "NgayHenTra": fmt(dossier.due_at),
        "TrangThaiHoSo": STATUS_CODES[dossier.status],
        "NgayTra": fmt(dossier.returned_at),
        "ThongTinTra": dossier.delivery_address if dossier.delivery == Delivery.POST else "",
        "HinhThuc": 1 if dossier.delivery == Delivery.POST else 0,
        "NgayKetThucXuLy": fmt(end),
        "DonViXuLy": dossier.handling_agency.name,
        "GhiChu": (event.note or "")[:2000],
        "KenhThucHien": CHANNEL_CODES[dossier.channel],
        "DuocThanhToanTrucTuyen": 1 if paid_online else 0,
        "HoSoCoThanhPhanSoHoa": 1 if any(f.source == FileSource.SCANNED for f in files) else 0,
        "TaiKhoanDuocXacThucVoiVNeID": 1 if identity_verified else 0,
        "ThoiGianGiaiQuyet": _decimal_text(dossier.case.time_amount),
        "DonViTinh": TIME_UNITS.get(dossier.case.time_unit, dossier.case.time_unit),
        "TaiLieuNop": _submitted_files(files),
        "DanhSachLePhi": _fees(fees, dossier),
        "DanhSachGiayToKetQua": _result_files(files),
    }


def envelope(dossier: Dossier, event: Event, **kwargs: Any) -> dict[str, Any]:
    """The request body: a dossier's first message creates it at the portal, later ones update it."""
    return {
        "service": DOSSIER_SERVICE,
        "isUpdating": event.from_status is not None,  # the creating event has no previous status
        "data": [dossier_data(dossier, event, **kwargs)],
    }


def progress_envelope(dossier: Dossier, event: Event) -> dict[str, Any]:
    """CapNhatTienDoHoSoMC: one step of the processing (a handover between steps or agencies)."""
    actor = event.actor
    step = event.to_step or dossier.current_step
    return {
        "service": PROGRESS_SERVICE,
        "data": [{
            "MaHoSo": dossier.code,
            "NguoiXuLy": (getattr(actor, "full_name", "") or getattr(actor, "username", "")) if actor else "",
            "ChucDanh": "",
            "ThoiDiemXuLy": fmt(event.at),
            "PhongBanXuLy": event.to_agency.name if event.to_agency_id else dossier.handling_agency.name,
            "NoiDungXuLy": (step.name if step else str(EventKind(event.kind).label))[:500],
            "TrangThai": STATUS_CODES[dossier.status],
            "NgayBatDau": fmt(dossier.step_started_at or event.at),
            "NgayKetThucTheoQuyDinh": fmt(dossier.step_due_at),
        }],
    }
