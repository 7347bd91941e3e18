"""QĐ 766/QĐ-TTg indicators (docs/regulations.md §6) as pure functions over counts.

`metrics.indicator_counts` counts the dossiers in SQL; this module turns the counts into rates
with their definitions. Every rate is a percentage rounded to 2 decimals, and None ("không có
dữ liệu") when its denominator is 0: never a division error, never a made-up 0 %.

Which dossiers count (the same rules `metrics.py` writes as SQL filters):

* **2.1 on time.** Denominator: dossiers received (`received_at` set, so refusals at reception and
  withdrawals before receipt are out) before the period's end, that either ended in the period
  (processed: `finished_at`; or stopped / withdrawn after receipt: `closed_at`) or were still
  open at its end. Numerator: those whose end (the period's end, or now if earlier, for open
  ones; the moment the clock stopped for one waiting for a supplement) is at or before `due_at`
  and that were not asked for a second supplement (`counts_as_late`). `due_at` already moves
  forward by every supplement pause and approved extension (the action layer does it), so
  supplement time is subtracted.
* **3.3 online.** Dossiers received in the period through channel 2 ÷ all received in the period
  (counter = 1 and post = 3 shown alongside). The national formula's sync factor is 1 here: the
  denominator is our own count.
* **3.6 online payment.** Dossiers received in the period with a payment confirmed by a gateway
  (payments app, state "paid") ÷ dossiers received in the period whose procedure version has a
  fee above 0 đồng.
* **4.1 electronic result.** Dossiers processed in the period (`finished_at` in it) with a result
  file (DossierFile kind "result") ÷ dossiers processed in the period (every procedure of the
  catalogue gives a document as its result).
* **4.2 digitisation.** Dossiers received in the period with at least one component or
  supplement file (scanned at the counter, uploaded or taken from the wallet) and, once
  processed, an electronic result ÷ dossiers received in the period.
* **5.4 satisfaction.** 100 % − (the late share of 2.1 + the share of the same dossiers that have a
  PAKN naming them or a "Không hài lòng" rating), never below 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def rate(numerator: int, denominator: int) -> Decimal | None:
    """numerator ÷ denominator × 100, rounded half up to 2 decimals; None when denominator is 0."""
    if not denominator:
        return None
    return (Decimal(numerator) * HUNDRED / Decimal(denominator)).quantize(CENT, rounding=ROUND_HALF_UP)


def satisfaction(late: int, complained: int, denominator: int) -> Decimal | None:
    """5.4: 100 − (late rate + complaint rate) over the same dossiers; None without dossiers."""
    if not denominator:
        return None
    late_rate = Decimal(late) * HUNDRED / Decimal(denominator)
    complaint_rate = Decimal(complained) * HUNDRED / Decimal(denominator)
    value = max(HUNDRED - late_rate - complaint_rate, Decimal(0))
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Indicator:
    key: str
    code: str  # the QĐ 766 number, e.g. "2.1"
    title: str
    definition: str
    numerator: int
    denominator: int
    value: Decimal | None
    target: Decimal | None = None  # full points at or above
    numerator_metric: str = ""  # drill-down keys (metrics.METRICS)
    denominator_metric: str = ""
    numerator_label: str = ""
    denominator_label: str = ""

    @property
    def has_data(self) -> bool:
        return self.value is not None

    @property
    def meets_target(self) -> bool | None:
        if self.value is None or self.target is None:
            return None
        return self.value >= self.target

    def as_dict(self) -> dict:
        return {
            "key": self.key, "code": self.code, "title": str(self.title), "definition": str(self.definition),
            "value": float(self.value) if self.value is not None else None,
            "numerator": self.numerator, "denominator": self.denominator,
            "numerator_label": str(self.numerator_label), "denominator_label": str(self.denominator_label),
            "target": float(self.target) if self.target is not None else None,
        }


DEFINITIONS = {
    "on_time": (
        "2.1", _("Tỷ lệ hồ sơ giải quyết đúng hạn"),
        _("Số hồ sơ đã xử lý xong hoặc đang xử lý mà chưa quá hạn ÷ số hồ sơ đã tiếp nhận kết thúc trong kỳ "
          "(xử lý xong, dừng xử lý, rút sau khi tiếp nhận) hoặc còn đang xử lý cuối kỳ. Hồ sơ bị từ chối tiếp nhận "
          "và rút trước khi tiếp nhận không tính. Thời gian chờ bổ sung được trừ (hạn trả đã lùi tương ứng); hồ sơ "
          "bị yêu cầu bổ sung lần thứ hai tính là quá hạn. Hồ sơ chưa xong lấy cuối kỳ (hoặc hiện tại) làm mốc."),
        _("đúng hạn"), _("đã tiếp nhận, kết thúc trong kỳ hoặc đang xử lý"), None,
    ),
    "online": (
        "3.3", _("Tỷ lệ hồ sơ nộp trực tuyến"),
        _("Số hồ sơ tiếp nhận trong kỳ qua kênh trực tuyến ÷ tổng số hồ sơ tiếp nhận trong kỳ (mọi kênh)."),
        _("nộp trực tuyến"), _("tiếp nhận trong kỳ"), Decimal(50),
    ),
    "online_payment": (
        "3.6", _("Tỷ lệ thanh toán trực tuyến"),
        _("Số hồ sơ tiếp nhận trong kỳ đã thanh toán trực tuyến thành công qua cổng thanh toán ÷ số hồ sơ tiếp nhận "
          "trong kỳ của thủ tục có phí, lệ phí (khác 0 đồng)."),
        _("đã thanh toán trực tuyến"), _("tiếp nhận trong kỳ, thủ tục có phí"), None,
    ),
    "fees_collected": (
        "3.6a", _("Tỷ lệ hồ sơ đã nộp phí, lệ phí"),
        _("Số hồ sơ tiếp nhận trong kỳ của thủ tục có phí, lệ phí đã nộp phí (thanh toán trực tuyến hoặc thu tại "
          "Bộ phận Một cửa) ÷ số hồ sơ tiếp nhận trong kỳ của thủ tục có phí, lệ phí (khác 0 đồng)."),
        _("đã nộp phí, lệ phí"), _("tiếp nhận trong kỳ, thủ tục có phí"), None,
    ),
    "electronic_result": (
        "4.1", _("Tỷ lệ hồ sơ có kết quả điện tử"),
        _("Số hồ sơ xử lý xong trong kỳ có tệp kết quả điện tử ÷ số hồ sơ xử lý xong trong kỳ."),
        _("có kết quả điện tử"), _("xử lý xong trong kỳ"), None,
    ),
    "digitised": (
        "4.2", _("Tỷ lệ số hóa hồ sơ"),
        _("Số hồ sơ tiếp nhận trong kỳ có thành phần hồ sơ điện tử (số hóa tại quầy, tải lên, lấy từ kho dữ liệu) "
          "và, nếu đã xử lý xong, có kết quả điện tử ÷ số hồ sơ tiếp nhận trong kỳ."),
        _("đã số hóa"), _("tiếp nhận trong kỳ"), Decimal(80),
    ),
    "satisfaction": (
        "5.4", _("Mức độ hài lòng trong giải quyết thủ tục hành chính"),
        _("100% − (tỷ lệ hồ sơ quá hạn + tỷ lệ hồ sơ có phản ánh, kiến nghị hoặc bị đánh giá «Không hài lòng»), "
          "cùng mẫu số với chỉ số 2.1; không nhỏ hơn 0%."),
        _("quá hạn hoặc có phản ánh / không hài lòng"), _("như chỉ số 2.1"), Decimal(90),
    ),
}


def _make(key: str, numerator: int, denominator: int, value: Decimal | None, num_metric: str,
          den_metric: str) -> Indicator:
    code, title, definition, num_label, den_label, target = DEFINITIONS[key]
    return Indicator(key=key, code=code, title=title, definition=definition, numerator=numerator,
                     denominator=denominator, value=value, target=target, numerator_metric=num_metric,
                     denominator_metric=den_metric, numerator_label=num_label, denominator_label=den_label)


def build(counts: Mapping[str, int]) -> list[Indicator]:
    """The indicators from the counts of `metrics.INDICATOR_METRICS` (missing counts are 0)."""
    c = {k: int(counts.get(k) or 0) for k in (
        "i_base", "i_on_time", "i_late", "received", "received_online", "i_fee", "i_paid", "finished",
        "i_result", "i_digitised", "i_complained", "i_fee_paid",
    )}
    return [
        _make("on_time", c["i_on_time"], c["i_base"], rate(c["i_on_time"], c["i_base"]), "i_on_time", "i_base"),
        _make("online", c["received_online"], c["received"], rate(c["received_online"], c["received"]),
              "received_online", "received"),
        _make("online_payment", c["i_paid"], c["i_fee"], rate(c["i_paid"], c["i_fee"]), "i_paid", "i_fee"),
        _make("fees_collected", c["i_fee_paid"], c["i_fee"], rate(c["i_fee_paid"], c["i_fee"]), "i_fee_paid", "i_fee"),
        _make("electronic_result", c["i_result"], c["finished"], rate(c["i_result"], c["finished"]),
              "i_result", "finished"),
        _make("digitised", c["i_digitised"], c["received"], rate(c["i_digitised"], c["received"]),
              "i_digitised", "received"),
        _make("satisfaction", c["i_late"] + c["i_complained"], c["i_base"],
              satisfaction(c["i_late"], c["i_complained"], c["i_base"]), "i_late_or_complained", "i_base"),
    ]
