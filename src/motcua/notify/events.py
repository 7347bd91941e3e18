"""Which dossier events notify the applicant, and with what facts.

`on_dossier_event(event)` is called by the dossier action layer (`actions._event`) for every
event, inside the event's transaction. For the kinds below it queues one message per channel
the applicant can be reached on, with a snapshot of the facts (code, due date, reason...)
as they were at the event; the `notify.send` job renders and sends them after commit.

| event                                   | template              | channels     |
|-----------------------------------------|-----------------------|--------------|
| submitted (online only)                 | submitted             | e-mail       |
| received                                | received              | e-mail, SMS  |
| refused                                 | refused               | e-mail, SMS  |
| supplement_requested                    | supplement_requested  | e-mail, SMS  |
| paused into status 6 (payment)          | payment_due           | e-mail, SMS  |
| extended (apology, form 04)             | late                  | e-mail, SMS  |
| stopped (form 05)                       | stopped               | e-mail, SMS  |
| completed (not an electronic result)    | result_ready          | e-mail, SMS  |
| result_returned                         | returned              | e-mail, SMS  |
| result_delivered (electronic result)    | result_delivered      | e-mail, SMS  |
| payment_received (online payment)       | payment_received      | e-mail       |

An electronic result is returned by the system in the completion's transaction: one message
(`result_delivered`: where to download, the rating) instead of "ready" then "returned".

Who: the e-mail address and phone written on the dossier; where one is missing, the owner
account's (online dossiers). A per-applicant choice of channels can later narrow this in
`recipients`.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.utils import timezone

from motcua.catalog.fees import dossier_fee_amount
from motcua.core.money import vnd
from motcua.dossiers.models import Channel as DossierChannel
from motcua.dossiers.models import Delivery, Dossier, Event, EventKind, Status

from .models import Channel, Message, State

log = logging.getLogger("motcua.notify")

BOTH = (Channel.EMAIL, Channel.SMS)
TEMPLATES: dict[str, tuple[str, tuple[str, ...]]] = {
    EventKind.SUBMITTED: ("submitted", (Channel.EMAIL,)),
    EventKind.RECEIVED: ("received", BOTH),
    EventKind.REFUSED: ("refused", BOTH),
    EventKind.SUPPLEMENT_REQUESTED: ("supplement_requested", BOTH),
    EventKind.PAUSED: ("payment_due", BOTH),  # only into status 6, see `template_for`
    EventKind.EXTENDED: ("late", BOTH),
    EventKind.STOPPED: ("stopped", BOTH),
    EventKind.COMPLETED: ("result_ready", BOTH),
    EventKind.RESULT_RETURNED: ("returned", BOTH),
    EventKind.RESULT_DELIVERED: ("result_delivered", BOTH),
    EventKind.PAYMENT_RECEIVED: ("payment_received", (Channel.EMAIL,)),  # with the receipt's link (#17)
}


def template_for(event: Event) -> tuple[str, tuple[str, ...]] | None:
    """(template, channels) for an event, or None; decided from the event alone (no query)."""
    if event.kind == EventKind.APPROVED and event.to_status == Status.COMPLETED:
        # The leader's approval at the last step completes the dossier: told like a completion.
        if event.dossier.delivery == Delivery.ONLINE and event.dossier.owner_id:
            return None
        return TEMPLATES[EventKind.COMPLETED]
    rule = TEMPLATES.get(event.kind)
    if rule is None:
        return None
    if event.kind == EventKind.PAUSED and event.to_status != Status.AWAITING_PAYMENT:
        return None  # other pauses (appraisal, posting) are internal
    if event.kind == EventKind.SUBMITTED and event.dossier.channel != DossierChannel.ONLINE:
        return None  # at the counter the applicant is there; the receipt follows
    if event.kind == EventKind.COMPLETED and event.dossier.delivery == Delivery.ONLINE and event.dossier.owner_id:
        return None  # returned at once by the system: its `result_delivered` message says it all
    return rule


def recipients(dossier: Dossier, channels: tuple[str, ...]) -> list[tuple[str, str]]:
    """[(channel, address)]: the dossier's own contact first, else its owner account's."""
    from .services import clean_address

    owner = dossier.owner if dossier.owner_id else None
    found = []
    for channel in channels:
        if channel == Channel.EMAIL:
            candidates = (dossier.applicant_email, getattr(owner, "email", ""))
        else:
            candidates = (dossier.applicant_phone, getattr(owner, "phone", ""))
        for address in candidates:
            if not address:
                continue
            try:
                found.append((channel, clean_address(channel, address)))
                break
            except ValueError:
                log.warning("dossier %s: unusable %s address", dossier.code, channel)
    return found


def on_dossier_event(event: Event) -> list[Message]:
    """Queue the messages `event` calls for, in the current transaction (returns them)."""
    rule = template_for(event)
    if rule is None:
        return []
    template, channels = rule
    dossier = event.dossier
    targets = recipients(dossier, channels)
    if not targets:
        return []
    from .services import default_max_attempts, queue

    state, error = State.QUEUED, ""
    try:
        context = context_for(template, event)
    except Exception as exc:
        # A bug here must not stop the dossier action: the message is kept, failed and
        # visible, and "gửi lại" rebuilds its facts from the event once the bug is fixed.
        log.exception("notify: cannot build %s for event %s", template, event.pk)
        context, state, error = {}, State.FAILED, f"Không lập được nội dung: {type(exc).__name__}: {exc}"[:2000]
    messages = [
        Message(
            channel=channel, recipient=address, template=template, context=context, dossier=dossier, event=event,
            user_id=dossier.owner_id, state=state, last_error=error, max_attempts=default_max_attempts(),
        )
        for channel, address in targets
    ]
    return queue(messages)


# --- facts ---------------------------------------------------------------------------------------


def _local(value: dt.datetime | str | None) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return timezone.localtime(value)


def when(value: dt.datetime | str | None) -> str:
    """'17:00 ngày 09/03/2026'."""
    local = _local(value)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}" if local else ""


def when_short(value: dt.datetime | str | None) -> str:
    """'17:00 09/03/2026' (SMS)."""
    local = _local(value)
    return f"{local:%H:%M %d/%m/%Y}" if local else ""


def money(amount: int | None) -> str:
    """1200000 -> '1.200.000 đồng'."""
    return vnd(amount, unit="đồng") if amount else ""


def tracking_url(dossier: Dossier) -> str:
    from urllib.parse import quote, urlencode

    base = settings.MOTCUA_PUBLIC_URL.rstrip("/")
    return f"{base}/tra-cuu/{quote(dossier.code, safe='.-_')}?{urlencode({'key': dossier.tracking_key})}"


def download_url(dossier: Dossier) -> str:
    """The owner's dossier page, where an electronic result is downloaded (sign-in required)."""
    from urllib.parse import quote

    base = settings.MOTCUA_PUBLIC_URL.rstrip("/")
    return f"{base}/ho-so-cua-toi/{quote(dossier.code, safe='.-_')}/"


def dossier_facts(d: Dossier) -> dict[str, Any]:
    agency = d.agency
    return {
        "code": d.code,
        "tracking_key": d.tracking_key,
        "tracking_url": tracking_url(d),
        "procedure": d.procedure_version.name,
        "applicant": d.applicant_name,
        "agency": agency.name,
        "agency_address": agency.address,
        "agency_phone": agency.phone,
        "online": d.channel == DossierChannel.ONLINE,
        # An "online" dossier without a citizen account cannot be downloaded: its result waits at
        # the counter, and the message says so (the lifecycle returns it there).
        "delivery": d.delivery if d.delivery != Delivery.ONLINE or d.owner_id else Delivery.COUNTER,
        "delivery_text": str(Delivery(d.delivery).label) if d.delivery in Delivery.values else "",
        "received_at": when(d.received_at),
        "due_at": when(d.due_at),
        "due_short": when_short(d.due_at),
    }


def _amount_due(event: Event, d: Dossier) -> int | None:
    """What the applicant must pay: the amount the action recorded (a payments app will), else
    the procedure's fees not yet collected."""
    data = event.data or {}
    if isinstance(data.get("amount"), int) and data["amount"] > 0:
        return data["amount"]
    total = sum(dossier_fee_amount(fee, d) for fee in d.procedure_version.fees.all())
    return total - d.fee_collected if total > d.fee_collected else None


SMS_ITEMS_CHARS = 64  # what the supplement SMS has room for beside its fixed words and the code


def _cut(text: str, room: int) -> str:
    """`text` in at most `room` characters (an ellipsis counts three: it is sent as "...")."""
    text = " ".join(text.split())
    if len(text) <= room:
        return text
    if room < 4:
        return text[:max(room, 0)]
    head = text[:room - 3]
    if " " in head[room // 2:]:  # end at a word when that loses little
        head = head[:head.rindex(" ")]
    return head.rstrip(" ,;:") + "…"


def _piece(name: str, reason: str, room: int) -> str:
    """One item, "name (reason)", in `room` characters: the reason is cut first, down to a third
    of the room; then the name."""
    if not reason:
        return _cut(name, room)
    full = f"{name} ({reason})"
    if _sent(full) <= room:
        return full
    name_room = max(room - 3 - max(room // 3, 0), room - 3 - len(reason), 3)
    name_room = min(name_room, len(name)) if len(name) <= room - 3 - room // 3 else name_room
    short_name = _cut(name, name_room)
    return f"{short_name} ({_cut(reason, room - 3 - _sent(short_name))})"


def _sent(text: str) -> int:
    return len(text) + 2 * text.count("…")  # an ellipsis is sent as "..."


def short_items(items: list[dict], room: int = SMS_ITEMS_CHARS) -> str:
    """The items of a supplement request for an SMS: each name with its reason in brackets,
    "Giấy khai sinh (sai tên); Sổ hộ khẩu (thiếu)", shortened so that the whole fits `room`
    characters: what a short item does not use goes to the longer ones; in an item the reason is
    cut before the name."""
    pairs = [(" ".join(i.get("text", "").split()), " ".join(i.get("reason", "").split())) for i in items]
    pairs = [p for p in pairs if p[0] or p[1]]
    if not pairs:
        return ""
    sep = "; "
    left = room - len(sep) * (len(pairs) - 1)
    shares: dict[int, int] = {}
    todo = list(range(len(pairs)))
    while todo:  # equal shares; an item that needs less gives the rest to the others
        share = max(left // len(todo), 6)
        fits = [i for i in todo if _sent(_piece(*pairs[i], 10**6)) <= share]
        if not fits:
            for i in todo:
                shares[i] = share
            break
        for i in fits:
            shares[i] = _sent(_piece(*pairs[i], 10**6))
            left -= shares[i]
            todo.remove(i)
    text = sep.join(_piece(*pairs[i], shares[i]) for i in range(len(pairs)))
    return text if _sent(text) <= room else _cut(text.replace("…", "..."), room)


def context_for(template: str, event: Event) -> dict[str, Any]:
    """The facts a template needs, as plain JSON values taken at the time of `event`."""
    d = event.dossier
    data = event.data or {}
    facts = dossier_facts(d)
    facts["event_at"] = when(event.at)
    facts["reason"] = event.note
    if template == "supplement_requested":
        missing = [str(item) for item in data.get("missing", [])]
        facts.update(missing=missing, missing_text="; ".join(missing), at_reception=data.get("phase") == "reception")
        if isinstance(data.get("items"), list):  # a request of items: each with what to supplement (#17)
            facts["items"] = [{"text": str(i.get("text", "")), "reason": str(i.get("reason", ""))}
                              for i in data["items"] if isinstance(i, dict)]
            # The room the SMS leaves beside its fixed words (supplement_requested.sms.txt) and the code.
            fixed = len("HS  can bo sung: . Nop bo sung tai noi da nop ho so.") + (16 if facts.get("online") else 0)
            facts["items_short"] = short_items(facts["items"], max(160 - fixed - len(str(facts.get("code", ""))), 20))
    elif template == "payment_due":
        amount = _amount_due(event, d)
        facts.update(
            amount=amount, amount_text=money(amount), payment_url=data.get("payment_url") or facts["tracking_url"],
        )
    elif template == "late":
        from motcua.dossiers.paperwork import late_agency

        # The agency responsible for the delay apologises, in the letter (form 04) as here.
        facts.update(
            late_agency=late_agency(d, event).name,
            old_due_at=when(data.get("due_at_before")), new_due_at=when(data.get("due_at")),
            new_due_short=when_short(data.get("due_at")),
        )
    elif template == "result_ready":
        amounts = [(fee, dossier_fee_amount(fee, d)) for fee in d.procedure_version.fees.all()]
        fees = [{"name": fee.name, "amount": money(amount)} for fee, amount in amounts
                if fee.collected == "at_return" and amount]
        facts.update(fees_at_return=fees, finished_at=when(d.finished_at))
    elif template == "returned":
        facts.update(returned_at=when(d.returned_at), returned_short=when_short(d.returned_at))
    elif template == "result_delivered":
        facts.update(returned_at=when(event.at), download_url=download_url(d))
    elif template == "payment_received":
        from django.urls import reverse

        reference = str(data.get("reference", ""))
        facts.update(
            amount=data.get("amount_vnd"), amount_text=money(data.get("amount_vnd")), reference=reference,
            paid_at=when(data.get("paid_at") or event.at),
            receipt_url=settings.MOTCUA_PUBLIC_URL.rstrip("/") + reverse("payments:receipt_pdf", args=[reference]),
        )
    return facts
