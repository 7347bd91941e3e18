"""The payment state machine: pure, no ORM (table-tested in tests/payments/test_states.py).

    created -> pending -> paid | failed | cancelled | expired

* `paid` is final: nothing moves a paid payment.
* `failed` may still become `paid`: a gateway that first reported a failure and later confirms
  the money (a late IPN, a query) is right the second time (the lesson of open-forms #5942).
* `cancelled` and `expired` are final for the state; a "paid" arriving after them changes no
  state but is recorded for reconciliation (the money was taken: staff refund or accept it).
* Hearing the state a payment is already in is a replay: nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy


class State(StrEnum):
    CREATED = "created"
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


STATE_LABELS = {
    State.CREATED: gettext_lazy("Mới tạo"),
    State.PENDING: gettext_lazy("Đang chờ thanh toán"),
    State.PAID: gettext_lazy("Đã thanh toán"),
    State.FAILED: gettext_lazy("Thanh toán không thành công"),
    State.CANCELLED: gettext_lazy("Đã hủy"),
    State.EXPIRED: gettext_lazy("Hết hạn thanh toán"),
}


class Event(StrEnum):
    """What we learn: our own start, or what the gateway (or our deadline) says happened."""

    START = "start"  # the redirect URL was built: the citizen is sent to the gateway
    PENDING = "pending"  # the gateway has no final answer yet
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Effect(StrEnum):
    APPLY = "apply"  # move to `to_state`
    SAME = "same"  # already there (a replay, or nothing new): no change
    LATE_PAID = "late_paid"  # paid after cancelled/expired: no state change, record for reconciliation
    IGNORE = "ignore"  # not allowed now (e.g. "failed" after "paid"): no change


TARGET = {
    Event.START: State.PENDING,
    Event.PAID: State.PAID,
    Event.FAILED: State.FAILED,
    Event.CANCELLED: State.CANCELLED,
    Event.EXPIRED: State.EXPIRED,
}

ALLOWED: dict[State, frozenset[State]] = {
    State.CREATED: frozenset({State.PENDING, State.PAID, State.FAILED, State.CANCELLED, State.EXPIRED}),
    State.PENDING: frozenset({State.PAID, State.FAILED, State.CANCELLED, State.EXPIRED}),
    State.FAILED: frozenset({State.PAID}),
    State.PAID: frozenset(),
    State.CANCELLED: frozenset(),
    State.EXPIRED: frozenset(),
}

OPEN = frozenset({State.CREATED, State.PENDING})  # the citizen may still pay
FINAL = frozenset({State.PAID, State.CANCELLED, State.EXPIRED})


@dataclass(frozen=True)
class Transition:
    effect: Effect
    from_state: State
    to_state: State

    @property
    def changes(self) -> bool:
        return self.effect == Effect.APPLY


def decide(state: State | str, event: Event | str) -> Transition:
    state, event = State(state), Event(event)
    if event == Event.PENDING:
        return Transition(Effect.SAME, state, state)
    target = TARGET[event]
    if target == state:
        return Transition(Effect.SAME, state, state)
    if target in ALLOWED[state]:
        return Transition(Effect.APPLY, state, target)
    if event == Event.PAID and state in (State.CANCELLED, State.EXPIRED):
        return Transition(Effect.LATE_PAID, state, state)
    return Transition(Effect.IGNORE, state, state)
