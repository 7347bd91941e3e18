"""The nine criteria a citizen rates a handled dossier on (docs/regulations.md §3), as plain data.

Criteria 1–7 score 2, 1 or 0 points; criteria 8 and 9 are rated Rất hài lòng / Hài lòng /
Không hài lòng, stored as 2 / 1 / 0 too. The titles and answers are the official wording (the
indices of NĐ 61/2018 as the national portal shows them); `short` is a label for lists.

Pure module: no ORM, no HTTP. `clean_answers` is the one validator the form, the service and
any API share.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.dossiers.errors import InvalidInput

SCORE = "score"  # 2 / 1 / 0 points
SATISFACTION = "satisfaction"  # Rất hài lòng / Hài lòng / Không hài lòng

VERY_SATISFIED, SATISFIED, UNSATISFIED = 2, 1, 0
SATISFACTION_LABELS = {
    VERY_SATISFIED: gettext_lazy("Rất hài lòng"),
    SATISFIED: gettext_lazy("Hài lòng"),
    UNSATISFIED: gettext_lazy("Không hài lòng"),
}
MAX_COMMENT_CHARS = 2000


@dataclass(frozen=True)
class Option:
    value: int
    label: str  # short: "2 điểm", "Rất hài lòng"
    text: str  # the official wording of the answer


@dataclass(frozen=True)
class Criterion:
    number: int
    title: str  # official wording
    short: str
    kind: str
    options: tuple[Option, ...]

    @property
    def code(self) -> str:
        return f"c{self.number}"

    @property
    def values(self) -> frozenset[int]:
        return frozenset(o.value for o in self.options)


def _points(two: str, one: str, zero: str) -> tuple[Option, ...]:
    return (
        Option(2, gettext_lazy("2 điểm"), two),
        Option(1, gettext_lazy("1 điểm"), one),
        Option(0, gettext_lazy("0 điểm"), zero),
    )


def _satisfaction() -> tuple[Option, ...]:
    return tuple(Option(v, label, label) for v, label in SATISFACTION_LABELS.items())


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        1,
        gettext_lazy("Tổng thời gian giải quyết thủ tục hành chính so với thời gian cho phép theo quy định "
                     "của pháp luật"),
        gettext_lazy("Tổng thời gian giải quyết"),
        SCORE,
        _points(
            gettext_lazy("Tổng thời gian ngắn hơn so với quy định"),
            gettext_lazy("Tổng thời gian bằng thời gian quy định"),
            gettext_lazy("Tổng thời gian dài hơn so với quy định"),
        ),
    ),
    Criterion(
        2,
        gettext_lazy("Thời gian thực hiện của từng cơ quan, đơn vị tham gia giải quyết (kể cả đơn vị phối hợp) "
                     "so với quy định"),
        gettext_lazy("Thời gian của từng cơ quan, đơn vị"),
        SCORE,
        _points(
            gettext_lazy("Cơ quan, đơn vị xử lý ngắn hơn so với thời hạn quy định"),
            gettext_lazy("Cơ quan, đơn vị xử lý bằng thời hạn quy định"),
            gettext_lazy("Cơ quan, đơn vị xử lý dài hơn so với thời hạn quy định"),
        ),
    ),
    Criterion(
        3,
        gettext_lazy("Số lần phải liên hệ với nơi tiếp nhận hồ sơ để hoàn thiện hồ sơ thủ tục hành chính "
                     "(kể cả liên hệ theo hình thức trực tuyến)"),
        gettext_lazy("Số lần liên hệ để hoàn thiện hồ sơ"),
        SCORE,
        _points(
            gettext_lazy("Không phải liên hệ với nơi tiếp nhận hồ sơ lần nào để hoàn thiện hồ sơ"),
            gettext_lazy("Chỉ phải một lần liên hệ với nơi tiếp nhận hồ sơ để hoàn thiện hồ sơ"),
            gettext_lazy("Phải hơn một lần liên hệ với nơi tiếp nhận hồ sơ để hoàn thiện hồ sơ, trừ trường hợp "
                         "nguyên nhân do lỗi của người nộp hồ sơ"),
        ),
    ),
    Criterion(
        4,
        gettext_lazy("Số lượng cơ quan, đơn vị, tổ chức phải liên hệ để hoàn thiện hồ sơ thủ tục hành chính "
                     "(kể cả liên hệ theo hình thức trực tuyến)"),
        gettext_lazy("Số cơ quan phải liên hệ"),
        SCORE,
        _points(
            gettext_lazy("Không phải liên hệ với cơ quan, đơn vị, tổ chức nào để hoàn thiện hồ sơ"),
            gettext_lazy("Chỉ phải liên hệ với Bộ phận Một cửa (cộng thêm cơ quan được pháp luật giao kiểm tra, "
                         "xác minh thực địa, thẩm định, nếu có)"),
            gettext_lazy("Phải liên hệ với hơn một cơ quan, đơn vị, tổ chức"),
        ),
    ),
    Criterion(
        5,
        gettext_lazy("Thực hiện tổ chức tiếp nhận hồ sơ, giải quyết, trả kết quả tại Bộ phận Một cửa"),
        gettext_lazy("Tiếp nhận, giải quyết, trả kết quả tại Bộ phận Một cửa"),
        SCORE,
        _points(
            gettext_lazy("Bộ phận Một cửa tiếp nhận, thẩm định, phê duyệt kết quả với tối thiểu 20% thủ tục "
                         "cấp tỉnh (100% thủ tục cấp xã) trong danh mục"),
            gettext_lazy("100% thủ tục thuộc diện được tiếp nhận hồ sơ và trả kết quả tại Bộ phận Một cửa"),
            gettext_lazy("Dưới 100% thủ tục thuộc diện được tiếp nhận hồ sơ và trả kết quả tại Bộ phận Một cửa"),
        ),
    ),
    Criterion(
        6,
        gettext_lazy("Công khai các thủ tục hành chính thực hiện tại Bộ phận Một cửa"),
        gettext_lazy("Công khai thủ tục hành chính"),
        SCORE,
        _points(
            gettext_lazy("Được công khai chính xác, đầy đủ, kịp thời bằng cả hình thức niêm yết và điện tử"),
            gettext_lazy("Được công khai chính xác, đầy đủ, kịp thời bằng hình thức niêm yết hoặc điện tử"),
            gettext_lazy("Không được công khai chính xác, đầy đủ, kịp thời"),
        ),
    ),
    Criterion(
        7,
        gettext_lazy("Thái độ của cán bộ, công chức, viên chức khi hướng dẫn lập hồ sơ, tiếp nhận hồ sơ và "
                     "giải quyết thủ tục hành chính"),
        gettext_lazy("Thái độ của cán bộ, công chức"),
        SCORE,
        _points(
            gettext_lazy("Tiếp nhận, xử lý, trả kết quả sớm hơn thời hạn và không có phản ánh, kiến nghị về "
                         "hành vi, thái độ nhũng nhiễu, gây phiền hà"),
            gettext_lazy("Tiếp nhận, xử lý, trả kết quả đúng thời hạn và không có phản ánh, kiến nghị về "
                         "hành vi, thái độ nhũng nhiễu, gây phiền hà"),
            gettext_lazy("Có phản ánh, kiến nghị về hành vi, thái độ nhũng nhiễu, gây phiền hà, không thực hiện "
                         "hoặc thực hiện không đúng quy định pháp luật"),
        ),
    ),
    Criterion(
        8,
        gettext_lazy("Mức độ thuận tiện khi sử dụng dịch vụ (dịch vụ dễ sử dụng, thời gian đáp ứng của dịch vụ "
                     "khi giao tiếp, xử lý dữ liệu)"),
        gettext_lazy("Mức độ thuận tiện"),
        SATISFACTION,
        _satisfaction(),
    ),
    Criterion(
        9,
        gettext_lazy("Đánh giá tổng thể dịch vụ"),
        gettext_lazy("Đánh giá tổng thể"),
        SATISFACTION,
        _satisfaction(),
    ),
)
BY_CODE = {c.code: c for c in CRITERIA}
SCORED = tuple(c for c in CRITERIA if c.kind == SCORE)


def _value(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) <= 2:
        return int(raw.strip())
    return None


def clean_answers(answers: Mapping[str, Any] | None) -> dict[str, int]:
    """{"c1": 2, ..., "c9": 0} from a mapping of codes to values (ints or digit strings).

    Every criterion is required and each value must be one of its options; unknown keys are
    refused. InvalidInput names the criterion (field = its code)."""
    if not isinstance(answers, Mapping):
        raise InvalidInput(_("Phiếu đánh giá phải là một bảng các tiêu chí c1 đến c9."), field="answers")
    unknown = sorted(str(k)[:20] for k in answers if k not in BY_CODE)
    if unknown:
        raise InvalidInput(
            _("Tiêu chí không tồn tại: %(keys)s (chỉ có c1 đến c9).") % {"keys": ", ".join(unknown[:5])},
            field=unknown[0],
        )
    cleaned: dict[str, int] = {}
    for criterion in CRITERIA:
        raw = answers.get(criterion.code)
        if raw is None or raw == "":
            raise InvalidInput(
                _("Chưa chọn mức đánh giá cho chỉ số %(n)d: %(name)s.") % {"n": criterion.number,
                                                                          "name": criterion.short},
                field=criterion.code, code="criterion_missing",
            )
        value = _value(raw)
        if value not in criterion.values:
            allowed = ", ".join(str(o.label) for o in criterion.options)
            raise InvalidInput(
                _("Mức đánh giá của chỉ số %(n)d (%(name)s) không hợp lệ; chọn một trong: %(allowed)s.")
                % {"n": criterion.number, "name": criterion.short, "allowed": allowed},
                field=criterion.code, code="criterion_invalid",
            )
        cleaned[criterion.code] = value
    return cleaned


def score(answers: Mapping[str, int]) -> int:
    """Points of criteria 1–7 (0 to 14)."""
    return sum(answers[c.code] for c in SCORED)


def is_unsatisfied(answers: Mapping[str, int]) -> bool:
    """A "Không hài lòng" on convenience (8) or overall (9): counts against satisfaction 5.4."""
    return answers["c8"] == UNSATISFIED or answers["c9"] == UNSATISFIED
