"""What a kiosk shows for a scanned or typed dossier code, and why it is safe to show it.

The receipt's barcode holds only the dossier code, so the kiosk must answer a code **without**
its tracking key. Codes are public and guessable (`<unit>-<YYMMDD>-<NNNN>`), so anything shown
for a code alone is shown to anyone. The decision:

1. **Only non-personal facts, chosen by an allow-list** (`PUBLIC_FIELDS`): status, procedure,
   receiving agency, received / due / finished / returned times, the current step and the steps
   passed (workflow names and times). Never the applicant: not the name, not even masked, nor
   ID number, phone, address, e-mail, file names, reasons or notes (a reason may name a person).
   The allow-list means a field added to the shared tracking answer later is not shown here
   until someone decides it is public.
2. **The same view with or without the key**: scanning the receipt's QR code (the tracking URL
   with its key) shows exactly the same; the kiosk never needs more.
3. **Rate limited per client address** (fixed window in the cache, `MOTCUA_KIOSK_LOOKUPS` per
   `MOTCUA_KIOSK_WINDOW` seconds; 30 a minute by default): a kiosk serves one person at a time,
   a scraper walking the code sequence is slowed to a crawl.
4. **Optionally kiosk-only**: `MOTCUA_KIOSK_NETWORKS` (comma-separated addresses or networks,
   e.g. "10.20.0.0/24") limits lookups *without a key* to the kiosks' own network; with it
   unset (the default) they work from anywhere, which the three points above make acceptable.

The facts come from `dossiers.tracking.public_status`, the same cached query the public
tracking page and the API use.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.conf import settings

from motcua.dossiers.models import Dossier
from motcua.dossiers.tracking import public_status
from motcua.feedback.forms import clean_code
from motcua.payments import awaiting

PUBLIC_FIELDS = (
    "code", "status", "status_code", "procedure", "procedure_code", "agency", "received_at", "due_at",
    "finished_at", "returned_at", "current_step",
)
STEP_FIELDS = ("name", "started_at", "finished_at", "punctuality")
TIME_FIELDS = ("received_at", "due_at", "finished_at", "returned_at")
MAX_INPUT = 500


def parse_scan(raw: str | None) -> tuple[str, str]:
    """(code, key) from what a reader typed: a bare code (the barcode) or the tracking URL of the
    receipt's QR code (…/tra-cuu/<code>?key=<key>). Anything else cleans to an empty code."""
    text = "".join(ch for ch in (raw or "")[:MAX_INPUT] if ch.isprintable()).strip()
    if "/" in text:
        parts = urlsplit(text if "://" in text else "http://x/" + text.lstrip("/"))
        segments = [s for s in parts.path.split("/") if s]
        code = ""
        if "tra-cuu" in segments:
            after = segments[segments.index("tra-cuu") + 1:]
            code = after[0] if after else ""
        key = (parse_qs(parts.query).get("key") or [""])[0]
        return clean_code(code), clean_code(key, 20)
    return clean_code(text), ""


def _time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def public_facts(code: str, key: str = "") -> dict[str, Any] | None:
    """The kiosk's view of a dossier, or None when the code is unknown (or the key, if given, wrong)."""
    if not code:
        return None
    if not key:
        key = Dossier.objects.filter(code=code).values_list("tracking_key", flat=True).first() or ""
        if not key:
            return None
    status = public_status(code, key)
    if status is None:
        return None
    facts = {name: status.get(name) for name in PUBLIC_FIELDS}
    for name in TIME_FIELDS:
        facts[name] = _time(facts[name])
    # Level 4 with a fee due at submission: "Chờ nộp phí" / "Đã nộp phí" (a label, no amount).
    shown = awaiting.shown_for_code(code) if facts.get("status_code") == 1 else None
    facts["fee_state"] = shown.label if shown else ""
    facts["steps"] = [
        {"name": s.get("name") or "", "started_at": _time(s.get("started_at")),
         "finished_at": _time(s.get("finished_at")), "punctuality": s.get("punctuality") or ""}
        for s in status.get("steps", [])
    ]
    return facts


def _networks() -> list:
    raw = settings.MOTCUA_KIOSK_NETWORKS
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    networks = []
    for item in items:
        item = str(item).strip()
        if item:
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                continue
    return networks


def keyless_allowed(client_ip: str) -> bool:
    """Whether a lookup without the key may be answered for this client (see point 4)."""
    networks = _networks()
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return False
    return any(address in network for network in networks)
