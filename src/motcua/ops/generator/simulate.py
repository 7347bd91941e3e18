"""One dossier's simulated life, on its agencies' working calendars: the same changes, in the
same order and with the same event fields, as the action layer (motcua.dossiers.actions)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from motcua.core.dates import iso as _iso
from motcua.core.money import vnd
from motcua.dossiers.codes import TZ
from motcua.dossiers.models import Channel, Delivery, EventKind, Status
from motcua.worktime import engine

from .plan import CasePlan

if TYPE_CHECKING:
    from . import Generator

MISSING = ["Bản sao giấy khai sinh có chứng thực", "Tờ khai chưa ký tên", "Ảnh chân dung 4x6 cm",
           "Giấy xác nhận nơi cư trú", "Bản vẽ thiết kế có chữ ký của đơn vị tư vấn", "Hợp đồng chuyển nhượng"]
REFUSE_REASONS = ["Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan.", "Thủ tục không áp dụng cho trường hợp này.",
                  "Giấy tờ giả mạo, không hợp lệ."]
STOP_REASONS = ["Người nộp không bổ sung hồ sơ trong thời hạn.", "Có tranh chấp chưa được giải quyết.",
                "Cơ quan có thẩm quyền không chấp thuận."]
RETURN_REASONS = ["Cần xác minh lại thông tin người nộp.", "Dự thảo kết quả còn sai sót, đề nghị sửa lại."]
EXTEND_REASONS = ["Cần xác minh thêm với cơ quan liên quan.", "Chờ ý kiến của cơ quan phối hợp.",
                  "Khối lượng hồ sơ tăng đột biến trong kỳ."]
WITHDRAW_REASONS = ["Người nộp xin rút hồ sơ.", "Người nộp đã giải quyết ở nơi khác."]


US = 1_000_000
HOUR = 3600 * US


class Stop(Exception):  # noqa: N818 - control flow: the simulated life reached "now"
    pass



class Clock:
    """Working-time arithmetic on one agency calendar (the same engine calls as deadlines.py)."""

    def __init__(self, calendar):
        self.calendar = calendar

    def add(self, at: dt.datetime, hours: float) -> dt.datetime:
        return engine.add_working_time(self.calendar, at, dt.timedelta(microseconds=int(hours * HOUR)))

    def due(self, at: dt.datetime, amount, unit: str, cutoff=None) -> dt.datetime:
        return engine.due(self.calendar, at, amount, unit, cutoff)

    def elapsed(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        return max(engine.elapsed(self.calendar, start, end), dt.timedelta(0))

    def shift(self, due_at: dt.datetime, paused: dt.timedelta) -> dt.datetime:
        if paused <= dt.timedelta(0):
            return due_at
        return engine.add_working_time(self.calendar, due_at, paused)


def _punctuality(due_at: dt.datetime | None, at: dt.datetime) -> str:
    return "" if due_at is None else str(engine.punctuality(due_at, at))


class Sim:
    """One dossier's simulated life: the same changes, in the same order, as actions.py."""

    def __init__(self, gen: Generator, plan: CasePlan, dossier_id: int, now: dt.datetime):
        self.g, self.p, self.now = gen, plan, now
        self.rng = gen.rng
        self.clock = gen.clock(plan.receiving_id)
        self.d: dict[str, Any] = {
            "id": dossier_id, "procedure_version_id": plan.version_id, "case_id": plan.case_id,
            "agency_id": plan.receiving_id, "handling_agency_id": plan.receiving_id, "status": Status.SUBMITTED,
            "received_at": None, "due_at": None, "original_due_at": None, "finished_at": None,
            "returned_at": None, "closed_at": None, "current_step_id": None, "current_role": "",
            "step_started_at": None, "step_due_at": None, "assignee_id": None,
            "reception_supplement_requested": False, "supplement_count": 0, "counts_as_late": False,
            "resume_status": None, "paused_at": None, "paused_total": dt.timedelta(0), "extension_count": 0,
            "fee_collected": 0, "receipt_number": "", "originals_checked": False, "applicant_signed": False,
            "version": 0, "owner_id": None,
        }
        self.events: list[tuple] = []
        self.step_index: int | None = None
        self.last_at: dt.datetime | None = None
        self.handlers: dict[int, int | None] = {}  # step index -> who last handed it on
        self.rating: tuple | None = None
        self.posted: dict | None = None  # the data of the result_posted event, if any

    # -- event writing
    def event(self, kind: str, actor: int | None, at: dt.datetime, from_status, to_status, *, note: str = "",
              data: dict | None = None, punctuality: str = "", prev: dict | None = None) -> None:
        """Append the event of the change just made; `prev`: step, agency and assignee before it
        (default: unchanged)."""
        d = self.d
        d["version"] += 1
        before = prev if prev is not None else self.snapshot()
        self.events.append((
            d["id"], d["version"], str(kind), actor, at,
            None if from_status is None else int(from_status), int(to_status),
            before["step"], d["current_step_id"], before["agency"], d["handling_agency_id"],
            before["assignee"], d["assignee_id"], note, data or {}, punctuality,
        ))
        self.last_at = at

    def when(self, at: dt.datetime) -> dt.datetime:
        """`at`, or stop the simulation when it would be in the future."""
        if self.last_at is not None and at <= self.last_at:
            at = self.last_at + dt.timedelta(seconds=1)
        if at > self.now:
            raise Stop
        return at

    def snapshot(self) -> dict:
        d = self.d
        return {"step": d["current_step_id"], "agency": d["handling_agency_id"], "assignee": d["assignee_id"]}

    # -- helpers mirroring actions.py
    def staff(self, agency_id: int, role: str) -> int:
        return self.rng.choice(self.g.staff[(agency_id, role)])

    def enter_step(self, index: int, at: dt.datetime, assignee: int | None) -> None:
        step = self.p.steps[index]
        d = self.d
        d["current_step_id"] = step.id
        d["current_role"] = step.role
        d["handling_agency_id"] = step.agency_id
        d["step_started_at"] = at
        d["step_due_at"] = self.g.clock(step.agency_id).due(at, step.quota_hours, "working_hours")
        d["assignee_id"] = assignee
        self.step_index = index

    def close_pause(self, at: dt.datetime, data: dict) -> None:
        d = self.d
        if d["paused_at"] is None:
            return
        paused = self.clock.elapsed(d["paused_at"], at)
        data.update(paused_from=_iso(d["paused_at"]), paused_seconds=int(paused.total_seconds()),
                    due_at_before=_iso(d["due_at"]))
        if d["due_at"] is not None:
            d["due_at"] = self.clock.shift(d["due_at"], paused)
        if d["step_due_at"] is not None:
            handling = self.g.clock(d["handling_agency_id"])
            d["step_due_at"] = handling.shift(d["step_due_at"], handling.elapsed(d["paused_at"], at))
        d["paused_total"] += paused
        d["paused_at"] = None
        data["due_at"] = _iso(d["due_at"])

    def receive_fields(self, actor: int, at: dt.datetime) -> None:
        d, p = self.d, self.p
        d["received_at"] = at
        d["due_at"] = d["original_due_at"] = self.clock.due(at, p.time_amount, p.time_unit, p.cutoff)
        if p.steps:
            first = p.steps[0]
            holder = actor if first.role == "receptionist" and first.agency_id == p.receiving_id else None
            self.enter_step(0, at, holder)
        else:
            d["handling_agency_id"] = p.stepless_agency_id

    # -- the life of the dossier
    def run(self, start: dt.datetime, channel: int) -> None:
        rng, p, d = self.rng, self.p, self.d
        d["channel"] = channel
        d["submitted_at"] = start
        d["delivery"] = (Delivery.ONLINE if channel == Channel.ONLINE and p.level >= 4 else
                         Delivery.POST if channel == Channel.POST else Delivery.COUNTER)
        receptionist = self.staff(p.receiving_id, "receptionist")
        fate = rng.random()
        try:
            if channel == Channel.ONLINE:
                d["owner_id"] = rng.choice(self.g.citizens)
                self.event(EventKind.SUBMITTED, d["owner_id"], start, None, Status.SUBMITTED,
                           data={"channel": channel}, prev={"agency": None, "step": None, "assignee": None})
                at = self.clock.add(engine.next_opening(self.clock.calendar, start), rng.uniform(0.1, 6))
                if fate < 0.03:
                    self.refuse(receptionist, at)
                    return
                if fate < 0.09:
                    at = self.reception_supplement(receptionist, at)
                self.receive(receptionist, at)
            elif fate < 0.03:
                self.event(EventKind.SUBMITTED, receptionist, start, None, Status.SUBMITTED,
                           data={"channel": channel}, prev={"agency": None, "step": None, "assignee": None})
                self.refuse(receptionist, self.clock.add(start, rng.uniform(0.05, 0.3)))
                return
            else:
                self.receive_fields(receptionist, start)
                d["status"] = Status.RECEIVED
                self.event(EventKind.RECEIVED, receptionist, start, None, Status.RECEIVED,
                           data={"channel": channel, "due_at": _iso(d["due_at"])},
                           prev={"agency": None, "step": None, "assignee": None})
            self.process(receptionist)
        except Stop:
            pass

    def refuse(self, actor: int, at: dt.datetime) -> None:
        at = self.when(at)
        self.d["closed_at"] = at
        self.d["status"] = Status.REFUSED
        self.event(EventKind.REFUSED, actor, at, Status.SUBMITTED, Status.REFUSED, note=self.rng.choice(REFUSE_REASONS))

    def reception_supplement(self, actor: int, at: dt.datetime) -> dt.datetime:
        d, rng = self.d, self.rng
        at = self.when(at)
        d["resume_status"] = Status.SUBMITTED
        d["reception_supplement_requested"] = True
        d["status"] = Status.SUPPLEMENT_REQUESTED
        self.event(EventKind.SUPPLEMENT_REQUESTED, actor, at, Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED,
                   data={"missing": rng.sample(MISSING, 2), "phase": "reception"})
        if rng.random() < 0.1:  # never supplied: the applicant withdraws after a while
            self.withdraw(d["owner_id"], self.clock.add(at, rng.uniform(8, 80)), Status.SUPPLEMENT_REQUESTED)
            raise Stop
        at = self.when(self.clock.add(at, rng.uniform(2, 40)))
        d["resume_status"] = None
        d["status"] = Status.SUBMITTED
        self.event(EventKind.SUPPLIED, d["owner_id"], at, Status.SUPPLEMENT_REQUESTED, Status.SUBMITTED,
                   data={"phase": "reception"})
        return self.clock.add(at, rng.uniform(0.1, 4))

    def receive(self, actor: int, at: dt.datetime) -> None:
        d = self.d
        at = self.when(at)
        before = self.snapshot()
        self.receive_fields(actor, at)
        d["status"] = Status.RECEIVED
        self.event(EventKind.RECEIVED, actor, at, Status.SUBMITTED, Status.RECEIVED,
                   data={"due_at": _iso(d["due_at"])}, prev=before)
        if d["channel"] == Channel.ONLINE and self.p.fees_online:
            self.pay(self.clock.add(at, self.rng.uniform(0.1, 3)))

    def pay(self, at: dt.datetime) -> None:
        d = self.d
        at = self.when(at)
        amount = sum(f["amount_vnd"] for f in self.p.fees_online)
        d["fee_collected"] += amount
        reference = f"GEN{d['id']:010d}"
        self.event(EventKind.PAYMENT_RECEIVED, None, at, d["status"], d["status"],
                   note=f"Thanh toán trực tuyến {vnd(amount, unit='đồng')}, giao dịch {reference}.",
                   data={"amount_vnd": amount, "reference": reference, "provider": "vnpay",
                         "fees": self.p.fees_online, "paid_at": _iso(at)})

    def process(self, receptionist: int) -> None:
        rng, p, d = self.rng, self.p, self.d
        at = d["received_at"]
        n = len(p.steps)
        pace = rng.random()
        slow_step = rng.randrange(1, n) if n > 1 and pace < 0.10 else -1
        supplement_at = rng.randrange(1, n) if n > 1 and rng.random() < 0.10 else -1
        twice = rng.random() < 0.2
        back_at = rng.randrange(2, n) if n > 2 and rng.random() < 0.04 else -1
        ending = rng.random()
        end_step = rng.randrange(0, max(n, 1))
        if not p.steps:  # a case without workflow: one officer completes it
            at = self.when(self.clock.add(at, rng.uniform(1, 16)))
            self.finish(self.staff(p.stepless_agency_id, "officer"), at, receptionist)
            return
        i = 0
        while True:
            step = p.steps[i]
            holder = d["assignee_id"]
            if holder is None:  # in the role pool: someone claims it
                at = self.when(self.g.clock(step.agency_id).add(at, rng.uniform(0.05, 1.5)))
                claimer = self.staff(step.agency_id, step.role)
                d["assignee_id"] = claimer
                before = self.snapshot()
                before["assignee"] = None
                self.event(EventKind.CLAIMED, claimer, at, d["status"], d["status"], prev=before)
                holder = claimer
            quota = float(step.quota_hours) or 0.5
            if i == slow_step:
                hours = quota * rng.uniform(1.3, 4.0)
            elif pace < 0.75:
                hours = quota * rng.uniform(0.05, 0.7)
            else:
                hours = quota * rng.uniform(0.5, 1.1)
            clock = self.g.clock(step.agency_id)
            if i == end_step and ending < 0.015:
                self.stop(holder, clock.add(at, hours * rng.uniform(0.2, 1.0)))
                return
            if i == end_step and ending < 0.03:
                self.withdraw(receptionist, clock.add(at, hours * rng.uniform(0.2, 1.0)), d["status"])
                return
            if i == slow_step and rng.random() < 0.4:  # the holder sees it will be late: apology and extension
                self.extend(holder, clock.add(at, hours * rng.uniform(0.3, 0.8)))
            if i == supplement_at:
                at = self.supplement(holder, clock.add(at, hours * rng.uniform(0.1, 0.5)), receptionist)
                if twice:
                    at = self.supplement(holder, clock.add(at, hours * rng.uniform(0.1, 0.5)), receptionist)
                supplement_at = -1
            at = clock.add(at, hours)
            if i == back_at:
                at = self.return_to_previous(holder, at)
                back_at = -1
                i -= 1
                continue
            if i + 1 == n:
                self.finish(holder, at, receptionist)
                return
            self.handover(holder, at, i + 1)
            at = self.last_at
            i += 1

    def extend(self, actor: int, at: dt.datetime) -> None:
        """Apology and extension (form 04) before the due time: one to three working days more."""
        d, rng = self.d, self.rng
        at = self.when(at)
        if d["due_at"] is None or at >= d["due_at"] or d["paused_at"] is not None:
            return  # too late to extend (or the clock is stopped): the dossier will simply be late
        before = d["due_at"]
        d["due_at"] = self.clock.add(before, rng.choice((8, 16, 24)))
        d["extension_count"] += 1
        self.event(EventKind.EXTENDED, actor, at, d["status"], d["status"], note=rng.choice(EXTEND_REASONS),
                   data={"due_at_before": _iso(before), "due_at": _iso(d["due_at"])})

    def handover(self, actor: int, at: dt.datetime, to_index: int) -> None:
        d, rng = self.d, self.rng
        at = self.when(at)
        before = self.snapshot()
        target = self.p.steps[to_index]
        named = rng.random() < 0.75 or target.role == "receptionist"
        to_user = self.staff(target.agency_id, target.role) if named else None
        punctuality = _punctuality(d["step_due_at"], at)
        data = {"step_due_at": _iso(d["step_due_at"])}
        self.handlers[self.step_index] = actor
        from_status = d["status"]
        self.enter_step(to_index, at, to_user)
        d["status"] = Status.PROCESSING
        self.event(EventKind.HANDOVER, actor, at, from_status, Status.PROCESSING, data=data,
                   punctuality=punctuality, prev=before)

    def return_to_previous(self, actor: int, at: dt.datetime) -> dt.datetime:
        d = self.d
        at = self.when(at)
        before = self.snapshot()
        back = self.step_index - 1
        target = self.handlers.get(back)  # they still hold the role (generated staff never leave)
        punctuality = _punctuality(d["step_due_at"], at)
        data = {"step_due_at": _iso(d["step_due_at"])}
        from_status = d["status"]
        self.enter_step(back, at, target)
        d["status"] = Status.PROCESSING
        self.event(EventKind.RETURNED_TO_PREVIOUS, actor, at, from_status, Status.PROCESSING,
                   note=self.rng.choice(RETURN_REASONS), data=data, punctuality=punctuality, prev=before)
        return at

    def supplement(self, actor: int, at: dt.datetime, receptionist: int) -> dt.datetime:
        d, rng = self.d, self.rng
        at = self.when(at)
        from_status = d["status"]
        count = d["supplement_count"] + 1
        late = count > 1
        d["resume_status"] = from_status
        d["paused_at"] = at
        d["supplement_count"] = count
        d["counts_as_late"] = d["counts_as_late"] or late
        d["status"] = Status.SUPPLEMENT_REQUESTED
        self.event(EventKind.SUPPLEMENT_REQUESTED, actor, at, from_status, Status.SUPPLEMENT_REQUESTED,
                   data={"missing": rng.sample(MISSING, 1 + rng.randrange(2)), "phase": "processing",
                         "count": count, "counts_as_late": late})
        if rng.random() < 0.08:  # never supplied: the dossier is stopped
            self.stop(actor, self.clock.add(at, rng.uniform(40, 120)))
            raise Stop
        at = self.when(self.clock.add(at, rng.uniform(4, 60)))
        data: dict[str, Any] = {"phase": "processing"}
        self.close_pause(at, data)
        back = d["resume_status"]
        d["resume_status"] = None
        d["status"] = back
        self.event(EventKind.SUPPLIED, d["owner_id"] or receptionist, at, Status.SUPPLEMENT_REQUESTED, back, data=data)
        return at

    def stop(self, actor: int, at: dt.datetime) -> None:
        d = self.d
        at = self.when(at)
        from_status = d["status"]
        data: dict[str, Any] = {}
        self.close_pause(at, data)
        d["closed_at"] = at
        d["status"] = Status.STOPPED
        self.event(EventKind.STOPPED, actor, at, from_status, Status.STOPPED, note=self.rng.choice(STOP_REASONS),
                   data=data)

    def withdraw(self, actor: int | None, at: dt.datetime, from_status: int) -> None:
        d = self.d
        at = self.when(at)
        data: dict[str, Any] = {}
        self.close_pause(at, data)
        d["closed_at"] = at
        d["status"] = Status.WITHDRAWN
        if actor is None:
            actor = self.staff(self.p.receiving_id, "receptionist")
        self.event(EventKind.WITHDRAWN, actor, at, from_status, Status.WITHDRAWN,
                   note=self.rng.choice(WITHDRAW_REASONS), data=data)

    def finish(self, actor: int, at: dt.datetime, receptionist: int) -> None:
        d, rng, p = self.d, self.rng, self.p
        at = self.when(at)
        from_status = d["status"]
        d["finished_at"] = at
        data = {"punctuality": "late" if d["counts_as_late"] else _punctuality(d["due_at"], at),
                "due_at": _iso(d["due_at"])}
        d["status"] = Status.COMPLETED
        self.event(EventKind.COMPLETED, actor, at, from_status, Status.COMPLETED, data=data,
                   punctuality=_punctuality(d["step_due_at"], at))
        # The result is handed over as the action layer does it: online at once by the system
        # (result_delivered), by post (result_posted, then post_delivered when the post confirms),
        # or at the counter (the fee recorded as record_fee does, then result_returned).
        if d["delivery"] == Delivery.ONLINE:
            self.deliver_online(at)
        elif d["delivery"] == Delivery.POST:
            self.deliver_by_post(at, receptionist)
        else:
            at = self.when(self.clock.add(at, rng.uniform(0.5, 24)))
            fee = p.fees_return + (0 if d["channel"] == Channel.ONLINE
                                   else sum(f["amount_vnd"] for f in p.fees_reception))
            receipt = f"BL{d['id']:08d}" if fee else ""
            d["returned_at"] = at
            d["originals_checked"] = d["applicant_signed"] = True
            d["fee_collected"] += fee
            if receipt:
                d["receipt_number"] = receipt
                # The counter records the fee as record_fee does (#17): its own event, then the return.
                self.event(EventKind.FEE_RECORDED, receptionist, at, Status.COMPLETED, Status.COMPLETED,
                           note=f"Thu {vnd(fee, unit='')} đồng (tiền mặt), biên lai số {receipt}.",
                           data={"amount_vnd": fee, "method": "cash", "receipt_number": receipt,
                                 "when": "at_return", "fees": []})
            d["status"] = Status.RETURNED
            self.event(EventKind.RESULT_RETURNED, receptionist, at, Status.COMPLETED, Status.RETURNED,
                       data={"originals_checked": True, "applicant_signed": True,
                             "fee_collected": fee, "receipt_number": receipt, "delivery": d["delivery"]})
        if rng.random() < 0.25:
            self.rate(self.last_at + dt.timedelta(minutes=rng.randint(1, 60 * 24 * 3)), receptionist)

    def deliver_online(self, at: dt.datetime) -> None:
        """9 -> 10 by the system at completion (`result_delivered`, actor none); the owner's first
        download of the result is logged (`result_downloaded`), most of them within days."""
        d, rng = self.d, self.rng
        at = self.when(at)
        d["returned_at"] = at
        d["status"] = Status.RETURNED
        self.event(EventKind.RESULT_DELIVERED, None, at, Status.COMPLETED, Status.RETURNED,
                   data={"delivery": str(Delivery.ONLINE), "result_files": []})
        if d["owner_id"] is not None and rng.random() < 0.8:
            downloaded = at + dt.timedelta(minutes=rng.randint(2, 60 * 24 * 4))
            if downloaded <= self.now:
                self.event(EventKind.RESULT_DOWNLOADED, d["owner_id"], self.when(downloaded), Status.RETURNED,
                           Status.RETURNED, data={"file_id": None, "name": "ket-qua.pdf", "sha256": ""})

    def deliver_by_post(self, at: dt.datetime, receptionist: int) -> None:
        """The counter hands the result to the post (9 stays 9, `result_posted`, its bưu gửi number),
        then records the post's confirmation (9 -> 10, `post_delivered`) one to four days later."""
        d, rng = self.d, self.rng
        at = self.when(self.clock.add(at, rng.uniform(0.5, 8)))
        number = f"EG{d['id']:09d}VN"
        self.posted = {"postal_number": number, "posted_on": at.astimezone(TZ).date().isoformat(),
                       "address": ""}  # the address: the applicant's, known once the dossier is filled in
        self.event(EventKind.RESULT_POSTED, receptionist, at, Status.COMPLETED, Status.COMPLETED, data=self.posted)
        at = self.when(self.clock.add(at, rng.uniform(8, 32)))
        d["returned_at"] = at
        d["status"] = Status.RETURNED
        self.event(EventKind.POST_DELIVERED, receptionist, at, Status.COMPLETED, Status.RETURNED,
                   data={"delivery": str(Delivery.POST), "postal_number": number})

    def rate(self, at: dt.datetime, receptionist: int) -> None:
        """A satisfaction rating: its row (feedback) and its `rated` event, as record_rating writes them."""
        if at > self.now:
            return
        at = self.when(at)
        self.rating = row = self.g.rating_row(self.d, at, receptionist)
        rating_id, recorder, score, unsatisfied, on_behalf = row[0], row[-3], row[12], row[13], row[-2]
        self.event(EventKind.RATED, recorder, at, Status.RETURNED, Status.RETURNED,
                   data={"rating_id": rating_id, "score": score, "unsatisfied": unsatisfied, "on_behalf": on_behalf})
