"""Signed checkpoints of the audit logs, kept outside the database: the evidence a database
administrator cannot rewrite.

Keyed hashes stop a forged row; they cannot show that the newest rows of a chain were deleted
(with the dossier's version lowered to match, the shorter chain is consistent). So the worker
writes, every MOTCUA_AUDIT_CHECKPOINT_MINUTES, a file signed with the audit key: for each log
(dossier events, personal-data accesses, the configuration change log) the number of rows and an
HMAC over the ids and hashes of the rows added since the previous checkpoint. `verify_audit`
recomputes every range from the database: a row deleted, edited or slipped in after its
checkpoint changes the count or the digest. Each file carries the signature of the one before it.

The files are the only authority. The next checkpoint is built from the newest file that verifies
(never from a database row an intruder could edit), and it carries forward, unchanged since the
first checkpoint:
- `anchors`: per log, the last row sealed with the unkeyed formula (SHA-256) before the audit key
  existed, and the count and digest of every row up to it. Unkeyed rows after it are refused.
- `retired`: per earlier key, the last row of each log when the first checkpoint with a newer key
  was written. A row sealed with a retired key after that point is refused, so a key that left
  with a person stops working once the next checkpoint is written.

A range is sealed one period after it was first seen (`pending`): ids are handed out when a
transaction inserts and become visible when it commits, so a row with a lower id may still be on
its way when the maximum is read; a period later it has long committed. `pending_count` is how
many rows of that range existed when first seen: fewer at sealing time means rows were deleted.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from motcua.core.storage import AUDIT_CHECKPOINT_FOLDER as FOLDER
from motcua.core.storage import audit_checkpoint_storage as storage

from . import chain, keys
from .models import AuditLog, ChangeLogSeal, PersonalDataAccess

FORMAT = "motcua-audit-checkpoint/1"
PER_FOLDER = 10_000  # files per sub-folder: listing stays cheap on S3 too
MAX_FILE_BYTES = 256 * 1024
CHUNK = 5000
LOGS = tuple(AuditLog.values)
LABEL = {log: str(label) for log, label in AuditLog.choices}


class CheckpointError(Exception):
    """The newest checkpoint cannot be trusted (unreadable, unsigned, unknown key): the job fails
    loudly rather than build on it; verify_audit names the file."""


@dataclass(frozen=True)
class Source:
    """Where one log's rows are: the model and the column that orders them."""

    log: str
    position: str  # "id", or "seq" for the change log's seals

    @property
    def model(self):
        from .chains import get

        return {AuditLog.EVENT: lambda: get(AuditLog.EVENT).model, AuditLog.ACCESS: lambda: PersonalDataAccess,
                AuditLog.CHANGELOG: lambda: ChangeLogSeal}[self.log]()


SOURCES = (Source(AuditLog.EVENT, "id"), Source(AuditLog.ACCESS, "id"), Source(AuditLog.CHANGELOG, "seq"))


def settle() -> dt.timedelta:
    """The least time between two checkpoints (and so the least wait before a range is sealed)."""
    return dt.timedelta(minutes=max(1, settings.MOTCUA_AUDIT_CHECKPOINT_MINUTES))


def _canonical(record: dict) -> bytes:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _name(n: int) -> str:
    return f"{FOLDER}/{n // PER_FOLDER:04d}/{n:08d}.json"


def _digest_rows(rows, key: keys.AuditKey) -> tuple[int, str]:
    mac = hmac.new(key.checkpoint, FORMAT.encode(), hashlib.sha256)
    count = 0
    for position, stored in rows:
        mac.update(f"{position}:{stored}\n".encode())
        count += 1
    return count, mac.hexdigest()


def _rows(source: Source, after: int, upto: int):
    return (source.model.objects.filter(**{f"{source.position}__gt": after, f"{source.position}__lte": upto})
            .order_by(source.position).values_list(source.position, "hash").iterator(chunk_size=CHUNK))


def range_digest(source: Source, after: int, upto: int, key: keys.AuditKey) -> tuple[int, str]:
    """(count, HMAC over "position:hash" lines) of the log's rows with after < position <= upto."""
    return _digest_rows(_rows(source, after, upto), key)


def _last_position(source: Source) -> int:
    row = source.model.objects.order_by(f"-{source.position}").values_list(source.position, flat=True).first()
    return int(row or 0)


def _count(source: Source, after: int, upto: int) -> int:
    return source.model.objects.filter(**{f"{source.position}__gt": after, f"{source.position}__lte": upto}).count()


# --- reading the files ---------------------------------------------------------------------------


def _names(files) -> list[str]:
    try:
        folders, _files = files.listdir(FOLDER)
    except (FileNotFoundError, NotADirectoryError):
        return []
    names = []
    for folder in sorted(f for f in folders if f.isdigit()):
        _dirs, found = files.listdir(f"{FOLDER}/{folder}")
        names += [f"{FOLDER}/{folder}/{name}" for name in sorted(found) if name.endswith(".json")]
    return names


REQUIRED = {"format": str, "n": int, "at": str, "kid": str, "prev": str, "anchors": dict, "retired": dict,
            "sealed": dict, "pending": dict, "pending_count": dict, "mac": str}


def _read(files, path: str) -> dict | None:
    """The record in one file, or None when it is too big, unreadable or not shaped like one."""
    try:
        if files.size(path) > MAX_FILE_BYTES:
            return None
        with files.open(path, "rb") as handle:
            record = json.loads(handle.read(MAX_FILE_BYTES + 1))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        return None
    if any(not isinstance(record.get(name), kind) for name, kind in REQUIRED.items()):
        return None
    try:
        for log in LOGS:
            part = record["sealed"][log]
            if not all(isinstance(part[k], int) for k in ("after", "upto", "count")) or not isinstance(
                    part["digest"], str):
                return None
            int(record["pending"][log]), int(record["pending_count"][log])
            anchor = record["anchors"][log]
            if not all(isinstance(anchor[k], int) for k in ("upto", "count")):
                return None
    except (KeyError, TypeError, ValueError):
        return None
    return record


def _signed(record: dict) -> keys.AuditKey | None:
    key = keys.by_kid(record["kid"])
    body = {k: v for k, v in record.items() if k != "mac"}
    return key if key is not None and keys.signed_by(key, _canonical(body), record["mac"]) else None


def _at(record: dict) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(record["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    except (TypeError, ValueError):
        return None


def newest(files=None) -> dict | None:
    """The newest checkpoint, verified; None when there is none; CheckpointError when the newest
    file cannot be trusted (the operator looks at it: a wrong key, a damaged copy)."""
    files = files or storage()
    names = _names(files)
    if not names:
        return None
    path = names[-1]
    record = _read(files, path)
    if record is None:
        raise CheckpointError(f"Tệp điểm kiểm tra {path} không đọc được.")
    if keys.by_kid(record["kid"]) is None:
        raise CheckpointError(f"Tệp điểm kiểm tra {path} ký bằng khóa {record['kid']} mà máy này không có "
                              "(MOTCUA_AUDIT_KEY / MOTCUA_AUDIT_OLD_KEYS).")
    if _signed(record) is None or _name(record["n"]) != path:
        raise CheckpointError(f"Tệp điểm kiểm tra {path} sai chữ ký.")
    return record


# --- writing -------------------------------------------------------------------------------------


def last_unkeyed(log: str) -> int:
    """The anchor's row: the last row sealed with the unkeyed formula before the first keyed one
    (0 if none). The code before the key wrote only unkeyed rows, the code after it only keyed
    ones, so an unkeyed row after a keyed one was forged (or written by an old process during the
    upgrade, docs/operations.md §4): it is left out of the anchor, and reported. A new
    installation stops at its first row; an upgraded one reads its history once."""
    from .verify import sealed_rows

    last = 0
    for position, sealed in sealed_rows(log):
        if sealed is None:
            continue  # an edited row: verify reports it
        if sealed[0] == chain.KEYED:
            break
        last = position
    return last


def _anchors(key: keys.AuditKey) -> dict:
    anchors = {}
    for source in SOURCES:
        upto = last_unkeyed(source.log)
        count, digest = range_digest(source, 0, upto, key)
        anchors[source.log] = {"upto": upto, "count": count, "digest": digest}
    return anchors


def write(now: dt.datetime | None = None) -> dict | None:
    """Write the next checkpoint file; None when the newest is younger than a period (or another
    worker wrote this number first). Built only from the newest verified file."""
    now = now or timezone.now()
    key = keys.current()
    files = storage()
    last = newest(files)
    if last is not None and now - (_at(last) or now) < settle():
        return None
    retired = dict(last["retired"]) if last else {}
    if last is not None and last["kid"] != key.kid and last["kid"] not in retired:
        retired[last["kid"]] = {source.log: _last_position(source) for source in SOURCES}
    sealed, pending, pending_count = {}, {}, {}
    for source in SOURCES:
        after = last["sealed"][source.log]["upto"] if last else 0
        upto = int(last["pending"][source.log]) if last else 0
        count, digest = range_digest(source, after, upto, key)
        sealed[source.log] = {"after": after, "upto": upto, "count": count, "digest": digest}
        pending[source.log] = max(upto, _last_position(source))
        pending_count[source.log] = _count(source, upto, pending[source.log])
    n = last["n"] + 1 if last else 1
    record = {
        "format": FORMAT, "n": n, "at": chain.plain_value(now), "kid": key.kid, "prev": last["mac"] if last else "",
        "anchors": last["anchors"] if last else _anchors(key), "retired": retired,
        "sealed": sealed, "pending": pending, "pending_count": pending_count,
    }
    record["mac"] = keys.sign(key, _canonical(record))
    name = _name(n)
    if files.exists(name):
        return None  # another worker wrote checkpoint n meanwhile
    saved = files.save(name, ContentFile(_canonical(record) + b"\n"))
    if saved != name:  # lost a race for the name: keep the winner's file only
        files.delete(saved)
        return None
    return record


# --- verifying -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    position: int  # checkpoint number (0: the anchors, or a file that could not be read)
    kind: str  # the Problem kinds of motcua.audit.verify
    detail: str


@dataclass
class State:
    """What the files say: the verified records in order, and what was wrong with the others."""

    records: list[dict] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def newest(self) -> dict | None:
        return self.records[-1] if self.records else None

    def plain_limit(self, log: str) -> int:
        """Unkeyed rows are accepted up to the anchor; with no checkpoint yet, none is."""
        return int(self.records[0]["anchors"][log]["upto"]) if self.records else 0

    def retired(self) -> dict[str, dict[str, int]]:
        return self.newest["retired"] if self.records else {}


def _local(record: dict) -> str:
    at = _at(record)
    return timezone.localtime(at).strftime("%H:%M %d/%m/%Y") if at else "?"


def read_state(edited: str, deleted: str, inserted: str) -> State:
    """Read and check every file: signatures, numbering, links, ranges end to end, anchors and
    retired keys carried unchanged. The rows themselves are checked by `verify_ranges`."""
    files = storage()
    state = State()
    for path in _names(files):
        record = _read(files, path)
        if record is None:
            state.findings.append(Finding(0, edited, f"tệp {path} không đọc được hoặc sai định dạng"))
        elif keys.by_kid(record["kid"]) is None:
            state.findings.append(Finding(record["n"], edited,
                                          f"tệp {path}: ký bằng khóa {record['kid']} không được cấu hình"))
        elif _signed(record) is None:
            state.findings.append(Finding(record["n"], edited, f"tệp {path}: chữ ký không khớp"))
        elif _name(record["n"]) != path:
            state.findings.append(Finding(record["n"], edited, f"tệp {path}: tên không khớp số thứ tự"))
        else:
            state.records.append(record)
    previous = None
    for record in state.records:
        n = record["n"]
        expected = previous["n"] + 1 if previous else 1
        if n != expected:
            state.findings.append(Finding(expected, deleted, f"thiếu điểm kiểm tra #{expected}–{n - 1}"))
        elif previous is not None and record["prev"] != previous["mac"]:
            state.findings.append(Finding(n, edited, f"điểm kiểm tra #{n} không nối với #{previous['n']}"))
        if previous is not None:
            if record["anchors"] != previous["anchors"]:
                state.findings.append(Finding(n, edited, f"điểm kiểm tra #{n}: mốc neo bị đổi"))
            if any(record["retired"].get(kid) != bound for kid, bound in previous["retired"].items()):
                state.findings.append(Finding(n, edited, f"điểm kiểm tra #{n}: mốc khóa cũ bị đổi"))
            for log in LOGS:
                part, before = record["sealed"][log], previous["sealed"][log]
                if part["after"] != before["upto"] or part["upto"] != int(previous["pending"][log]):
                    state.findings.append(Finding(n, deleted, f"điểm kiểm tra #{n}: khoảng {LABEL[log]} không liền"))
                elif part["count"] < int(previous["pending_count"][log]):
                    state.findings.append(Finding(n, deleted, (
                        f"điểm kiểm tra #{n} ({_local(record)}): {LABEL[log]} {part['after'] + 1}–{part['upto']}: "
                        f"thiếu {int(previous['pending_count'][log]) - part['count']} bản ghi so với lúc "
                        f"điểm kiểm tra #{previous['n']} thấy")))
        previous = record
    return state


class Range(NamedTuple):
    after: int
    upto: int
    count: int
    digest: str
    label: str
    key: keys.AuditKey


def _ranges(state: State, log: str) -> tuple[Range | None, list[Range]]:
    """The anchor's range, and the sealed ranges in order; each with the key of the file that
    sealed it (the anchor: the first file's)."""
    anchor, sealed = None, []
    if state.records:
        first = state.records[0]
        part = first["anchors"][log]
        if part["upto"] or part["count"]:
            anchor = Range(0, part["upto"], part["count"], part["digest"],
                           f"mốc neo {LABEL[log]} (các bản ghi trước khi có khóa, đến {part['upto']})",
                           keys.by_kid(first["kid"]))
    for record in state.records:
        part = record["sealed"][log]
        if part["upto"] > part["after"] or part["count"]:
            sealed.append(Range(part["after"], part["upto"], part["count"], part["digest"],
                                f"điểm kiểm tra #{record['n']} ({_local(record)}): {LABEL[log]} "
                                f"{part['after'] + 1}–{part['upto']}", keys.by_kid(record["kid"])))
    return anchor, sealed


def verify_ranges(state: State, edited: str, deleted: str, inserted: str) -> Iterator[Finding]:
    """Recompute the anchors and every sealed range from the database, one pass over each log.
    Sealed ranges follow one another (read_state checks it), so a row's range is found by
    bisection on their upper ends; the anchor overlaps the first of them."""
    for source in SOURCES:
        anchor, sealed = _ranges(state, source.log)
        ranges = ([anchor] if anchor else []) + sealed
        if not ranges:
            continue
        macs = [hmac.new(r.key.checkpoint, FORMAT.encode(), hashlib.sha256) for r in ranges]
        counts = [0] * len(ranges)
        first = 1 if anchor else 0
        uppers = [r.upto for r in sealed]
        for position, stored in _rows(source, 0, max(r.upto for r in ranges)):
            line = f"{position}:{stored}\n".encode()
            if anchor and position <= anchor.upto:
                macs[0].update(line)
                counts[0] += 1
            i = bisect.bisect_left(uppers, position)
            if i < len(sealed) and sealed[i].after < position <= sealed[i].upto:
                macs[first + i].update(line)
                counts[first + i] += 1
        for r, mac, found in zip(ranges, macs, counts, strict=True):
            if found == r.count and hmac.compare_digest(mac.hexdigest(), r.digest):
                continue
            kind = deleted if found < r.count else inserted if found > r.count else edited
            what = {deleted: f"thiếu {r.count - found} bản ghi", inserted: f"thừa {found - r.count} bản ghi",
                    edited: "nội dung hoặc mã băm đã đổi"}[kind]
            yield Finding(0, kind, f"{r.label}: {what}")


def stale(state: State, now: dt.datetime | None = None) -> Finding | None:
    """The newest checkpoint is older than three periods: the worker is not writing them, and
    deletions of the newest rows go unseen for that long."""
    if not state.records:
        return None
    now = now or timezone.now()
    at = _at(state.newest)
    if at is not None and now - at > 3 * settle():
        return Finding(state.newest["n"], "cũ", f"điểm kiểm tra mới nhất là #{state.newest['n']} lúc "
                                               f"{_local(state.newest)}: bộ xử lý nền không còn ghi điểm kiểm tra")
    return None


def describe(record: dict) -> str:
    sealed = ", ".join(f"{LABEL[log]} {record['sealed'][log]['count']}" for log in LOGS)
    return (f"#{record['n']} lúc {_local(record)} (khóa {record['kid']}; {_name(record['n'])}; "
            f"số bản ghi được niêm: {sealed})")
