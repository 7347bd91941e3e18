"""Reporting periods: parse and check what the user asked for (pure, no ORM).

A period is a range of whole local days (Asia/Ho_Chi_Minh), both ends included. It comes either
from a preset (`ky` = this month / quarter / year, last month) or from two dates (`tu`, `den`,
yyyy-mm-dd, the HTML date input's format; dd/mm/yyyy is accepted too). Refused, with a
Vietnamese message: unreadable dates, an end before the start, a start before 2000, an end after
today, and spans longer than five years.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from motcua.core.errors import DomainError

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
EARLIEST = dt.date(2000, 1, 1)
MAX_YEARS = 5
MAX_INPUT = 20


class PeriodError(DomainError, ValueError):
    """A period the reports refuse; `field` names the input to fix ("tu", "den" or "ky")."""

    def __init__(self, message: str, field: str = "tu"):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    preset: str = ""

    @property
    def since(self) -> dt.datetime:
        """The first instant of the period (local midnight of `start`)."""
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=TZ)

    @property
    def until(self) -> dt.datetime:
        """The first instant after the period (local midnight after `end`)."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=TZ)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def reference(self, now: dt.datetime) -> dt.datetime:
        """The instant open dossiers are judged at: the period's end, or now if that is earlier."""
        return min(self.until, now)

    def params(self) -> dict[str, str]:
        if self.preset:
            return {"ky": self.preset}
        return {"tu": self.start.isoformat(), "den": self.end.isoformat()}

    @property
    def label(self) -> str:
        return f"{self.start:%d/%m/%Y} – {self.end:%d/%m/%Y}"


def preset(name: str, today: dt.date) -> Period:
    if name == "thang":
        return Period(today.replace(day=1), today, name)
    if name == "thang-truoc":
        last = today.replace(day=1) - dt.timedelta(days=1)
        return Period(last.replace(day=1), last, name)
    if name == "quy":
        first_month = 3 * ((today.month - 1) // 3) + 1
        return Period(today.replace(month=first_month, day=1), today, name)
    if name == "nam":
        return Period(today.replace(month=1, day=1), today, name)
    raise PeriodError(_("Kỳ báo cáo không hợp lệ: chọn tháng này, tháng trước, quý này hoặc năm nay."), "ky")


def parse_date(value: str, field: str, label: str) -> dt.date:
    text = (value or "").strip()[:MAX_INPUT]
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise PeriodError(
        _("%(label)s «%(value)s» không đúng định dạng ngày (năm-tháng-ngày, ví dụ 2026-01-31).")
        % {"label": label, "value": text}, field,
    )


def check(period: Period, today: dt.date) -> Period:
    if period.start < EARLIEST:
        raise PeriodError(_("Ngày bắt đầu phải từ 01/01/2000 trở đi."), "tu")
    if period.end > today:
        raise PeriodError(_("Ngày kết thúc không được sau hôm nay (%(today)s).") % {"today": f"{today:%d/%m/%Y}"},
                          "den")
    if period.end < period.start:
        raise PeriodError(_("Ngày kết thúc (%(end)s) đứng trước ngày bắt đầu (%(start)s); hãy đổi lại hai ngày.")
                          % {"end": f"{period.end:%d/%m/%Y}", "start": f"{period.start:%d/%m/%Y}"}, "den")
    try:
        limit = period.start.replace(year=period.start.year + MAX_YEARS)
    except ValueError:  # 29 February
        limit = period.start.replace(year=period.start.year + MAX_YEARS, day=28)
    if period.end >= limit:
        raise PeriodError(_("Khoảng thời gian dài quá %(n)d năm; hãy chọn khoảng ngắn hơn.") % {"n": MAX_YEARS}, "den")
    return period


def parse(params, today: dt.date) -> Period:
    """The period asked for by query parameters (`ky`, or `tu` and `den`); this month by default."""
    start_raw = (params.get("tu") or "").strip()
    end_raw = (params.get("den") or "").strip()
    if start_raw or end_raw:
        start = parse_date(start_raw, "tu", _("Từ ngày")) if start_raw else None
        end = parse_date(end_raw, "den", _("Đến ngày")) if end_raw else today
        if start is None:
            raise PeriodError(_("Cần nhập ngày bắt đầu (Từ ngày)."), "tu")
        return check(Period(start, end), today)
    name = (params.get("ky") or "thang").strip()[:MAX_INPUT]
    return check(preset(name, today), today)
