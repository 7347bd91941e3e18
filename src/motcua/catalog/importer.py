"""Catalogue import and export in the format of docs/catalog-format.md.

Import is all or nothing: the whole file is validated first and every problem is reported
with the procedure and the field; only then is it written, in one transaction. Importing
the same file twice changes nothing: each procedure's normalised content is hashed and
compared with its published version; a changed procedure becomes a new published version
and the previous one is retired (dossiers keep the version they were received under).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from motcua.agencies.models import Agency, unit_code_validator
from motcua.audit import changelog
from motcua.audit.models import ChangeAction
from motcua.core.errors import DomainError

from . import actions, fees, normalize, search_actions, validation
from .catalog_version import bump_catalog_version
from .models import (
    ColloquialName,
    Fee,
    PaperKind,
    Procedure,
    ProcedureVersion,
    Role,
    Sector,
    Synonym,
    TimeUnit,
    procedure_code_validator,
)

FORMAT_VERSION = 1
AGENCY_KINDS = {choice.value for choice in Agency.Kind}
SUBJECTS = {"citizen", "business"}


class CatalogError(DomainError):
    """The file cannot be imported; `problems` lists every reason, in Vietnamese."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ImportReport:
    agencies_created: int = 0
    agencies_updated: int = 0
    sectors_created: int = 0
    sectors_updated: int = 0
    procedures_created: list[str] = field(default_factory=list)
    procedures_versioned: list[str] = field(default_factory=list)
    procedures_unchanged: list[str] = field(default_factory=list)
    # What a published procedure still lacks for the level the file states (an e-form, a payment
    # configuration, a signing certificate): imported all the same, the admin is told what to add.
    warnings: list[str] = field(default_factory=list)
    search_rows: int = 0  # synonyms and colloquial names added, changed or removed

    @property
    def changed(self) -> bool:
        return bool(
            self.agencies_created or self.agencies_updated or self.sectors_created
            or self.sectors_updated or self.procedures_created or self.procedures_versioned or self.search_rows
        )

    def summary(self) -> str:
        return (
            f"Cơ quan: {self.agencies_created} mới, {self.agencies_updated} cập nhật. "
            f"Lĩnh vực: {self.sectors_created} mới, {self.sectors_updated} cập nhật. "
            f"Thủ tục: {len(self.procedures_created)} mới, "
            f"{len(self.procedures_versioned)} có phiên bản mới, "
            f"{len(self.procedures_unchanged)} không đổi."
            + (f" Tìm kiếm: {self.search_rows} từ đồng nghĩa, tên thường gọi thay đổi." if self.search_rows else "")
        )


# --- Validation ------------------------------------------------------------------------------


class _Collector:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, where: str, field_name: str, message: str) -> None:
        self.problems.append(f"{where}: trường '{field_name}' {message}")


def _text(
    obj: dict, key: str, where: str, errors: _Collector, *, required: bool = True, max_length: int = 0
) -> str:
    value = obj.get(key)
    if value is None or value == "":
        if required:
            errors.add(where, key, "bị thiếu hoặc để trống.")
        return ""
    if not isinstance(value, str):
        errors.add(where, key, "phải là chuỗi ký tự.")
        return ""
    value = value.strip()
    if max_length and len(value) > max_length:
        errors.add(where, key, f"dài quá {max_length} ký tự.")
    return value


def _int(obj: dict, key: str, where: str, errors: _Collector, *, default: int | None = None,
         minimum: int = 0, maximum: int | None = None) -> int:
    value = obj.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(where, key, "phải là số nguyên.")
        return default or 0
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"từ {minimum} đến {maximum}" if maximum is not None else f"từ {minimum} trở lên"
        errors.add(where, key, f"phải {bound} (đang là {value}).")
    return value


def _list(obj: dict, key: str, where: str, errors: _Collector, *, required: bool = True) -> list:
    value = obj.get(key)
    if value is None:
        if required:
            errors.add(where, key, "bị thiếu.")
        return []
    if not isinstance(value, list):
        errors.add(where, key, "phải là một danh sách.")
        return []
    return value


def _approval(step: dict, where: str, errors: _Collector) -> bool:
    """A step's "approval" flag (bước ký duyệt): true or false, absent = false."""
    value = step.get("approval", False)
    if not isinstance(value, bool):
        errors.add(where, "approval", f"phải là true hoặc false (đang là {value!r}).")
        return False
    return value


def _choice(obj: dict, key: str, where: str, errors: _Collector, choices: set[str], default: str = "") -> str:
    value = obj.get(key, default)
    if value not in choices:
        errors.add(where, key, f"có giá trị '{value}' không hợp lệ (nhận: {', '.join(sorted(choices))}).")
        return default
    return value


def _fee_rule(fee: dict, where: str, errors: _Collector) -> dict:
    """The optional rule keys of a fee (issue #17, catalog/fees.py), defaults filled."""
    rule = {
        "basis": _choice(fee, "basis", where, errors, {b.value for b in Fee.Basis}, Fee.Basis.DOSSIER),
        "tiers": [],
        "cap_vnd": None,
        "reductions": [],
        "online_exempt": False,
    }
    for i, tier in enumerate(_list(fee, "tiers", where, errors, required=False), 1):
        if not isinstance(tier, dict):
            errors.add(where, f"tiers[{i}]", "phải là một đối tượng JSON.")
            continue
        rule["tiers"].append({"from_page": _int(tier, "from_page", where, errors, default=2, minimum=2, maximum=1000),
                              "amount_vnd": _int(tier, "amount_vnd", where, errors, default=0, maximum=10**12)})
    if fee.get("cap_vnd") is not None:
        rule["cap_vnd"] = _int(fee, "cap_vnd", where, errors, minimum=1, maximum=10**12)
    for i, red in enumerate(_list(fee, "reductions", where, errors, required=False), 1):
        if not isinstance(red, dict):
            errors.add(where, f"reductions[{i}]", "phải là một đối tượng JSON.")
            continue
        rule["reductions"].append({"kind": _text(red, "kind", where, errors, max_length=200),
                                   "amount_vnd": _int(red, "amount_vnd", where, errors, default=0, maximum=10**12)})
    exempt = fee.get("online_exempt", False)
    if not isinstance(exempt, bool):
        errors.add(where, "online_exempt", "phải là true hoặc false.")
    rule["online_exempt"] = exempt is True
    return rule


def _normalise_procedure(raw: Any, where: str, errors: _Collector) -> dict:
    """The canonical dict of one procedure: every key present, defaults filled, order kept."""
    if not isinstance(raw, dict):
        errors.add(where, "procedures[]", "phải là một đối tượng JSON.")
        return {}
    code = _text(raw, "code", where, errors, max_length=50)
    if code:
        try:
            procedure_code_validator(code)
        except ValidationError:
            errors.add(where, "code", f"'{code}' không đúng dạng mã thủ tục.")
    where = f"Thủ tục {code or '?'} ({where.removeprefix('Thủ tục ')})"
    out: dict[str, Any] = {"code": code}
    out["name"] = _text(raw, "name", where, errors, max_length=500)
    out["sector"] = _text(raw, "sector", where, errors, max_length=30)
    out["agency"] = _text(raw, "agency", where, errors, max_length=13)
    out["receiving_agency"] = _text(raw, "receiving_agency", where, errors, required=False) or out["agency"]
    out["level"] = _int(raw, "level", where, errors, default=2, minimum=1, maximum=4)
    subjects = _list(raw, "subjects", where, errors, required=False) or ["citizen"]
    bad = [s for s in subjects if s not in SUBJECTS]
    if bad:
        errors.add(where, "subjects", f"có giá trị không hợp lệ: {bad} (nhận: citizen, business).")
    out["subjects"] = sorted({s for s in subjects if s in SUBJECTS})
    legal = _list(raw, "legal_basis", where, errors, required=False)
    if any(not isinstance(item, str) for item in legal):
        errors.add(where, "legal_basis", "phải là danh sách chuỗi ký tự.")
    out["legal_basis"] = [item.strip() for item in legal if isinstance(item, str) and item.strip()]
    out["requirements"] = _text(raw, "requirements", where, errors, required=False)
    out["result"] = _text(raw, "result", where, errors, required=False)
    out["how_to_submit"] = _text(raw, "how_to_submit", where, errors, required=False)
    out["public_service_code"] = _text(raw, "public_service_code", where, errors, required=False, max_length=50)

    out["cases"] = []
    cases = _list(raw, "cases", where, errors)
    if not cases and "cases" in raw:
        errors.add(where, "cases", "phải có ít nhất một trường hợp giải quyết.")
    for i, case in enumerate(cases, 1):
        cw = f"{where}, trường hợp {i}"
        if not isinstance(case, dict):
            errors.add(cw, "cases[]", "phải là một đối tượng JSON.")
            continue
        c: dict[str, Any] = {"name": _text(case, "name", cw, errors, max_length=500)}
        time = case.get("time")
        if not isinstance(time, dict):
            errors.add(cw, "time", "bị thiếu (cần amount và unit).")
            time = {}
        unit = _choice(time, "unit", cw, errors, {u.value for u in TimeUnit}, TimeUnit.WORKING_DAYS)
        try:
            amount = Decimal(str(time.get("amount")))
            if not amount.is_finite() or amount < 0 or amount > 99999:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.add(cw, "time.amount", f"phải là số không âm (đang là {time.get('amount')!r}).")
            amount = Decimal(0)
        c["time"] = {"amount": _plain_number(amount), "unit": unit}
        cutoff = case.get("cutoff")
        if cutoff not in (None, ""):
            try:
                dt.time.fromisoformat(str(cutoff))
            except ValueError:
                errors.add(cw, "cutoff", f"phải có dạng GG:PP, ví dụ 15:00 (đang là {cutoff!r}).")
                cutoff = None
        c["cutoff"] = cutoff or None
        c["steps"] = []
        for j, step in enumerate(_list(case, "steps", cw, errors, required=False), 1):
            sw = f"{cw}, bước {j}"
            if not isinstance(step, dict):
                errors.add(sw, "steps[]", "phải là một đối tượng JSON.")
                continue
            quota = step.get("quota_hours")
            if isinstance(quota, bool) or not isinstance(quota, int | float) or quota < 0:
                errors.add(sw, "quota_hours", f"phải là số giờ không âm (đang là {quota!r}).")
                quota = 0
            c["steps"].append({
                "name": _text(step, "name", sw, errors, max_length=255),
                "role": _choice(step, "role", sw, errors, {r.value for r in Role}, Role.OFFICER),
                "quota_hours": quota,
                "agency": _text(step, "agency", sw, errors, required=False) or None,
            } | ({"approval": True} if _approval(step, sw, errors) else {}))  # absent when false: digests unchanged
        out["cases"].append(c)

    out["components"] = []
    for i, comp in enumerate(_list(raw, "components", where, errors, required=False), 1):
        cw = f"{where}, thành phần {i}"
        if not isinstance(comp, dict):
            errors.add(cw, "components[]", "phải là một đối tượng JSON.")
            continue
        required = comp.get("required", True)
        if not isinstance(required, bool):
            errors.add(cw, "required", "phải là true hoặc false.")
            required = True
        out["components"].append({
            "name": _text(comp, "name", cw, errors, max_length=1000),
            "paper": _choice(comp, "paper", cw, errors, {p.value for p in PaperKind}, PaperKind.ORIGINAL),
            "copies": _int(comp, "copies", cw, errors, default=1, minimum=1, maximum=99),
            "required": required,
            "form": _text(comp, "form", cw, errors, required=False, max_length=255) or None,
            "help": _text(comp, "help", cw, errors, required=False),
            "accepted_types": _text(comp, "accepted_types", cw, errors, required=False, max_length=100)
            or "pdf,jpg,png,tif",
        })
        form_name = out["components"][-1]["form"]
        if form_name and ("/" in form_name or "\\" in form_name or form_name.startswith(".")):
            errors.add(cw, "form", f"'{form_name}' phải là tên tệp, không chứa đường dẫn.")

    out["fees"] = []
    for i, fee in enumerate(_list(raw, "fees", where, errors, required=False), 1):
        fw = f"{where}, phí {i}"
        if not isinstance(fee, dict):
            errors.add(fw, "fees[]", "phải là một đối tượng JSON.")
            continue
        before = len(errors.problems)
        out["fees"].append({
            "name": _text(fee, "name", fw, errors, max_length=500),
            "amount_vnd": _int(fee, "amount_vnd", fw, errors, default=0, minimum=0, maximum=10**12),
            "note": _text(fee, "note", fw, errors, required=False),
            "collected": _choice(fee, "collected", fw, errors, {w.value for w in Fee.When}, Fee.When.AT_RECEPTION),
        } | _fee_rule(fee, fw, errors))
        if len(errors.problems) == before:  # the rule as a whole, once its parts are well-formed
            errors.problems += [f"{fw}: {p}" for p in fees.problems(fees.Rule.of(SimpleNamespace(**out["fees"][-1])))]

    out["guides"] = []
    for i, guide in enumerate(_list(raw, "guides", where, errors, required=False), 1):
        gw = f"{where}, hướng dẫn {i}"
        if not isinstance(guide, dict):
            errors.add(gw, "guides[]", "phải là một đối tượng JSON.")
            continue
        out["guides"].append({
            "title": _text(guide, "title", gw, errors, max_length=255),
            "body": _text(guide, "body", gw, errors, required=False),
            "video_url": _text(guide, "video_url", gw, errors, required=False, max_length=200),
        })
    eform = raw.get("eform")
    if eform is not None:
        from motcua.eforms.services import eform_problems  # the e-form schema's own rules

        for problem in eform_problems(eform, [c["name"] for c in out["components"]]):
            errors.add(where, "eform", problem)
    out["eform"] = eform
    out["faqs"] = []
    for i, faq in enumerate(_list(raw, "faqs", where, errors, required=False), 1):
        qw = f"{where}, câu hỏi {i}"
        if not isinstance(faq, dict):
            errors.add(qw, "faqs[]", "phải là một đối tượng JSON.")
            continue
        out["faqs"].append({
            "question": _text(faq, "question", qw, errors, max_length=500),
            "answer": _text(faq, "answer", qw, errors),
        })
    return out


def _exported_rule(f: Fee) -> dict:
    """A fee's rule keys, only those not at their default (files without them round-trip unchanged)."""
    out: dict = {}
    if f.basis != Fee.Basis.DOSSIER:
        out["basis"] = f.basis
    if f.tiers:
        out["tiers"] = f.tiers
    if f.cap_vnd is not None:
        out["cap_vnd"] = f.cap_vnd
    if f.reductions:
        out["reductions"] = f.reductions
    if f.online_exempt:
        out["online_exempt"] = True
    return out


def _plain_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def content_hash(procedure: dict) -> str:
    return hashlib.sha256(
        json.dumps(procedure, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def validate(data: Any) -> tuple[list[dict], list[dict], list[dict]]:
    """Check the whole file; return (agencies, sectors, procedures) or raise CatalogError."""
    errors = _Collector()
    if not isinstance(data, dict):
        raise CatalogError(["Tệp phải là một đối tượng JSON có agencies, sectors và procedures."])

    agencies: list[dict] = []
    seen_units: set[str] = set()
    for i, raw in enumerate(_list(data, "agencies", "Tệp", errors, required=False), 1):
        where = f"Cơ quan thứ {i}"
        if not isinstance(raw, dict):
            errors.add(where, "agencies[]", "phải là một đối tượng JSON.")
            continue
        unit = _text(raw, "unit_code", where, errors, max_length=13)
        where = f"Cơ quan {unit or '?'} (thứ {i})"
        if unit:
            try:
                unit_code_validator(unit)
            except ValidationError:
                errors.add(where, "unit_code", f"'{unit}' không đúng dạng mã định danh QCVN 102:2016.")
            if unit in seen_units:
                errors.add(where, "unit_code", "bị trùng trong tệp.")
            seen_units.add(unit)
        agencies.append({
            "unit_code": unit,
            "name": _text(raw, "name", where, errors, max_length=255),
            "kind": _choice(raw, "kind", where, errors, AGENCY_KINDS, Agency.Kind.DEPARTMENT),
            "parent": _text(raw, "parent", where, errors, required=False) or None,
            "address": _text(raw, "address", where, errors, required=False, max_length=500),
        })

    known_units = seen_units | set(Agency.objects.values_list("unit_code", flat=True))
    for agency in agencies:
        if agency["parent"] and agency["parent"] not in known_units:
            errors.add(f"Cơ quan {agency['unit_code']}", "parent", f"'{agency['parent']}' không có trong danh mục.")
        if agency["parent"] and agency["parent"] == agency["unit_code"]:
            errors.add(f"Cơ quan {agency['unit_code']}", "parent", "không được là chính nó.")

    sectors: list[dict] = []
    seen_sectors: set[str] = set()
    for i, raw in enumerate(_list(data, "sectors", "Tệp", errors, required=False), 1):
        where = f"Lĩnh vực thứ {i}"
        if not isinstance(raw, dict):
            errors.add(where, "sectors[]", "phải là một đối tượng JSON.")
            continue
        code = _text(raw, "code", where, errors, max_length=30)
        if code in seen_sectors:
            errors.add(where, "code", f"'{code}' bị trùng trong tệp.")
        seen_sectors.add(code)
        sectors.append({"code": code, "name": _text(raw, "name", f"Lĩnh vực {code}", errors, max_length=255)})
    known_sectors = seen_sectors | set(Sector.objects.values_list("code", flat=True))

    procedures: list[dict] = []
    seen_codes: set[str] = set()
    for i, raw in enumerate(_list(data, "procedures", "Tệp", errors, required=False), 1):
        proc = _normalise_procedure(raw, f"Thủ tục thứ {i} trong tệp", errors)
        if not proc:
            continue
        where = f"Thủ tục {proc['code']} (thứ {i} trong tệp)"
        if proc["code"] in seen_codes:
            errors.add(where, "code", "bị trùng trong tệp.")
        seen_codes.add(proc["code"])
        if proc["sector"] and proc["sector"] not in known_sectors:
            errors.add(where, "sector", f"'{proc['sector']}' không có trong danh mục lĩnh vực.")
        for key in ("agency", "receiving_agency"):
            if proc[key] and proc[key] not in known_units:
                errors.add(where, key, f"'{proc[key]}' không có trong danh mục cơ quan.")
        for case in proc["cases"]:
            for step in case["steps"]:
                if step["agency"] and step["agency"] not in known_units:
                    errors.add(where, "steps.agency", f"'{step['agency']}' không có trong danh mục cơ quan.")
        procedures.append(proc)

    if errors.problems:
        raise CatalogError(errors.problems)
    return agencies, sectors, procedures


def search_data(data: dict) -> tuple[list[tuple[str, str]] | None, dict[str, list[str]]]:
    """The file's search data (docs/catalog-format.md): the top-level `synonyms` (None when the
    file has none: the table is left as it is) and each procedure's `colloquial_names` (only for
    the procedures that have the key: the others keep theirs). CatalogError on a problem."""
    problems: list[str] = []
    synonyms = None
    if "synonyms" in data:
        raw = data["synonyms"]
        if isinstance(raw, list):
            synonyms = search_actions.clean_synonyms(raw, problems)
            new = {normalize.key(p) for p, _m in synonyms} - set(Synonym.objects.values_list("key", flat=True))
            if Synonym.objects.count() + len(new) > search_actions.MAX_SYNONYMS:
                problems.append(f"Tệp: bảng từ đồng nghĩa có tối đa {search_actions.MAX_SYNONYMS} dòng; tệp thêm "
                                f"{len(new)} dòng mới vào {Synonym.objects.count()} dòng đang có.")
        else:
            problems.append("Tệp: trường 'synonyms' phải là một danh sách.")
    names: dict[str, list[str]] = {}
    procedures = data.get("procedures")
    for i, raw in enumerate(procedures if isinstance(procedures, list) else [], 1):
        if not isinstance(raw, dict) or "colloquial_names" not in raw:
            continue
        where = f"Thủ tục {str(raw.get('code', '?'))[:50]} (thứ {i} trong tệp)"
        if not isinstance(raw["colloquial_names"], list):
            problems.append(f"{where}: trường 'colloquial_names' phải là một danh sách.")
            continue
        names[str(raw.get("code", ""))[:50]] = search_actions.clean_names(raw["colloquial_names"], where, problems)
    problems += _colloquial_clashes(names)
    if problems:
        raise CatalogError(problems)
    return synonyms, names


def _colloquial_clashes(names: dict[str, list[str]]) -> list[str]:
    """A colloquial name is one procedure's (as on the admin page): the file may not give one name
    to two procedures, nor a name another procedure keeps after the import."""
    after: dict[str, set[str]] = {}  # key -> the codes that will have it
    for code, key in ColloquialName.objects.values_list("procedure_code", "key"):
        if code not in names:
            after.setdefault(key, set()).add(code)
    for code, listed in names.items():
        for name in listed:
            after.setdefault(normalize.key(name)[:200], set()).add(code)
    problems = []
    for code, listed in names.items():
        for name in listed:
            others = sorted(after.get(normalize.key(name)[:200], set()) - {code})
            if others:
                problems.append(f"Thủ tục {code}: tên thường gọi «{name[:100]}» đã là tên thường gọi của thủ tục "
                                f"{', '.join(others[:3])}.")
    return problems


def add_search_data(document: dict, *, synonyms: bool = True) -> dict:
    """The export's search data: each procedure's `colloquial_names` (when it has some) and, for the
    whole catalogue, the province's `synonyms`."""
    codes = [p["code"] for p in document.get("procedures", [])]
    names: dict[str, list[str]] = {}
    for code, name in ColloquialName.objects.filter(procedure_code__in=codes).values_list("procedure_code", "name"):
        names.setdefault(code, []).append(name)
    for procedure in document.get("procedures", []):
        if procedure["code"] in names:
            procedure["colloquial_names"] = names[procedure["code"]]
    if synonyms:
        rows = Synonym.objects.values_list("phrase", "meaning")
        document["synonyms"] = [{"phrase": p, "meaning": m} for p, m in rows]
    return document


# --- Writing -------------------------------------------------------------------------------


def import_catalog(data: Any, *, actor=None) -> ImportReport:
    """Validate the whole file, then write it in one transaction; a procedure that the publication
    check refuses (e.g. a workflow longer than its legal time) refuses the whole file, with the
    same messages as the admin's check page, and nothing is written."""
    agencies, sectors, procedures = validate(data)
    synonyms, names = search_data(data)
    report = ImportReport()
    refused: list[str] = []
    file_units = {spec["unit_code"] for spec in agencies}
    sector_codes = {spec["code"] for spec in sectors}
    with transaction.atomic():
        agencies_before = {a.unit_code: changelog.snapshot(a) for a in Agency.objects.filter(unit_code__in=file_units)}
        sectors_before = {s.code: changelog.snapshot(s) for s in Sector.objects.filter(code__in=sector_codes)}
        _write_agencies(agencies, report)
        for spec in sectors:
            sector, created = Sector.objects.get_or_create(code=spec["code"], defaults={"name": spec["name"]})
            if created:
                report.sectors_created += 1
            elif sector.name != spec["name"]:
                sector.name = spec["name"]
                sector.save(update_fields=["name"])
                report.sectors_updated += 1
        if report.sectors_created or report.sectors_updated:
            bump_catalog_version()  # the search index keeps sector codes
        units = {a.unit_code: a for a in Agency.objects.all()}
        sector_map = {s.code: s for s in Sector.objects.all()}
        for i, spec in enumerate(procedures, 1):
            try:
                with transaction.atomic():
                    _write_procedure(spec, units, sector_map, report, actor)
            except actions.DraftRefused as exc:
                refused += [f"Thủ tục {spec['code']} (thứ {i} trong tệp): {problem}" for problem in exc.problems]
            except (actions.ReviewRequired, actions.DraftPending) as exc:  # four eyes; a draft in the way
                refused.append(f"Thủ tục {spec['code']} (thứ {i} trong tệp): {exc}")
        if refused:
            raise CatalogError(refused)
        report.search_rows = search_actions.import_search_data(synonyms, names, actor=actor)
        if actor is not None:
            _log_places(actor, file_units, agencies_before, sector_codes, sectors_before)
    return report


def _log_places(actor, file_units, agencies_before: dict, sector_codes, sectors_before: dict) -> None:
    """One change-log row per agency and sector someone's import changed (each procedure version's
    row is written by the catalogue action that publishes it). The system's own import (command,
    demo) is the initial load and has none, as in `actions.import_procedure`."""
    note = _("Nhập danh mục từ tệp")
    for agency in Agency.objects.filter(unit_code__in=file_units):
        before, after = agencies_before.get(agency.unit_code), changelog.snapshot(agency)
        if before != after:
            changelog.record(actor, agency, ChangeAction.IMPORT, before=before, after=after, agency=agency, note=note)
    for sector in Sector.objects.filter(code__in=sector_codes):
        before, after = sectors_before.get(sector.code), changelog.snapshot(sector)
        if before != after:
            changelog.record(actor, sector, ChangeAction.IMPORT, before=before, after=after, note=note)


def _write_agencies(agencies: list[dict], report: ImportReport) -> None:
    existing = {a.unit_code: a for a in Agency.objects.all()}
    # Create or update without parents first, then link parents (the file may list children first).
    for spec in agencies:
        agency = existing.get(spec["unit_code"])
        if agency is None:
            agency = Agency.objects.create(
                unit_code=spec["unit_code"], name=spec["name"], kind=spec["kind"], address=spec["address"]
            )
            existing[agency.unit_code] = agency
            report.agencies_created += 1
        elif (agency.name, agency.kind, agency.address) != (spec["name"], spec["kind"], spec["address"]):
            agency.name, agency.kind, agency.address = spec["name"], spec["kind"], spec["address"]
            agency.save(update_fields=["name", "kind", "address"])
            report.agencies_updated += 1
    for spec in agencies:
        agency = existing[spec["unit_code"]]
        parent = existing.get(spec["parent"]) if spec["parent"] else None
        if agency.parent_id != (parent.pk if parent else None):
            agency.parent = parent
            agency.save(update_fields=["parent"])
    # A parent cycle (A -> B -> A) would break the agency tree; refuse the whole file.
    parents = dict(Agency.objects.values_list("pk", "parent_id"))
    for agency in existing.values():
        seen, node = set(), agency.pk
        while node is not None:
            if node in seen:
                raise CatalogError([f"Cơ quan {agency.unit_code}: trường 'parent' tạo thành vòng lặp."])
            seen.add(node)
            node = parents.get(node)


def _published_digest(version: ProcedureVersion) -> str:
    """The fingerprint of what is published now, in the file's terms (it may have been edited
    by the agency's admins, or exported from here): equal content is not a new version."""
    return content_hash(_normalise_procedure(version_to_dict(version), "", _Collector()))


def _write_procedure(spec: dict, units: dict, sectors: dict, report: ImportReport, actor) -> None:
    digest = content_hash(spec)
    procedure = Procedure.objects.filter(code=spec["code"]).select_related("published").first()
    current = procedure.published if procedure is not None else None
    if current is not None and (current.source_hash == digest or _published_digest(current) == digest):
        report.procedures_unchanged.append(spec["code"])
        return
    # The catalogue's action writes the version and publishes it through the same check as the
    # admin's «Kiểm tra và công bố» (actions.DraftRefused when it fails).
    version = actions.import_procedure(spec, digest=digest, units=units, sectors=sectors, actor=actor,
                                       note="Nhập từ danh mục" if current is None else "Cập nhật từ danh mục")
    (report.procedures_created if current is None else report.procedures_versioned).append(spec["code"])
    # The national catalogue states the level; what it needs here is reported, not refused
    # (`publish_draft(levels=False)`), so that the admin can add it.
    for gap in validation.level_gaps(version, version.level):
        report.warnings.append(_("Thủ tục %(code)s: %(obj)s chưa đủ điều kiện: %(message)s")
                               % {"code": spec["code"], "obj": gap.obj.lower(), "message": gap.message})


# --- Export --------------------------------------------------------------------------------


def export_catalog() -> dict:
    """The published catalogue in the import format; importing it back changes nothing."""
    agencies = [
        {
            "unit_code": a.unit_code,
            "name": a.name,
            "kind": a.kind,
            "parent": a.parent.unit_code if a.parent_id else None,
            "address": a.address,
        }
        for a in Agency.objects.select_related("parent").order_by("unit_code")
    ]
    sectors = [{"code": s.code, "name": s.name} for s in Sector.objects.order_by("code")]
    versions = (
        ProcedureVersion.objects.filter(state=ProcedureVersion.State.PUBLISHED)
        .select_related("procedure", "sector", "agency", "receiving_agency")
        .prefetch_related("cases__steps__agency", "components__form", "fees", "guides", "faqs")
        .order_by("procedure__code")
    )
    return add_search_data({
        "format": FORMAT_VERSION,
        "agencies": agencies,
        "sectors": sectors,
        "procedures": [version_to_dict(v) for v in versions],
    })


def version_to_dict(v: ProcedureVersion) -> dict:
    subjects = [s for s, on in (("citizen", v.for_citizens), ("business", v.for_businesses)) if on]
    out: dict[str, Any] = {
        "code": v.procedure.code,
        "name": v.name,
        "sector": v.sector.code,
        "agency": v.agency.unit_code,
        "receiving_agency": v.receiving_agency.unit_code,
        "level": int(v.level),
        "subjects": subjects,
        "legal_basis": v.legal_basis_list,
        "requirements": v.requirements,
        "result": v.result,
        "cases": [
            {
                "name": c.name,
                "time": {"amount": _plain_number(c.time_amount), "unit": c.time_unit},
                "cutoff": c.cutoff_time.strftime("%H:%M") if c.cutoff_time else None,
                "steps": [
                    {"name": s.name, "role": s.role, "quota_hours": _plain_number(s.quota_hours)}
                    | ({"agency": s.agency.unit_code} if s.agency_id else {})
                    | ({"approval": True} if s.approval else {})
                    for s in c.steps.all()
                ],
            }
            for c in v.cases.all()
        ],
        "components": [
            {"name": c.name, "paper": c.paper, "copies": c.copies, "required": c.required,
             "form": c.form.filename if c.form_id else None}
            | ({"help": c.help_text} if c.help_text else {})
            | ({"accepted_types": c.accepted_types} if c.accepted_types != "pdf,jpg,png,tif" else {})
            for c in v.components.all()
        ],
        "fees": [
            {"name": f.name, "amount_vnd": f.amount_vnd, "note": f.note}
            | ({"collected": f.collected} if f.collected != Fee.When.AT_RECEPTION else {})
            | _exported_rule(f)
            for f in v.fees.all()
        ],
    }
    if v.how_to_submit:
        out["how_to_submit"] = v.how_to_submit
    if v.public_service_code:
        out["public_service_code"] = v.public_service_code
    if guides := list(v.guides.all()):
        out["guides"] = [{"title": g.title, "body": g.body, "video_url": g.video_url} for g in guides]
    if faqs := list(v.faqs.all()):
        out["faqs"] = [{"question": q.question, "answer": q.answer} for q in faqs]
    from motcua.eforms.services import eform_to_dict

    if (eform := eform_to_dict(v)) is not None:
        out["eform"] = eform
    return out
