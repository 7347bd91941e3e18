"""Signed checkpoints of the audit logs, kept outside the database, and the anchor of the rows
sealed before the audit key existed.

Keyed hashes stop a forged row; they cannot show that the newest rows of a chain were deleted
(with the dossier's version lowered to match, the shorter chain is consistent). So the worker
writes, every MOTCUA_AUDIT_CHECKPOINT_MINUTES, a checkpoint file signed with the audit key:
for each log (dossier events, personal-data accesses, the configuration change log) the number
of rows and an HMAC over the ids and hashes of the rows added since the previous checkpoint.
`verify_audit` recomputes each range from the database: a row deleted, edited or slipped in
after its checkpoint changes the count or the digest. Each file carries the signature of the one
before it, so a checkpoint cannot be dropped from the middle unnoticed either.

A range is sealed one period after it was first seen (`pending`): ids are handed out when a
transaction inserts and become visible when it commits, so a row with a lower id may still be
on its way when the maximum is read; a period later it has long committed.

The anchor (models.ChainAnchor) is taken at the first checkpoint: per log, the last row still
carrying an unkeyed hash and an HMAC over every row up to it. Unkeyed rows after it are refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import chain, keys
from .models import AuditLog, ChainAnchor, ChangeLogSeal, Checkpoint, PersonalDataAccess

FORMAT = "motcua-audit-checkpoint/1"
FOLDER = "audit-checkpoints"
# Two checkpoints closer than this are one too many (a range needs time to settle, see above).
SETTLE = dt.timedelta(minutes=1)
MAX_FILE_BYTES = 64 * 1024
CHUNK = 5000


@dataclass(frozen=True)
class Source:
    """Where one log's rows are: the model and the column that orders them."""

    log: str
    position: str  # "id", or "seq" for the change log's seals

    @property
    def model(self):
        from motcua.dossiers.models import Event

        return {AuditLog.EVENT: Event, AuditLog.ACCESS: PersonalDataAccess,
                AuditLog.CHANGELOG: ChangeLogSeal}[self.log]


SOURCES = (Source(AuditLog.EVENT, "id"), Source(AuditLog.ACCESS, "id"), Source(AuditLog.CHANGELOG, "seq"))


def storage() -> Storage:
    if settings.MOTCUA_AUDIT_CHECKPOINT_DIR:
        return FileSystemStorage(location=settings.MOTCUA_AUDIT_CHECKPOINT_DIR)
    return default_storage


def _canonical(record: dict) -> bytes:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def range_digest(source: Source, after: int, upto: int, key: keys.AuditKey) -> tuple[int, str]:
    """(count, HMAC over "position:hash" lines) of the log's rows with after < position <= upto."""
    mac = hmac.new(key.checkpoint, FORMAT.encode(), hashlib.sha256)
    count = 0
    rows = (source.model.objects.filter(**{f"{source.position}__gt": after, f"{source.position}__lte": upto})
            .order_by(source.position).values_list(source.position, "hash"))
    for position, stored in rows.iterator(chunk_size=CHUNK):
        mac.update(f"{position}:{stored}\n".encode())
        count += 1
    return count, mac.hexdigest()


def _last_position(source: Source) -> int:
    row = source.model.objects.order_by(f"-{source.position}").values_list(source.position, flat=True).first()
    return int(row or 0)


# --- anchors -------------------------------------------------------------------------------------


def _anchor_message(anchor: ChainAnchor) -> bytes:
    return _canonical({"log": anchor.log, "upto": anchor.upto, "count": anchor.count, "digest": anchor.digest,
                       "kid": anchor.kid, "at": chain._plain(anchor.at)})


def last_unkeyed(log: str) -> int:
    """The position of the log's last row that carries an unkeyed hash (0 if none)."""
    from .verify import sealed_rows

    last = 0
    for position, status in sealed_rows(log):
        if status == chain.PLAIN:
            last = max(last, position)
    return last


def ensure_anchors(now: dt.datetime) -> list[ChainAnchor]:
    """Anchor each log once, at the first checkpoint (a full pass over the log, once)."""
    made = []
    key = keys.current()
    for source in SOURCES:
        if ChainAnchor.objects.filter(log=source.log).exists():
            continue
        upto = last_unkeyed(source.log)
        count, digest = range_digest(source, 0, upto, key)
        anchor = ChainAnchor(log=source.log, upto=upto, count=count, digest=digest, kid=key.kid, at=now)
        anchor.mac = keys.sign(key, _anchor_message(anchor))
        try:
            with transaction.atomic():
                anchor.save()
        except IntegrityError:  # another worker anchored it first
            continue
        made.append(anchor)
    return made


def anchors() -> dict[str, ChainAnchor]:
    return {anchor.log: anchor for anchor in ChainAnchor.objects.all()}


# --- writing -------------------------------------------------------------------------------------


def _name(n: int) -> str:
    return f"{FOLDER}/{n:08d}.json"


def write(now: dt.datetime | None = None) -> Checkpoint | None:
    """Write the next checkpoint file and its index row; None when the last one is too recent."""
    now = now or timezone.now()
    key = keys.current()
    ensure_anchors(now)
    last = Checkpoint.objects.order_by("-n").first()
    if last is not None and now - last.at < SETTLE:
        return None
    sealed, pending = {}, {}
    for source in SOURCES:
        after = int(last.record["sealed"][source.log]["upto"]) if last else 0
        upto = int(last.record["pending"][source.log]) if last else 0
        count, digest = range_digest(source, after, upto, key)
        sealed[source.log] = {"after": after, "upto": upto, "count": count, "digest": digest}
        pending[source.log] = max(upto, _last_position(source))
    n = last.n + 1 if last else 1
    record = {
        "format": FORMAT, "n": n, "at": chain._plain(now), "kid": key.kid, "prev": last.mac if last else "",
        "anchors": {log: anchor.mac for log, anchor in sorted(anchors().items())},
        "sealed": sealed, "pending": pending,
    }
    mac = keys.sign(key, _canonical(record))
    name = _name(n)
    files = storage()
    try:
        with transaction.atomic():
            checkpoint = Checkpoint(n=n, at=now, name=name, record=record, mac=mac)
            checkpoint.save()
            if files.exists(name):
                raise FileExistsError(name)
            # The file before the commit: a checkpoint the database knows always has its file.
            files.save(name, ContentFile(_canonical({**record, "mac": mac}) + b"\n"))
    except (IntegrityError, FileExistsError):  # another worker wrote checkpoint n
        return None
    return checkpoint


# --- verifying -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    position: int  # checkpoint number (0: the anchors)
    kind: str  # "sửa", "xóa", "chèn" (motcua.audit.verify)
    detail: str


def _local(at: str) -> str:
    try:
        moment = dt.datetime.strptime(at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    except (TypeError, ValueError):
        return str(at)[:40]
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")


def _records(files: Storage) -> Iterator[tuple[str, dict | None]]:
    try:
        _dirs, names = files.listdir(FOLDER)
    except FileNotFoundError:
        return
    for name in sorted(names):
        if not name.endswith(".json"):
            continue
        path = f"{FOLDER}/{name}"
        try:
            if files.size(path) > MAX_FILE_BYTES:
                yield path, None
                continue
            with files.open(path, "rb") as handle:
                record = json.loads(handle.read())
        except (OSError, ValueError):
            yield path, None
            continue
        yield path, record if isinstance(record, dict) else None


LABEL = {AuditLog.EVENT: "sự kiện", AuditLog.ACCESS: "truy cập", AuditLog.CHANGELOG: "nhật ký cấu hình"}


def verify_anchors(edited: str, deleted: str) -> Iterator[Finding]:
    for anchor in ChainAnchor.objects.order_by("log"):
        key = keys.by_kid(anchor.kid)
        if key is None:
            yield Finding(0, edited, f"neo {LABEL.get(anchor.log, anchor.log)}: khóa {anchor.kid} không được cấu hình")
            continue
        if not keys.signed_by(key, _anchor_message(anchor), anchor.mac):
            yield Finding(0, edited, f"neo {LABEL.get(anchor.log, anchor.log)}: chữ ký không khớp")
            continue
        source = next(s for s in SOURCES if s.log == anchor.log)
        count, digest = range_digest(source, 0, anchor.upto, key)
        if count != anchor.count or digest != anchor.digest:
            kind = deleted if count < anchor.count else edited
            yield Finding(0, kind, f"neo {LABEL[anchor.log]}: các bản ghi trước khi có khóa (đến {anchor.upto}) "
                                   f"đã thay đổi ({anchor.count} → {count} bản ghi)")


def verify_files(edited: str, deleted: str, inserted: str) -> tuple[list[Finding], int, str | None]:
    """Check every checkpoint file and recompute its ranges; (findings, files read, last time)."""
    findings: list[Finding] = []
    previous: dict | None = None
    seen = 0
    for path, record in _records(storage()):
        seen += 1
        if record is None or record.get("format") != FORMAT:
            findings.append(Finding(0, edited, f"tệp {path} không đọc được"))
            continue
        n = record.get("n")
        key = keys.by_kid(str(record.get("kid", "")))
        body = {k: v for k, v in record.items() if k != "mac"}
        if key is None:
            findings.append(Finding(n or 0, edited,
                                    f"điểm kiểm tra #{n}: khóa {record.get('kid')} không được cấu hình"))
            previous = record
            continue
        if not keys.signed_by(key, _canonical(body), str(record.get("mac", ""))):
            findings.append(Finding(n or 0, edited, f"điểm kiểm tra #{n} ({path}): chữ ký không khớp"))
            previous = record
            continue
        expected = previous["n"] + 1 if previous else 1
        if n != expected:
            findings.append(Finding(expected, deleted, f"thiếu điểm kiểm tra #{expected}–{n - 1}" if n > expected
                                    else f"điểm kiểm tra #{n} lặp lại"))
        elif previous is not None and record.get("prev") != previous.get("mac"):
            findings.append(Finding(n, edited, f"điểm kiểm tra #{n} không nối với #{previous['n']}"))
        for source in SOURCES:
            part = record["sealed"].get(source.log) or {}
            after, upto = int(part.get("after", 0)), int(part.get("upto", 0))
            if previous is not None and after != int(previous["sealed"][source.log]["upto"]):
                findings.append(Finding(n, deleted, f"điểm kiểm tra #{n}: khoảng {LABEL[source.log]} không liền"))
            if upto <= after and not part.get("count"):
                continue
            count, digest = range_digest(source, after, upto, key)
            if count == part.get("count") and digest == part.get("digest"):
                continue
            kind = deleted if count < part["count"] else inserted if count > part["count"] else edited
            what = {deleted: f"thiếu {part['count'] - count} bản ghi",
                    inserted: f"thừa {count - part['count']} bản ghi",
                    edited: "nội dung hoặc mã băm đã đổi"}[kind]
            findings.append(Finding(n, kind, f"điểm kiểm tra #{n} ({_local(record.get('at'))}): {LABEL[source.log]} "
                                             f"{after + 1}–{upto}: {what}"))
        previous = record
    if previous is not None:
        present = anchors()
        for log, mac in (previous.get("anchors") or {}).items():
            anchor = present.get(log)
            if anchor is None:
                findings.append(Finding(0, deleted, f"neo {LABEL.get(log, log)} đã bị xóa khỏi cơ sở dữ liệu"))
            elif anchor.mac != mac:
                findings.append(Finding(0, edited,
                                        f"neo {LABEL.get(log, log)} khác với điểm kiểm tra #{previous['n']}"))
    # The index in the database names files that must exist (deleting files needs other rights).
    files = storage()
    for n, name in Checkpoint.objects.order_by("n").values_list("n", "name"):
        if not files.exists(name):
            findings.append(Finding(n, deleted, f"tệp của điểm kiểm tra #{n} ({name}) không còn"))
    return findings, seen, _local(previous["at"]) if previous else None
