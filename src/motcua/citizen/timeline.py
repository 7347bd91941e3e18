"""A dossier's history as its applicant sees it: every step, when, at which agency.

Read from the events (the process control sheet), in order. What the applicant is shown:
- every event but file additions (their files are listed apart);
- the step the dossier moved to, the agency, and for a finished step its punctuality;
- the reasons addressed to the applicant (refusal, supplement request and its list, pause,
  extension, stop, withdrawal, their own note when supplying); internal notes between officers
  (hand-over, return to a previous step) are not shown;
- no staff names: the agency is who acts for the applicant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Event, EventKind
from motcua.dossiers.supplements import items_of

LABELS = {
    EventKind.SUBMITTED: _("Nộp hồ sơ trực tuyến"),
    EventKind.RECEIVED: _("Tiếp nhận hồ sơ"),
    EventKind.REFUSED: _("Từ chối tiếp nhận"),
    EventKind.SUPPLEMENT_REQUESTED: _("Yêu cầu bổ sung, hoàn thiện hồ sơ"),
    EventKind.SUPPLIED: _("Đã nộp bổ sung"),
    EventKind.CLAIMED: _("Cán bộ nhận xử lý"),
    EventKind.HANDOVER: _("Chuyển bước xử lý"),
    EventKind.RETURNED_TO_PREVIOUS: _("Chuyển lại bước trước"),
    EventKind.APPROVED: _("Lãnh đạo đã duyệt, ký số kết quả"),
    EventKind.PAUSED: _("Tạm dừng tính thời gian"),
    EventKind.RESUMED: _("Tiếp tục xử lý"),
    EventKind.EXTENDED: _("Gia hạn thời gian giải quyết"),
    EventKind.STOPPED: _("Dừng xử lý"),
    EventKind.COMPLETED: _("Đã xử lý xong"),
    EventKind.RESULT_RETURNED: _("Đã trả kết quả"),
    EventKind.WITHDRAWN: _("Rút hồ sơ"),
    EventKind.RESULT_DELIVERED: _("Đã trả kết quả điện tử"),
    EventKind.RESULT_POSTED: _("Đã gửi kết quả qua bưu chính"),
    EventKind.POST_DELIVERED: _("Bưu chính đã phát kết quả"),
    EventKind.PAPER_COPY_HANDED_OVER: _("Đã nhận bản giấy của kết quả"),
    EventKind.RESULT_DOWNLOADED: _("Đã tải kết quả điện tử"),
    EventKind.RATED: _("Đã đánh giá mức độ hài lòng"),
}
PAYMENT_PAUSE = _("Chờ thực hiện nghĩa vụ tài chính")
# Events whose note is written for the applicant (printed on forms 02-05 or typed by them).
PUBLIC_NOTES = frozenset({
    EventKind.REFUSED, EventKind.SUPPLEMENT_REQUESTED, EventKind.SUPPLIED, EventKind.PAUSED, EventKind.EXTENDED,
    EventKind.STOPPED, EventKind.WITHDRAWN,
})
HIDDEN = frozenset({EventKind.FILE_ADDED})
# Events after which the step the dossier is in is worth naming.
STEP_MOVES = frozenset({
    EventKind.RECEIVED, EventKind.CLAIMED, EventKind.HANDOVER, EventKind.RETURNED_TO_PREVIOUS, EventKind.SUPPLIED,
    EventKind.RESUMED, EventKind.APPROVED,
})
# Events that end a workflow step (its punctuality is recorded on them).
STEP_ENDS = frozenset({EventKind.HANDOVER, EventKind.RETURNED_TO_PREVIOUS, EventKind.COMPLETED, EventKind.APPROVED})


@dataclass
class Entry:
    at: dt.datetime
    kind: str
    label: str
    step: str = ""  # the workflow step the dossier is at after this event
    agency: str = ""
    finished_step: str = ""  # for a hand-over or completion: the step just finished
    punctuality: str = ""  # early / on_time / late of the finished step
    note: str = ""
    items: list[str] = field(default_factory=list)  # what a supplement request asks for
    new_due_at: dt.datetime | None = None  # an extension's new date

    @property
    def shown_step(self) -> str:
        """The step to name after the label: where a move led, not repeated when it is the label."""
        if self.kind not in STEP_MOVES or self.step.casefold() == self.label.casefold():
            return ""
        return self.step


def _name(obj) -> str:
    return getattr(obj, "name", "") or ""


def entries(events: Iterable[Event]) -> list[Entry]:
    """Timeline entries, oldest first. Pass events with to_step, from_step, to_agency and
    from_agency selected (one query)."""
    out: list[Entry] = []
    for e in events:
        if e.kind in HIDDEN:
            continue
        data = e.data or {}
        label = LABELS.get(e.kind, e.get_kind_display())
        if e.kind == EventKind.PAUSED and data.get("kind") == "payment":
            label = PAYMENT_PAUSE
        if e.kind == EventKind.RESULT_POSTED and data.get("postal_number"):
            label = _("Đã gửi kết quả qua bưu chính (số bưu gửi %(number)s)") % {"number": data["postal_number"]}
        entry = Entry(
            at=e.at,
            kind=e.kind,
            label=str(label),
            step=_name(e.to_step) if e.to_step_id else "",
            agency=_name(e.to_agency if e.to_agency_id else e.from_agency),
            note=(e.note or "").strip() if e.kind in PUBLIC_NOTES else "",
            items=[f"{item.text} — {item.reason}" if item.reason else item.text for item in items_of(data, ())]
            if e.kind == EventKind.SUPPLEMENT_REQUESTED else [],
        )
        if e.kind in STEP_ENDS and e.from_step_id:
            entry.finished_step = _name(e.from_step)
            entry.punctuality = e.step_punctuality or ""
        if e.kind == EventKind.EXTENDED and data.get("due_at"):
            try:
                entry.new_due_at = dt.datetime.fromisoformat(data["due_at"])
            except (TypeError, ValueError):
                entry.new_due_at = None
        out.append(entry)
    return out


def dossier_events(dossier):
    return dossier.events.select_related("to_step", "from_step", "to_agency", "from_agency").order_by("version")
