"""Walk the audit hash chains and list every row that was edited (sửa), deleted (xóa) or
inserted (chèn) outside the application. Reads with values_list in batches of dossiers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from . import chain, chains, checkpoints, keys
from .access import ACCESS_FIELDS, access_payload

EDITED, DELETED, INSERTED = "sửa", "xóa", "chèn"
BATCH = 500


@dataclass(frozen=True)
class Problem:
    log: str  # "event", "access", "config" or "checkpoint"
    dossier: str
    position: int  # event version / access seq
    kind: str  # sửa, xóa, chèn
    detail: str

    def __str__(self) -> str:
        if self.log == "config":
            return f"nhật ký cấu hình #{self.position}: {self.kind} — {self.detail}"
        if self.log == "checkpoint":
            return f"{self.kind} — {self.detail}"
        label = "sự kiện" if self.log == "event" else "truy cập"
        return f"{self.dossier} {label} #{self.position}: {self.kind} — {self.detail}"


UNKEYED = "mã băm không có khóa, sau mốc neo (tính lại bởi người không có khóa)"
RETIRED = "mã băm bằng khóa cũ, sau khi đã đổi khóa"
STALE = "cũ"


@dataclass(frozen=True)
class Rules:
    """What a row's hash may be, from the signed checkpoints: keyed with a known key (a retired one
    only up to its last row), or unkeyed up to the anchor."""

    known: tuple[keys.AuditKey, ...]
    plain_limit: dict[str, int]
    retired: dict[str, dict[str, int]]

    @classmethod
    def of(cls, state: checkpoints.State) -> Rules:
        from .models import AuditLog

        return cls(known=keys.known(), plain_limit={log: state.plain_limit(log) for log in AuditLog.values},
                   retired=state.retired())

    def problem(self, log: str, payload, prev_hash: str, stored: str, position: int) -> str | None:
        """Why this row's hash is not acceptable, or None."""
        sealed = chain.sealed_with(payload, prev_hash, stored, self.known)
        if sealed is None:
            return "nội dung không khớp mã băm"
        status, kid = sealed
        if status == chain.PLAIN:
            return None if position <= self.plain_limit[log] else UNKEYED
        bound = self.retired.get(kid, {}).get(log)
        return RETIRED if bound is not None and position > bound else None


def _walk(log: str, code: str, rows, payload_of, expected_last: int | None, rules: Rules) -> Iterator[Problem]:
    """rows: (position, prev_hash, hash, values) in position order; values["id"] is the row's id."""
    expected, prev = 1, chain.GENESIS
    for position, prev_hash, stored, values in rows:
        if position > expected:
            missing = f"{expected}" if position == expected + 1 else f"{expected}–{position - 1}"
            yield Problem(log, code, expected, DELETED, f"thiếu bản ghi {missing}")
        elif position < expected:  # cannot happen with the unique constraint, but be explicit
            yield Problem(log, code, position, INSERTED, "số thứ tự lặp lại")
        wrong = rules.problem(log, payload_of(code, values), prev_hash, stored, values["id"])
        if wrong:
            yield Problem(log, code, position, EDITED, wrong)
        elif prev_hash != prev and position == expected:
            yield Problem(log, code, position, INSERTED, "mã băm trước không khớp bản ghi liền trước")
        expected, prev = position + 1, stored
    last = expected - 1
    if expected_last is not None and last < expected_last:
        missing = f"{last + 1}" if expected_last == last + 1 else f"{last + 1}–{expected_last}"
        yield Problem(log, code, last + 1, DELETED, f"thiếu bản ghi cuối {missing} (hồ sơ ở phiên bản {expected_last})")
    elif expected_last is not None and last > expected_last:
        yield Problem(log, code, expected_last + 1, INSERTED, f"có bản ghi sau phiên bản hiện tại {expected_last}")


def _owned_rows(owned: chains.OwnedChain, owner_ids: list[int]):
    owner_id = f"{owned.owner._meta.model_name}_id"
    fields = [owner_id, "id", "prev_hash", "hash", *owned.fields]
    for row in (
        owned.model.objects.filter(**{f"{owner_id}__in": owner_ids}).order_by(owner_id, owned.position)
        .values_list(*fields).iterator(chunk_size=2000)
    ):
        values = dict(zip(fields, row, strict=True))
        yield values[owner_id], (values[owned.position], values["prev_hash"], values["hash"], values)


def _access_rows(dossier_ids: list[int]):
    from .models import PersonalDataAccess

    fields = ["dossier_id", "id", "prev_hash", "hash", *ACCESS_FIELDS]
    for row in (
        PersonalDataAccess.objects.filter(dossier_id__in=dossier_ids).order_by("dossier_id", "seq")
        .values_list(*fields).iterator(chunk_size=2000)
    ):
        values = dict(zip(fields, row, strict=True))
        yield values["dossier_id"], (values["seq"], values["prev_hash"], values["hash"], values)


def _grouped(pairs, ids):
    groups: dict[int, list] = {pk: [] for pk in ids}
    for pk, row in pairs:
        groups.setdefault(pk, []).append(row)
    return groups


def verify(dossier_code: str | None = None, batch: int = BATCH) -> Iterator[Problem]:
    from .models import AuditLog, PersonalDataAccess

    owned = chains.get(AuditLog.EVENT)
    Dossier, Event = owned.owner, owned.model  # noqa: N806 - model classes
    state = checkpoints.read_state(EDITED, DELETED, INSERTED)
    rules = Rules.of(state)
    dossiers = Dossier.objects.order_by("pk")
    if dossier_code is not None:
        dossiers = dossiers.filter(code=dossier_code)
    last_pk = 0
    while True:
        chunk = list(dossiers.filter(pk__gt=last_pk).values_list("pk", "code", "version")[:batch])
        if not chunk:
            break
        last_pk = chunk[-1][0]
        ids = [pk for pk, _code, _version in chunk]
        events = _grouped(_owned_rows(owned, ids), ids)
        accesses = _grouped(_access_rows(ids), ids)
        for pk, code, version in chunk:
            yield from _walk(AuditLog.EVENT, code, events[pk], owned.payload, version, rules)
            yield from _walk(AuditLog.ACCESS, code, accesses[pk], access_payload, None, rules)
    if dossier_code is None:
        # Rows whose dossier is gone (only possible if the dossier was deleted outside the application).
        for model, log in ((Event, "event"), (PersonalDataAccess, "access")):
            orphans = model.objects.exclude(dossier_id__in=Dossier.objects.values("pk")).values_list(
                "dossier_id", flat=True).distinct()
            for pk in orphans:
                yield Problem(log, f"#{pk}", 0, DELETED, "hồ sơ của bản ghi không còn")
        yield from verify_changelog(rules=rules)
        yield from verify_outside(state)


def verify_outside(state: checkpoints.State) -> Iterator[Problem]:
    """The signed checkpoint files (motcua.audit.checkpoints): the files themselves, every range
    and anchor they seal recomputed from the database, and their age."""
    findings = [*state.findings, *checkpoints.verify_ranges(state, EDITED, DELETED, INSERTED)]
    old = checkpoints.stale(state)
    for finding in [*findings, *([old] if old else [])]:
        yield Problem("checkpoint", "", finding.position, finding.kind, finding.detail)


def sealed_rows(log: str, chunk: int = 2000) -> Iterator[tuple[int, tuple | None]]:
    """(position, chain.sealed_with's answer) of every row of one log, in position order (ids;
    seal numbers for the change log)."""
    from .changelog_chain import CHANGELOG_FIELDS, changelog_payload
    from .models import AuditLog, ChangeLog, ChangeLogSeal, PersonalDataAccess

    known = keys.known()
    if log == AuditLog.CHANGELOG:
        seals = ChangeLogSeal.objects.order_by("seq").values_list(
            "seq", "changelog_id", "prev_hash", "hash")
        batch: list = []
        for seal in [*seals.iterator(chunk_size=chunk), None]:
            if seal is not None:
                batch.append(seal)
            if batch and (seal is None or len(batch) >= chunk):
                rows = {r["id"]: r for r in ChangeLog.objects.filter(pk__in=[s[1] for s in batch])
                        .values("id", *CHANGELOG_FIELDS)}
                for seq, row_id, prev_hash, stored in batch:
                    row = rows.get(row_id)
                    yield seq, (None if row is None else
                                chain.sealed_with(changelog_payload(seq, row), prev_hash, stored, known))
                batch = []
        return
    owned = chains.get(AuditLog.EVENT)
    model, names, payload_of = (
        (owned.model, owned.fields, owned.payload) if log == AuditLog.EVENT
        else (PersonalDataAccess, ACCESS_FIELDS, access_payload))
    code = f"{owned.owner._meta.model_name}__code"
    fields = ["id", code, "prev_hash", "hash", *names]
    rows = model.objects.order_by("id").values_list(*fields)
    for row in rows.iterator(chunk_size=chunk):
        values = dict(zip(fields, row, strict=True))
        yield values["id"], chain.sealed_with(payload_of(values[code], values), values["prev_hash"],
                                               values["hash"], known)


def verify_changelog(batch: int = 2000, rules: Rules | None = None) -> Iterator[Problem]:
    """The global chain over audit.ChangeLog (audit.ChangeLogSeal)."""
    from .changelog_chain import CHANGELOG_FIELDS, changelog_payload
    from .models import AuditLog, ChangeLog, ChangeLogSeal

    rules = rules or Rules.of(checkpoints.read_state(EDITED, DELETED, INSERTED))
    expected, prev, last_seq = 1, chain.GENESIS, 0
    while True:
        seals = list(ChangeLogSeal.objects.filter(seq__gt=last_seq).order_by("seq")
                     .values_list("seq", "changelog_id", "prev_hash", "hash")[:batch])
        if not seals:
            break
        last_seq = seals[-1][0]
        fields = ["id", *CHANGELOG_FIELDS]
        rows = {r["id"]: r for r in ChangeLog.objects.filter(pk__in=[s[1] for s in seals]).values(*fields)}
        for seq, row_id, prev_hash, stored in seals:
            if seq > expected:
                yield Problem("config", "", expected, DELETED, f"thiếu dấu niêm {expected}–{seq - 1}")
            row = rows.get(row_id)
            if row is None:
                yield Problem("config", "", seq, DELETED, f"mục nhật ký {row_id} đã bị xóa")
            elif wrong := rules.problem(AuditLog.CHANGELOG, changelog_payload(seq, row), prev_hash, stored, seq):
                yield Problem("config", "", seq, EDITED, f"mục nhật ký {row_id} không khớp mã băm"
                              if wrong == "nội dung không khớp mã băm" else f"mục nhật ký {row_id}: {wrong}")
            elif prev_hash != prev and seq == expected:
                yield Problem("config", "", seq, INSERTED, "mã băm trước không khớp dấu niêm liền trước")
            expected, prev = seq + 1, stored
    unsealed = ChangeLog.objects.exclude(pk__in=ChangeLogSeal.objects.values("changelog_id")).values_list(
        "pk", flat=True)
    for pk in unsealed.iterator():
        yield Problem("config", "", 0, INSERTED, f"mục nhật ký {pk} không có dấu niêm (thêm ngoài ứng dụng)")
