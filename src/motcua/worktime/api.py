"""`GET /api/v1/worktime/due`: a due time on an agency's working calendar (docs/architecture.md §9)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from ninja import Router, Schema

from motcua.agencies.models import Agency
from motcua.core.api_errors import ApiError

from .engine import TZ, UNITS, Unit
from .services import due_for

router = Router(tags=["worktime"])

# Upper bounds that keep one request cheap (about ten years of counting).
MAX_AMOUNT = {
    Unit.WORKING_DAYS: Decimal(2500),
    Unit.WORKING_HOURS: Decimal(20000),
    Unit.DAYS: Decimal(3660),
    Unit.MONTHS: Decimal(120),
    Unit.SAME_DAY: Decimal(1000),
}
_CUTOFF = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
# "+07:00" sent unencoded in a query string arrives as " 07:00".
_SPACE_OFFSET = re.compile(r" (\d{2}(:?\d{2})?)$")


class DueOut(Schema):
    due: str
    calendar_confirmed: bool
    unconfirmed_years: list[int]
    agency: str
    start: str
    amount: str
    unit: str
    cutoff: str | None


def _bad(parameter: str, message: str) -> ApiError:
    return ApiError(400, "invalid_parameter", message, parameter=parameter)


def _parse_start(value: str) -> dt.datetime:
    text = _SPACE_OFFSET.sub(r"+\1", value.strip())
    try:
        start = dt.datetime.fromisoformat(text)
    except ValueError:
        raise _bad(
            "start",
            "Tham số start phải là thời điểm theo ISO 8601, ví dụ 2026-04-27T09:15:00+07:00.",
        ) from None
    if start.tzinfo is None:
        start = start.replace(tzinfo=TZ)  # a naive time is local (Asia/Ho_Chi_Minh)
    return start.astimezone(TZ)


def _parse_amount(value: str, unit: Unit) -> Decimal:
    try:
        amount = Decimal(value.strip())
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        raise _bad("amount", "Tham số amount phải là một số không âm, ví dụ 3 hoặc 0.5.")
    if amount > MAX_AMOUNT[unit]:
        raise _bad(
            "amount",
            f"Tham số amount quá lớn: tối đa {MAX_AMOUNT[unit]} với đơn vị {unit.value}.",
        )
    return amount


def _parse_cutoff(value: str | None) -> dt.time | None:
    if value is None or value.strip() == "":
        return None
    match = _CUTOFF.match(value.strip())
    if not match:
        raise _bad("cutoff", "Tham số cutoff phải là giờ dạng HH:MM, ví dụ 15:00.")
    return dt.time(int(match.group(1)), int(match.group(2)))


@router.get(
    "/due",
    response=DueOut,
    summary="Tính ngày hẹn trả kết quả",
    description=(
        "Thời hạn tính theo lịch làm việc của cơ quan (giờ hành chính, ngày nghỉ lễ, nghỉ bù, "
        "ngày làm bù). Đơn vị: working_days, working_hours, days, months, same_day. Thời điểm "
        "không có múi giờ được hiểu theo giờ Việt Nam (+07:00). Năm chưa có lịch được xác nhận "
        "vẫn được tính, với calendar_confirmed = false."
    ),
)
def due(
    request,
    agency: str,
    start: str,
    amount: str,
    unit: str,
    cutoff: str | None = None,
):
    if unit not in UNITS:
        raise _bad("unit", "Tham số unit phải là một trong: " + ", ".join(u.value for u in Unit) + ".")
    unit_ = Unit(unit)
    code = agency.strip().upper()
    found = Agency.objects.filter(unit_code=code).first() if code else None
    if found is None:
        raise _bad("agency", f"Tham số agency: không tìm thấy cơ quan có mã định danh “{agency}”.")
    start_at = _parse_start(start)
    value = _parse_amount(amount, unit_)
    cutoff_at = _parse_cutoff(cutoff)
    try:
        info = due_for(found, start_at, value, unit_, cutoff_at)
    except ValueError:
        raise _bad("amount", "Tham số amount: thời hạn vượt quá phạm vi lịch tính được từ thời điểm start.") from None
    return {
        "due": info.due.isoformat(),
        "calendar_confirmed": info.confirmed,
        "unconfirmed_years": list(info.unconfirmed_years),
        "agency": found.unit_code,
        "start": start_at.isoformat(),
        "amount": format(value.normalize(), "f"),
        "unit": unit_.value,
        "cutoff": cutoff_at.strftime("%H:%M") if cutoff_at else None,
    }
