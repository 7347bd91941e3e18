"""Dossier codes (docs/architecture.md §7) and tracking keys.

The code is `<unit_code>-<YYMMDD>-<NNNN>` by default (TT 01/2018/TT-VPCP art. 19): the receiving
agency's unit code, the local date (Asia/Ho_Chi_Minh) and that agency's sequence for the day.
The pattern is a setting, `MOTCUA_DOSSIER_CODE_PATTERN`, a `str.format` pattern with `unit_code`,
`date` (a date) and `seq` (an int), because the national portal may issue codes instead.

The sequence is one row per (agency, day) in `DossierSequence`, incremented inside the caller's
transaction: the row is locked with SELECT ... FOR UPDATE on PostgreSQL, and SQLite runs the
whole transaction under its write lock (`transaction_mode: IMMEDIATE`). A rolled-back creation
rolls its number back too, so the ledger has no holes from failed requests.

Online dossiers get their code when they are submitted (the date of submission), because the
citizen needs a code to track the dossier at once and the code never changes afterwards
(docs/regulations.md §2: one code for the whole life). The ledger's date of receipt is `received_at`.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from zoneinfo import ZoneInfo

from django.conf import settings

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# No 0/O, 1/I/L: the key is read off paper and typed on phones.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_KEY_LENGTH = 6


def code_pattern() -> str:
    return settings.MOTCUA_DOSSIER_CODE_PATTERN


def format_code(unit_code: str, day: dt.date, seq: int, pattern: str | None = None) -> str:
    """The code of the `seq`-th dossier of `unit_code` on `day`."""
    return (pattern or code_pattern()).format(unit_code=unit_code, date=day, seq=seq)


def local_day(instant: dt.datetime) -> dt.date:
    return instant.astimezone(TZ).date()


def new_tracking_key() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_KEY_LENGTH))


def normalise_tracking_key(key: str | None) -> str:
    """Upper case, spaces and dashes dropped (people copy keys with both)."""
    return (key or "").strip().upper().replace(" ", "").replace("-", "")


def tracking_key_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison (the key is the only secret of public tracking)."""
    given_norm = normalise_tracking_key(given)
    return hmac.compare_digest(expected.encode(), given_norm.encode()[:64])


def receipt_secret(code: str, key: str) -> str:
    """A longer secret printed only in the receipt's QR code (80 bits, keyed by SECRET_KEY): whoever
    holds the receipt is never paused by strangers' wrong guesses at the short tracking key."""
    from django.utils.crypto import salted_hmac

    return salted_hmac("motcua.tracking.receipt", f"{code}:{normalise_tracking_key(key)}").hexdigest()[:20]


def receipt_secret_matches(code: str, key: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(receipt_secret(code, key), str(given)[:40])


def allocate_code(agency, at: dt.datetime) -> str:
    """The next code of `agency` for the local day of `at`. Call inside transaction.atomic()."""
    from .models import DossierSequence

    day = local_day(at)
    # Make sure the row exists without failing when another transaction creates it first.
    DossierSequence.objects.bulk_create([DossierSequence(agency=agency, day=day, last=0)], ignore_conflicts=True)
    row = DossierSequence.objects.select_for_update().get(agency=agency, day=day)
    row.last += 1
    row.save(update_fields=["last"])
    return format_code(agency.unit_code, day, row.last)
