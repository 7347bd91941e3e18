"""The catalogue's action layer for what search reads besides the versions: the province-wide
synonym table and the procedures' colloquial names (issue #18).

As in `actions`: validate, lock, write, append the change-log row (`audit.changelog.record`) and
bump the catalogue's version, all in one transaction; a refusal is `actions.InvalidChange` with
the Vietnamese message and the field. Admin pages and the catalogue import go through here.
(Kept apart from `actions.py`, which is about procedure versions.)
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from motcua.audit import changelog
from motcua.audit.models import ChangeAction

from . import normalize
from .actions import InvalidChange
from .catalog_version import bump_catalog_version
from .models import ColloquialName, Procedure, ProcedureVersion, Synonym
from .search_index import strip_name

MAX_PHRASE_CHARS = 100
MAX_MEANING_CHARS = 200
MAX_NAME_CHARS = 200
MAX_NAMES_PER_PROCEDURE = 30
MAX_SYNONYMS = 5000


def _text(value, limit: int) -> str:
    text = " ".join(str(value or "").split())
    return "".join(ch for ch in text if ch.isprintable())[: limit + 1]


def _clean_synonym(phrase, meaning) -> tuple[str, str, str]:
    phrase = _text(phrase, MAX_PHRASE_CHARS)
    meaning = _text(meaning, MAX_MEANING_CHARS)
    if not phrase:
        raise InvalidChange(_("Cần nhập cách người dân gõ."), field="phrase")
    if len(phrase) > MAX_PHRASE_CHARS:
        raise InvalidChange(_("Cách gõ dài tối đa %(n)s ký tự.") % {"n": MAX_PHRASE_CHARS}, field="phrase")
    if len(meaning) > MAX_MEANING_CHARS:
        raise InvalidChange(_("Nghĩa dài tối đa %(n)s ký tự.") % {"n": MAX_MEANING_CHARS}, field="meaning")
    key = normalize.key(phrase)[:200]
    if not key:
        raise InvalidChange(_("Cách gõ cần có chữ hoặc số."), field="phrase")
    if len(key.split()) > normalize.MAX_SYNONYM_WORDS:
        raise InvalidChange(_("Cách gõ dài tối đa %(n)s tiếng.") % {"n": normalize.MAX_SYNONYM_WORDS}, field="phrase")
    if key == normalize.key(meaning):
        raise InvalidChange(_("Nghĩa phải khác cách gõ."), field="meaning")
    if normalize.is_syllable(key):
        # One syllable, folded, is several words ("mất", "mật", "mặt"): replacing it would change
        # every query that has it. Abbreviations (cccd) and loanwords (cavet) are not syllables.
        raise InvalidChange(_("Cách gõ chỉ một tiếng sẽ đổi nghĩa mọi câu tìm có tiếng đó; hãy nhập cụm từ hai "
                              "tiếng trở lên (ví dụ «bị mất») hoặc một chữ viết tắt."), field="phrase")
    return phrase, meaning, key


@transaction.atomic
def save_synonym(*, actor, phrase, meaning, pk: int | None = None, at: dt.datetime | None = None) -> Synonym:
    """Add a synonym (pk None) or change one. An empty meaning makes the phrase a word to leave out."""
    phrase, meaning, key = _clean_synonym(phrase, meaning)
    if pk is None:
        if Synonym.objects.count() >= MAX_SYNONYMS:
            raise InvalidChange(_("Bảng từ đồng nghĩa đã đủ %(n)s dòng.") % {"n": MAX_SYNONYMS}, field="phrase")
        row, before, action = Synonym(), None, ChangeAction.CREATE
    else:
        row = Synonym.objects.select_for_update().filter(pk=pk).first()
        if row is None:
            raise InvalidChange(_("Dòng này không còn nữa (có thể đã bị xóa)."))
        before, action = changelog.snapshot(row), ChangeAction.UPDATE
    if Synonym.objects.filter(key=key).exclude(pk=row.pk).exists():
        raise InvalidChange(_("«%(phrase)s» đã có trong bảng.") % {"phrase": phrase}, field="phrase")
    row.phrase, row.meaning, row.key = phrase, meaning, key
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # the same phrase added meanwhile
        raise InvalidChange(_("«%(phrase)s» đã có trong bảng.") % {"phrase": phrase}, field="phrase") from None
    changelog.record(actor, row, action, before=before, note=_("Từ đồng nghĩa khi tìm thủ tục"), at=at)
    bump_catalog_version()
    return row


@transaction.atomic
def delete_synonym(pk: int, *, actor, at: dt.datetime | None = None) -> None:
    row = Synonym.objects.select_for_update().filter(pk=pk).first()
    if row is None:
        return
    before = changelog.snapshot(row)
    row.delete()
    row.pk = pk
    changelog.record(actor, row, ChangeAction.DELETE, before=before, note=_("Từ đồng nghĩa khi tìm thủ tục"), at=at)
    bump_catalog_version()


def _agency_of(code: str):
    version = (ProcedureVersion.objects.filter(procedure__code=code).select_related("agency")
               .order_by("-number").first())
    return version.agency if version is not None else None


def _clean_name(name) -> tuple[str, str]:
    name = _text(name, MAX_NAME_CHARS)
    if not name:
        raise InvalidChange(_("Cần nhập tên thường gọi."), field="name")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidChange(_("Tên thường gọi dài tối đa %(n)s ký tự.") % {"n": MAX_NAME_CHARS}, field="name")
    key = normalize.key(name)[:200]
    if not key:
        raise InvalidChange(_("Tên thường gọi cần có chữ hoặc số."), field="name")
    return name, key


@transaction.atomic
def add_colloquial_name(procedure: Procedure, *, actor, name, at: dt.datetime | None = None) -> ColloquialName:
    """A name people use for the procedure (tên thường gọi)."""
    name, key = _clean_name(name)
    Procedure.objects.select_for_update().get(pk=procedure.pk)  # one admin's list at a time
    names = ColloquialName.objects.filter(procedure_code=procedure.code)
    if names.filter(key=key).exists():
        raise InvalidChange(_("«%(name)s» đã có trong danh sách.") % {"name": name}, field="name")
    if names.count() >= MAX_NAMES_PER_PROCEDURE:
        raise InvalidChange(_("Mỗi thủ tục có tối đa %(n)s tên thường gọi.") % {"n": MAX_NAMES_PER_PROCEDURE},
                            field="name")
    other = _named_elsewhere(key, procedure.code)
    if other:
        # A name is one procedure's: the same words on two would take one's searches to the other.
        raise InvalidChange(_("«%(name)s» đã là tên (hoặc tên thường gọi) của thủ tục %(code)s.")
                            % {"name": name, "code": other}, field="name")
    row = ColloquialName.objects.create(procedure_code=procedure.code, name=name, key=key)
    changelog.record(actor, row, ChangeAction.CREATE, agency=_agency_of(procedure.code),
                     note=_("Tên thường gọi của thủ tục %(code)s") % {"code": procedure.code}, at=at)
    bump_catalog_version()
    return row


def _named_elsewhere(key: str, code: str) -> str:
    """The code of another procedure whose published name or colloquial name is `key`, or ""."""
    from .search import index  # the published names, normalised (search imports nothing of this module)

    other = ColloquialName.objects.filter(key=key).exclude(procedure_code=code).values_list(
        "procedure_code", flat=True).first()
    if other:
        return other
    whole = " ".join(strip_name(key.split()))
    return next((d.code for d in index().docs.values() if d.code != code and whole in d.whole), "")


@transaction.atomic
def remove_colloquial_name(procedure: Procedure, pk: int, *, actor, at: dt.datetime | None = None) -> None:
    Procedure.objects.select_for_update().get(pk=procedure.pk)
    row = ColloquialName.objects.filter(pk=pk, procedure_code=procedure.code).first()
    if row is None:
        return
    before = changelog.snapshot(row)
    row.delete()
    row.pk = pk
    changelog.record(actor, row, ChangeAction.DELETE, before=before, agency=_agency_of(procedure.code),
                     note=_("Tên thường gọi của thủ tục %(code)s") % {"code": procedure.code}, at=at)
    bump_catalog_version()


# --- the catalogue import ---------------------------------------------------------------------------


def clean_names(raw: list, where: str, problems: list[str]) -> list[str]:
    """A file's colloquial names of one procedure, checked (problems appended, in Vietnamese)."""
    out: list[str] = []
    keys: set[str] = set()
    if len(raw) > MAX_NAMES_PER_PROCEDURE:
        problems.append(f"{where}: trường 'colloquial_names' có tối đa {MAX_NAMES_PER_PROCEDURE} tên.")
        return out
    for item in raw:
        try:
            name, key = _clean_name(item if isinstance(item, str) else "")
        except InvalidChange as exc:
            problems.append(f"{where}: trường 'colloquial_names': {exc.message}")
            continue
        if key not in keys:
            keys.add(key)
            out.append(name)
    return out


def clean_synonyms(raw: list, problems: list[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    keys: set[str] = set()
    if len(raw) > MAX_SYNONYMS:
        problems.append(f"Tệp: trường 'synonyms' có tối đa {MAX_SYNONYMS} dòng.")
        return out
    for i, item in enumerate(raw, 1):
        where = f"Từ đồng nghĩa thứ {i}"
        if not isinstance(item, dict):
            problems.append(f"{where}: phải là một đối tượng JSON có phrase và meaning.")
            continue
        try:
            phrase, meaning, key = _clean_synonym(item.get("phrase"), item.get("meaning"))
        except InvalidChange as exc:
            problems.append(f"{where}: {exc.message}")
            continue
        if key in keys:
            problems.append(f"{where}: «{phrase}» bị trùng trong tệp.")
            continue
        keys.add(key)
        out.append((phrase, meaning))
    return out


def import_search_data(synonyms: list[tuple[str, str]] | None, names: dict[str, list[str]], *, actor=None) -> int:
    """Write a catalogue file's synonyms (added or changed; the table's other rows stay) and the
    colloquial names of the procedures that list them (their list becomes the file's). Called in
    the import's transaction, after validation. Returns how many rows changed. Every change is in
    the change log (actor None: the system, as for a command-line import)."""
    changed = 0
    note = _("Nhập danh mục từ tệp")
    for phrase, meaning in synonyms or []:
        key = normalize.key(phrase)[:200]
        row = Synonym.objects.select_for_update().filter(key=key).first()
        if row is not None and (row.phrase, row.meaning) == (phrase, meaning):
            continue
        before = changelog.snapshot(row)
        if row is None:
            row = Synonym(key=key)
        row.phrase, row.meaning = phrase, meaning
        row.save()
        changed += 1
        changelog.record(actor, row, ChangeAction.IMPORT, before=before, note=note)
    for code, wanted in names.items():
        current = {n.key: n for n in ColloquialName.objects.filter(procedure_code=code)}
        keys = {normalize.key(n)[:200]: n for n in wanted}
        for key, row in current.items():
            if key not in keys:
                before = changelog.snapshot(row)
                pk = row.pk
                row.delete()
                row.pk = pk
                changed += 1
                changelog.record(actor, row, ChangeAction.DELETE, before=before, agency=_agency_of(code), note=note)
        for key, name in keys.items():
            if key not in current:
                row = ColloquialName.objects.create(procedure_code=code, name=name, key=key)
                changed += 1
                changelog.record(actor, row, ChangeAction.IMPORT, agency=_agency_of(code), note=note)
    if changed:
        bump_catalog_version()
    return changed
