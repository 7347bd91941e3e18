"""The dossier lifecycle (docs/architecture.md §6) as a pure state machine: no ORM, no HTTP.

`decide(action, state, capacities, now=..., **params)` answers whether an actor with the given
capacities may take the action on a dossier in the given state, and if so what changes: the
next status, the move along the workflow, what happens to the clock. The action layer
(`actions.py`) turns the facts of the database into a `State` and a set of `Capacity`, calls
`decide`, and writes what the `Decision` says. `allowed_actions` lists what the actor could
do now (the back office's buttons).

Checks run in a fixed order, so every refusal has one clear reason:
1. the state (status, paused clock, workflow position, deadlines) -> ActionNotAllowed (409);
2. the actor's capacity -> PermissionDenied (403);
3. the parameters (reason, missing items, new due time) -> InvalidInput (400).

Choices beyond docs/architecture.md §6 (see the issue note):
* A supplement requested at reception (form 02, status 1 -> 5) is supplied back to status 1:
  the counter still has to check and receive the dossier (or refuse it); it may not ask for a
  supplement a second time at reception.
* A supplement requested after receipt (status 2 or 4) stops the clock; supplying returns the
  dossier to the status it left and restarts the clock. A second such request is allowed but
  makes the dossier count as late (QĐ 766 rule 2.1), which the decision reports.
* `pause` stops the clock with a reason; `kind="payment"` moves the dossier to status 6
  (awaiting a financial obligation), any other pause keeps the status (tạm dừng).
* `claim` lets a member of the current step's role pool take an unassigned dossier.
* How the result reaches the applicant (issue #17): an electronic result (`delivery` online) is
  returned by the system itself right after completion (`deliver_result`, 9 -> 10, no counter
  step) when a citizen account owns the dossier (else the counter returns it as before); the
  counter may still hand over a paper copy of it afterwards (`hand_over_paper_copy`,
  status 10 kept). A postal result is handed to the post (`post_result`, bưu gửi number, status 9
  kept) and returned when the post confirms delivery (`confirm_delivery`, "đã phát", 9 -> 10).
  The counter may always hand a completed result over in person (`return_result`).
* The approval step (issue #17): at a workflow step marked `approval`, its holder takes
  `approve` (the result is signed by the leader) instead of `handover` or `complete`
  (`approval_required`); it moves on to the next step like a hand-over, or completes the dossier
  when the approval step is the last one (and an electronic result is then returned at once).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models.enums import IntegerChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import ActionNotAllowed, InvalidInput, PermissionDenied

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_REASON_CHARS = 2000
MAX_MISSING_ITEMS = 50
MAX_POSTAL_NUMBER_CHARS = 50


class Status(IntegerChoices):
    """The national portal's status codes (TrangThaiHoSo 1-10) and their labels.

    The one definition: the model's field choices use it too (`models.Status` is this class).
    `IntegerChoices` is a plain enum with labels; it needs no database.
    """

    SUBMITTED = 1, gettext_lazy("Mới đăng ký")
    RECEIVED = 2, gettext_lazy("Được tiếp nhận")
    REFUSED = 3, gettext_lazy("Không được tiếp nhận")
    PROCESSING = 4, gettext_lazy("Đang xử lý")
    SUPPLEMENT_REQUESTED = 5, gettext_lazy("Yêu cầu bổ sung giấy tờ")
    AWAITING_PAYMENT = 6, gettext_lazy("Yêu cầu thực hiện nghĩa vụ tài chính")
    WITHDRAWN = 7, gettext_lazy("Công dân yêu cầu rút hồ sơ")
    STOPPED = 8, gettext_lazy("Dừng xử lý")
    COMPLETED = 9, gettext_lazy("Đã xử lý xong")
    RETURNED = 10, gettext_lazy("Đã trả kết quả")


STATUS_LABELS = {status: status.label for status in Status}

TERMINAL = frozenset({Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED})


class Action(StrEnum):
    RECEIVE = "receive"
    REFUSE = "refuse"
    REQUEST_SUPPLEMENT = "request_supplement"
    SUPPLY = "supply"
    CLAIM = "claim"
    HANDOVER = "handover"
    RETURN_TO_PREVIOUS = "return_to_previous"
    PAUSE = "pause"
    RESUME = "resume"
    EXTEND = "extend"
    STOP = "stop"
    COMPLETE = "complete"
    RETURN_RESULT = "return_result"
    WITHDRAW = "withdraw"
    DELIVER_RESULT = "deliver_result"
    POST_RESULT = "post_result"
    CONFIRM_DELIVERY = "confirm_delivery"
    HAND_OVER_PAPER_COPY = "hand_over_paper_copy"
    APPROVE = "approve"


class Delivery(StrEnum):
    """How the applicant receives the result (the model's `Delivery` choices have the same values)."""

    COUNTER = "counter"
    POST = "post"
    ONLINE = "online"


ACTION_LABELS = {
    Action.RECEIVE: gettext_lazy("tiếp nhận"),
    Action.REFUSE: gettext_lazy("từ chối tiếp nhận"),
    Action.REQUEST_SUPPLEMENT: gettext_lazy("yêu cầu bổ sung"),
    Action.SUPPLY: gettext_lazy("nhận bổ sung"),
    Action.CLAIM: gettext_lazy("nhận xử lý"),
    Action.HANDOVER: gettext_lazy("chuyển bước tiếp theo"),
    Action.RETURN_TO_PREVIOUS: gettext_lazy("trả lại bước trước"),
    Action.PAUSE: gettext_lazy("tạm dừng"),
    Action.RESUME: gettext_lazy("tiếp tục xử lý"),
    Action.EXTEND: gettext_lazy("gia hạn"),
    Action.STOP: gettext_lazy("dừng xử lý"),
    Action.COMPLETE: gettext_lazy("hoàn thành xử lý"),
    Action.RETURN_RESULT: gettext_lazy("trả kết quả"),
    Action.WITHDRAW: gettext_lazy("rút hồ sơ"),
    Action.DELIVER_RESULT: gettext_lazy("trả kết quả điện tử"),
    Action.POST_RESULT: gettext_lazy("gửi kết quả qua bưu chính"),
    Action.CONFIRM_DELIVERY: gettext_lazy("xác nhận bưu chính đã phát kết quả"),
    Action.HAND_OVER_PAPER_COPY: gettext_lazy("trao bản giấy của kết quả điện tử"),
    Action.APPROVE: gettext_lazy("duyệt và ký số"),
}


class Capacity(StrEnum):
    """What an actor is, with respect to one dossier (computed by the action layer)."""

    OWNER = "owner"  # the citizen account that submitted the dossier online
    RECEPTIONIST = "receptionist"  # counter staff (receptionist) of the receiving agency
    STEP_HOLDER = "step_holder"  # may act on the current step: its assignee, or the role pool when unassigned
    POOL_MEMBER = "pool_member"  # holds the current step's role in the handling agency
    MANAGER = "manager"  # leader or department head of the handling agency
    SYSTEM = "system"  # the application itself, no user (e.g. returning an electronic result)


class Clock(StrEnum):
    START = "start"  # receipt: due time computed
    PAUSE = "pause"  # stop the clock
    RESUME = "resume"  # restart the clock (or close an open pause when the dossier ends)


class Phase(StrEnum):
    RECEPTION = "reception"
    PROCESSING = "processing"


class PauseKind(StrEnum):
    PAYMENT = "payment"  # awaiting a financial obligation: status 6
    OTHER = "other"  # any other stop of the clock (appraisal, public posting...): status kept


# The statuses each action may start from.
FROM: dict[Action, frozenset[Status]] = {
    Action.RECEIVE: frozenset({Status.SUBMITTED}),
    Action.REFUSE: frozenset({Status.SUBMITTED}),
    Action.REQUEST_SUPPLEMENT: frozenset({Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING}),
    Action.SUPPLY: frozenset({Status.SUPPLEMENT_REQUESTED}),
    Action.CLAIM: frozenset({Status.RECEIVED, Status.PROCESSING}),
    Action.HANDOVER: frozenset({Status.RECEIVED, Status.PROCESSING}),
    Action.RETURN_TO_PREVIOUS: frozenset({Status.PROCESSING}),
    Action.PAUSE: frozenset({Status.RECEIVED, Status.PROCESSING}),
    Action.RESUME: frozenset({Status.RECEIVED, Status.PROCESSING, Status.AWAITING_PAYMENT}),
    Action.EXTEND: frozenset({Status.RECEIVED, Status.PROCESSING}),
    Action.STOP: frozenset(
        {Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT}
    ),
    Action.COMPLETE: frozenset({Status.RECEIVED, Status.PROCESSING}),
    Action.RETURN_RESULT: frozenset({Status.COMPLETED}),
    Action.WITHDRAW: frozenset(
        {Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT}
    ),
    Action.DELIVER_RESULT: frozenset({Status.COMPLETED}),
    Action.POST_RESULT: frozenset({Status.COMPLETED}),
    Action.CONFIRM_DELIVERY: frozenset({Status.COMPLETED}),
    # Only an electronic result has a paper copy to hand over once returned (see `_from`).
    Action.HAND_OVER_PAPER_COPY: frozenset({Status.RETURNED}),
    # The leader's approval step (issue #17): signs the result, then on to the next step.
    Action.APPROVE: frozenset({Status.RECEIVED, Status.PROCESSING}),
}

# Who may take each action (any one capacity suffices).
WHO: dict[Action, frozenset[Capacity]] = {
    Action.RECEIVE: frozenset({Capacity.RECEPTIONIST}),
    # The system refuses by itself an online dossier whose fee due at submission was not paid by
    # the agency's deadline, when the agency chose so (payments.awaiting, issue #17).
    Action.REFUSE: frozenset({Capacity.RECEPTIONIST, Capacity.SYSTEM}),
    Action.REQUEST_SUPPLEMENT: frozenset({Capacity.STEP_HOLDER}),  # at reception: RECEPTIONIST (below)
    Action.SUPPLY: frozenset({Capacity.OWNER, Capacity.RECEPTIONIST, Capacity.STEP_HOLDER}),
    Action.CLAIM: frozenset({Capacity.POOL_MEMBER}),
    Action.HANDOVER: frozenset({Capacity.STEP_HOLDER}),
    Action.RETURN_TO_PREVIOUS: frozenset({Capacity.STEP_HOLDER}),
    Action.PAUSE: frozenset({Capacity.STEP_HOLDER, Capacity.MANAGER}),
    Action.RESUME: frozenset({Capacity.STEP_HOLDER, Capacity.MANAGER}),  # from 6 also RECEPTIONIST (below)
    Action.EXTEND: frozenset({Capacity.STEP_HOLDER, Capacity.MANAGER}),
    Action.STOP: frozenset({Capacity.STEP_HOLDER, Capacity.MANAGER}),
    Action.COMPLETE: frozenset({Capacity.STEP_HOLDER}),
    Action.RETURN_RESULT: frozenset({Capacity.RECEPTIONIST, Capacity.STEP_HOLDER}),
    Action.WITHDRAW: frozenset({Capacity.OWNER, Capacity.RECEPTIONIST}),
    Action.DELIVER_RESULT: frozenset({Capacity.SYSTEM}),
    Action.POST_RESULT: frozenset({Capacity.RECEPTIONIST}),
    Action.CONFIRM_DELIVERY: frozenset({Capacity.RECEPTIONIST}),
    Action.HAND_OVER_PAPER_COPY: frozenset({Capacity.RECEPTIONIST}),
    Action.APPROVE: frozenset({Capacity.STEP_HOLDER}),
}

# Event kinds written for each action.
EVENT_KIND: dict[Action, str] = {
    Action.RECEIVE: "received",
    Action.REFUSE: "refused",
    Action.REQUEST_SUPPLEMENT: "supplement_requested",
    Action.SUPPLY: "supplied",
    Action.CLAIM: "claimed",
    Action.HANDOVER: "handover",
    Action.RETURN_TO_PREVIOUS: "returned_to_previous",
    Action.PAUSE: "paused",
    Action.RESUME: "resumed",
    Action.EXTEND: "extended",
    Action.STOP: "stopped",
    Action.COMPLETE: "completed",
    Action.RETURN_RESULT: "result_returned",
    Action.WITHDRAW: "withdrawn",
    Action.DELIVER_RESULT: "result_delivered",
    Action.POST_RESULT: "result_posted",
    Action.CONFIRM_DELIVERY: "post_delivered",
    Action.HAND_OVER_PAPER_COPY: "paper_copy_handed_over",
    Action.APPROVE: "approved",
}

# Actions that need a written reason (forms 03, 04, 05; a return to the previous step; a pause).
NEEDS_REASON = frozenset({Action.REFUSE, Action.RETURN_TO_PREVIOUS, Action.PAUSE, Action.EXTEND, Action.STOP})
# Actions refused while the clock is stopped (resume or supply first).
BLOCKED_WHILE_PAUSED = frozenset({
    Action.REQUEST_SUPPLEMENT, Action.HANDOVER, Action.RETURN_TO_PREVIOUS, Action.PAUSE, Action.EXTEND,
    Action.COMPLETE, Action.APPROVE,
})
# Actions an approval step ("bước ký duyệt") takes instead: its holder approves (and signs).
REPLACED_BY_APPROVAL = frozenset({Action.HANDOVER, Action.COMPLETE})


@dataclass(frozen=True)
class State:
    """The facts of one dossier the rules need."""

    status: Status
    step_index: int | None = None  # 0-based position of the current workflow step; None: no step
    step_count: int = 0
    assigned: bool = False  # the current step has a named assignee (else: the role pool)
    paused: bool = False  # the clock is stopped (supplement after receipt, payment, other pause)
    resume_status: Status | None = None  # the status a supplement or pause returns to
    reception_supplement_requested: bool = False
    supplement_count: int = 0  # supplement requests after receipt
    due_at: dt.datetime | None = None
    result_files: int = 0
    result_required: bool = False  # the procedure's result is a document: complete needs a result file
    delivery: str = Delivery.COUNTER  # how the applicant receives the result (counter, post, online)
    posted: bool = False  # the result was handed to the post (a bưu gửi number recorded)
    has_owner: bool = False  # a citizen account owns the dossier (and can receive an electronic result)
    approval_step: bool = False  # the current workflow step is an approval step (bước ký duyệt)
    # Result files added after the last approval, past an approval step: completion refuses them
    # (the leader has not seen them); going back to the approval step and approving again clears it.
    unapproved_results: int = 0


@dataclass(frozen=True)
class Decision:
    """What an allowed action does."""

    action: Action
    from_status: Status
    to_status: Status
    step_index: int | None  # the workflow position after the action
    step_move: int = 0  # +1 hand-over, -1 return to the previous step
    clock: Clock | None = None
    phase: Phase | None = None
    resume_status: Status | None = None  # set when the action suspends the dossier
    supplement_count: int = 0  # the count after the action
    counts_as_late: bool = False  # this action makes the dossier count as late
    ends: bool = False  # the dossier reaches an end status (3, 7, 8, 10)

    @property
    def event_kind(self) -> str:
        return EVENT_KIND[self.action]


def _status_label(status: Status) -> str:
    return str(STATUS_LABELS[status])


def _local(instant: dt.datetime) -> str:
    return instant.astimezone(TZ).strftime("%H:%M ngày %d/%m/%Y")


def _from(action: Action, state: State) -> frozenset[Status]:
    if action == Action.HAND_OVER_PAPER_COPY and not (state.delivery == Delivery.ONLINE and state.has_owner):
        # A result returned at the counter or by post was paper already (an "online" counter dossier
        # without an account was returned at the counter too).
        return frozenset()
    return FROM[action]


def _check_state(action: Action, state: State, now: dt.datetime) -> None:
    """Raise ActionNotAllowed unless the dossier's state permits the action."""
    label = str(ACTION_LABELS[action])
    if state.status not in _from(action, state):
        raise ActionNotAllowed(
            _("Không thể %(action)s khi hồ sơ đang ở trạng thái «%(status)s».")
            % {"action": label, "status": _status_label(state.status)},
            code="invalid_status",
            dossier_status=int(state.status),
        )
    if state.paused and action in BLOCKED_WHILE_PAUSED:
        raise ActionNotAllowed(
            _("Hồ sơ đang tạm dừng tính thời gian; cần tiếp tục xử lý (hoặc nhận bổ sung) trước khi %(action)s.")
            % {"action": label},
            code="dossier_paused",
        )
    if action in REPLACED_BY_APPROVAL and state.approval_step:
        raise ActionNotAllowed(
            _("Bước này là bước ký duyệt: người giữ bước duyệt và ký số kết quả (thao tác «duyệt và ký số») thay vì "
              "%(action)s.") % {"action": label},
            code="approval_required",
        )
    if action == Action.REQUEST_SUPPLEMENT and state.status == Status.SUBMITTED:
        if state.reception_supplement_requested:
            raise ActionNotAllowed(
                _("Hồ sơ đã được yêu cầu bổ sung một lần khi tiếp nhận; không được yêu cầu bổ sung lần thứ hai."),
                code="supplement_already_requested",
            )
    elif action == Action.RESUME:
        if state.status != Status.AWAITING_PAYMENT and not state.paused:
            raise ActionNotAllowed(_("Hồ sơ không ở trạng thái tạm dừng."), code="not_paused")
    elif action == Action.APPROVE:
        if not state.approval_step:
            raise ActionNotAllowed(_("Bước hiện tại của hồ sơ không phải bước ký duyệt."), code="not_approval_step")
        if state.result_required and state.result_files < 1:
            raise ActionNotAllowed(
                _("Cần đính kèm ít nhất một tệp kết quả giải quyết trước khi duyệt và ký số."),
                code="result_file_required",
            )
    elif action == Action.HANDOVER:
        if state.step_index is None or state.step_index + 1 >= state.step_count:
            raise ActionNotAllowed(
                _("Hồ sơ đang ở bước cuối của quy trình; hãy hoàn thành xử lý thay vì chuyển tiếp."),
                code="no_next_step",
            )
    elif action == Action.RETURN_TO_PREVIOUS:
        if not state.step_index:
            raise ActionNotAllowed(_("Hồ sơ đang ở bước đầu của quy trình; không có bước trước."),
                                   code="no_previous_step")
    elif action == Action.CLAIM:
        if state.assigned or state.step_index is None:
            raise ActionNotAllowed(_("Hồ sơ đã có người xử lý."), code="already_assigned")
    elif action == Action.EXTEND:
        if state.due_at is None:
            raise ActionNotAllowed(_("Hồ sơ chưa có thời hạn trả kết quả."), code="no_due_time")
        if now >= state.due_at:
            raise ActionNotAllowed(
                _("Chỉ gia hạn được trước thời hạn trả kết quả (hạn %(due)s đã qua).") % {"due": _local(state.due_at)},
                code="extension_too_late",
            )
    elif action == Action.COMPLETE:
        if state.step_index is not None and state.step_index + 1 < state.step_count:
            raise ActionNotAllowed(
                _("Chỉ hoàn thành được ở bước cuối của quy trình (hồ sơ đang ở bước %(step)d/%(count)d).")
                % {"step": state.step_index + 1, "count": state.step_count},
                code="not_last_step",
            )
        if state.result_required and state.result_files < 1:
            raise ActionNotAllowed(
                _("Cần đính kèm ít nhất một tệp kết quả giải quyết trước khi hoàn thành hồ sơ."),
                code="result_file_required",
            )
        if state.unapproved_results:
            raise ActionNotAllowed(
                _("Có %(n)d tệp kết quả được thêm sau khi lãnh đạo ký duyệt; cần trả hồ sơ về bước ký duyệt để "
                  "lãnh đạo duyệt lại trước khi hoàn thành.") % {"n": state.unapproved_results},
                code="results_not_approved",
            )
    elif action == Action.DELIVER_RESULT:
        if state.delivery != Delivery.ONLINE or not state.has_owner:
            # Without an account (a counter dossier) nobody could download it: the counter returns it.
            raise ActionNotAllowed(_("Người nộp không đăng ký nhận kết quả điện tử bằng tài khoản trên Cổng Dịch vụ "
                                     "công."), code="not_online_delivery")
    elif action == Action.POST_RESULT:
        if state.delivery != Delivery.POST:
            raise ActionNotAllowed(_("Người nộp không đăng ký nhận kết quả qua bưu chính."),
                                   code="not_postal_delivery")
        if state.posted:
            raise ActionNotAllowed(_("Kết quả đã được gửi qua bưu chính; chờ bưu chính xác nhận đã phát."),
                                   code="already_posted")
    elif action == Action.CONFIRM_DELIVERY and not state.posted:
        raise ActionNotAllowed(_("Kết quả chưa được gửi qua bưu chính (cần ghi số bưu gửi trước)."),
                               code="not_posted")


def _who(action: Action, state: State) -> frozenset[Capacity]:
    if action == Action.REQUEST_SUPPLEMENT and state.status == Status.SUBMITTED:
        return frozenset({Capacity.RECEPTIONIST})
    if action == Action.RESUME and state.status == Status.AWAITING_PAYMENT:
        # The fee is often paid at the counter: the receptionist may restart the clock.
        return WHO[action] | {Capacity.RECEPTIONIST}
    return WHO[action]


def _check_actor(action: Action, state: State, capacities: frozenset[Capacity]) -> None:
    if not (_who(action, state) & capacities):
        raise PermissionDenied(
            _("Bạn không có quyền %(action)s hồ sơ này.") % {"action": str(ACTION_LABELS[action])},
            code="forbidden",
        )


def _clean_reason(reason: str | None) -> str:
    return " ".join((reason or "").split())


def _check_params(
    action: Action,
    state: State,
    *,
    reason: str,
    missing: Sequence[str],
    new_due_at: dt.datetime | None,
    pause_kind: str,
    item_count: int = 0,
    postal_number: str = "",
) -> None:
    if action in NEEDS_REASON and not _clean_reason(reason):
        raise InvalidInput(_("Cần nhập lý do (trường «reason»)."), field="reason")
    if len(reason or "") > MAX_REASON_CHARS:
        raise InvalidInput(
            _("Lý do dài quá %(n)d ký tự (trường «reason»).") % {"n": MAX_REASON_CHARS}, field="reason"
        )
    if action == Action.REQUEST_SUPPLEMENT:
        items = [_clean_reason(item) for item in missing]
        if not items and not item_count:
            raise InvalidInput(
                _("Cần liệt kê các mục cần bổ sung (trường «items»: {component, text, reason}; cách cũ: «missing», "
                  "mỗi mục một dòng)."), field="items"
            )
        if not all(items):
            raise InvalidInput(
                _("Cần liệt kê đầy đủ các giấy tờ còn thiếu (trường «missing»), mỗi mục một dòng."), field="missing"
            )
        if len(items) + item_count > MAX_MISSING_ITEMS:
            raise InvalidInput(
                _("Danh sách giấy tờ thiếu quá dài (tối đa %(n)d mục).") % {"n": MAX_MISSING_ITEMS}, field="missing"
            )
    if action == Action.EXTEND:
        if new_due_at is None:
            raise InvalidInput(_("Cần nhập thời hạn mới (trường «new_due_at»)."), field="new_due_at")
        if new_due_at.tzinfo is None:
            raise InvalidInput(_("Thời hạn mới phải có múi giờ, ví dụ +07:00."), field="new_due_at")
        if state.due_at is not None and new_due_at <= state.due_at:
            raise InvalidInput(
                _("Thời hạn mới phải sau thời hạn hiện tại (%(due)s).") % {"due": _local(state.due_at)},
                field="new_due_at",
            )
    if action == Action.PAUSE and pause_kind not in {k.value for k in PauseKind}:
        raise InvalidInput(_("Loại tạm dừng không hợp lệ (trường «kind»): payment hoặc other."), field="kind")
    if action == Action.POST_RESULT:
        number = _clean_reason(postal_number)
        if not number:
            raise InvalidInput(_("Cần nhập số hiệu bưu gửi (trường «postal_number»)."), field="postal_number")
        if len(number) > MAX_POSTAL_NUMBER_CHARS:
            raise InvalidInput(_("Số hiệu bưu gửi dài quá %(n)d ký tự (trường «postal_number»).")
                               % {"n": MAX_POSTAL_NUMBER_CHARS}, field="postal_number")


def _decision(action: Action, state: State, pause_kind: str) -> Decision:
    s = state.status
    base: dict[str, Any] = {"action": action, "from_status": s, "step_index": state.step_index,
                            "supplement_count": state.supplement_count}
    if action == Action.RECEIVE:
        return Decision(**base | {"step_index": 0 if state.step_count else None}, to_status=Status.RECEIVED,
                        clock=Clock.START, phase=Phase.RECEPTION)
    if action == Action.REFUSE:
        return Decision(**base, to_status=Status.REFUSED, phase=Phase.RECEPTION, ends=True)
    if action == Action.REQUEST_SUPPLEMENT:
        if s == Status.SUBMITTED:
            return Decision(**base, to_status=Status.SUPPLEMENT_REQUESTED, phase=Phase.RECEPTION,
                            resume_status=Status.SUBMITTED)
        count = state.supplement_count + 1
        return Decision(**base | {"supplement_count": count}, to_status=Status.SUPPLEMENT_REQUESTED,
                        clock=Clock.PAUSE, phase=Phase.PROCESSING, resume_status=s, counts_as_late=count > 1)
    if action == Action.SUPPLY:
        back = state.resume_status or Status.SUBMITTED
        if back == Status.SUBMITTED:
            return Decision(**base, to_status=Status.SUBMITTED, phase=Phase.RECEPTION)
        return Decision(**base, to_status=back, clock=Clock.RESUME, phase=Phase.PROCESSING)
    if action == Action.CLAIM:
        return Decision(**base, to_status=s)
    if action in (Action.HANDOVER, Action.RETURN_TO_PREVIOUS):
        step = state.step_index
        assert step is not None  # _check_state refused a dossier without a workflow step
        move = 1 if action == Action.HANDOVER else -1
        return Decision(**base | {"step_index": step + move}, to_status=Status.PROCESSING, step_move=move)
    if action == Action.PAUSE:
        to = Status.AWAITING_PAYMENT if pause_kind == PauseKind.PAYMENT else s
        return Decision(**base, to_status=to, clock=Clock.PAUSE, resume_status=s)
    if action == Action.RESUME:
        earlier = state.resume_status if state.resume_status in (Status.RECEIVED, Status.PROCESSING) else None
        to = earlier or (Status.PROCESSING if s == Status.AWAITING_PAYMENT else s)
        return Decision(**base, to_status=to, clock=Clock.RESUME)
    if action == Action.EXTEND:
        return Decision(**base, to_status=s)
    if action == Action.STOP:
        return Decision(**base, to_status=Status.STOPPED, clock=Clock.RESUME if state.paused else None, ends=True)
    if action == Action.COMPLETE:
        return Decision(**base, to_status=Status.COMPLETED)
    if action == Action.APPROVE:
        step = state.step_index
        if step is not None and step + 1 < state.step_count:  # on to the clerk who issues the result
            return Decision(**base | {"step_index": step + 1}, to_status=Status.PROCESSING, step_move=1)
        return Decision(**base, to_status=Status.COMPLETED)  # the approval step is the last: completed
    if action in (Action.RETURN_RESULT, Action.DELIVER_RESULT, Action.CONFIRM_DELIVERY):
        return Decision(**base, to_status=Status.RETURNED, ends=True)
    if action in (Action.POST_RESULT, Action.HAND_OVER_PAPER_COPY):
        return Decision(**base, to_status=s)  # the status stays (9 until the post delivers; 10)
    if action == Action.WITHDRAW:
        return Decision(**base, to_status=Status.WITHDRAWN, clock=Clock.RESUME if state.paused else None, ends=True)
    raise AssertionError(action)  # pragma: no cover - every Action is handled above


def parse_action(name: str) -> Action:
    try:
        return Action(name)
    except ValueError:
        choices = ", ".join(a.value for a in Action)
        raise InvalidInput(
            _("Thao tác «%(name)s» không tồn tại (trường «action»); chọn một trong: %(choices)s.")
            % {"name": str(name)[:50], "choices": choices},
            field="action",
            code="unknown_action",
        ) from None


def decide(
    action: Action | str,
    state: State,
    capacities: Iterable[Capacity],
    *,
    now: dt.datetime,
    reason: str = "",
    missing: Sequence[str] = (),
    new_due_at: dt.datetime | None = None,
    pause_kind: str = PauseKind.OTHER,
    item_count: int = 0,
    postal_number: str = "",
) -> Decision:
    """The decision for `action`, or ActionNotAllowed / PermissionDenied / InvalidInput.
    `item_count`: a supplement request's items (`supplements.clean_items` checks each one)."""
    action = parse_action(action) if not isinstance(action, Action) else action
    capacities = frozenset(capacities)
    _check_state(action, state, now)
    _check_actor(action, state, capacities)
    _check_params(action, state, reason=reason, missing=missing, new_due_at=new_due_at, pause_kind=pause_kind,
                  item_count=item_count, postal_number=postal_number)
    return _decision(action, state, pause_kind)


def automatic_after(decision: Decision, state: State) -> Action | None:
    """What the system does by itself right after `decision`, in the same transaction: an
    electronic result is returned as soon as the dossier is completed (no counter step)."""
    completes = decision.action == Action.COMPLETE or (
        decision.action == Action.APPROVE and decision.to_status == Status.COMPLETED)
    if completes and state.delivery == Delivery.ONLINE and state.has_owner:
        return Action.DELIVER_RESULT
    return None


def allowed_actions(state: State, capacities: Iterable[Capacity], *, now: dt.datetime) -> list[Action]:
    """The actions the actor may take now (parameters aside), in a stable order."""
    capacities = frozenset(capacities)
    result = []
    for action in Action:
        try:
            _check_state(action, state, now)
            _check_actor(action, state, capacities)
        except (ActionNotAllowed, PermissionDenied):
            continue
        result.append(action)
    return result
