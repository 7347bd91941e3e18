"""The list of provinces and communes behind the e-form's address field.

Since 1 July 2025 local government has two levels: 34 provinces and centrally-run cities, and
their communes and wards (xã, phường, đặc khu). The list shipped in ``data/addresses.json`` has
all 34 provinces and the communes of the sample province (Cà Mau). A province without a commune
list takes the commune as typed text, so citizens of other provinces can still answer.

The national list is loaded from the file named by the ``MOTCUA_ADDRESS_FILE`` setting, in
either of two formats:

* ours: ``{"provinces": [{"code": "96", "name": "Tỉnh Cà Mau", "communes": [{"code": "32025",
  "name": "Phường Tân Thành"}, ...]}, ...]}``;
* the ``nested-divisions.json`` of the ``vietnam-provinces`` package (a list of provinces, each
  with ``code``, ``name`` and ``wards``), so that file can be used as it is.

Pure Python (no ORM): the schema validator and the data cleaner take an ``AddressBook``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from motcua.core.text import fold

SHIPPED_FILE = Path(__file__).resolve().parent / "data" / "addresses.json"
_UNIT_PREFIXES = ("thanh pho ", "tinh ", "phuong ", "xa ", "dac khu ", "thi tran ")


@dataclass(frozen=True)
class Commune:
    code: str
    name: str


@dataclass
class Province:
    code: str
    name: str
    # None: no list for this province (the commune is typed); else the communes by code.
    communes: dict[str, Commune] | None = None

    def commune_list(self) -> list[Commune]:
        return sorted((self.communes or {}).values(), key=lambda c: (fold(c.name), c.name))


@dataclass
class AddressBook:
    provinces: dict[str, Province] = field(default_factory=dict)
    source: str = ""

    def province_list(self) -> list[Province]:
        return sorted(self.provinces.values(), key=lambda p: (_bare(p.name), p.name))

    def province(self, code: Any) -> Province | None:
        return self.provinces.get(str(code)) if code not in (None, "") else None

    def as_json(self) -> dict:
        """What the address picker's script needs: province code -> communes [(code, name)]."""
        return {
            p.code: [[c.code, c.name] for c in p.commune_list()] if p.communes is not None else None
            for p in self.province_list()
        }

    def find_in_text(self, text: str) -> tuple[Province | None, Commune | None, str]:
        """Best effort for prefill: the province and commune named in a free-text address, and
        what is left ("Phường Tân Thành, tỉnh Cà Mau" -> Cà Mau, Tân Thành, "")."""
        parts = [p.strip() for p in (text or "").split(",") if p.strip()]
        province = commune = None
        rest = list(parts)
        for part in reversed(parts):
            if province is None:
                wanted = _bare(part)
                province = next((p for p in self.provinces.values() if _bare(p.name) == wanted), None)
                if province is not None:
                    rest.remove(part)
                    continue
            if province is not None and province.communes:
                wanted = _bare(part)
                commune = next((c for c in province.communes.values() if _bare(c.name) == wanted), None)
                if commune is not None:
                    rest.remove(part)
                    break
        return province, commune, ", ".join(rest)


def _bare(name: str) -> str:
    """"Thành phố Hồ Chí Minh" -> "ho chi minh": the folded name without its unit word."""
    folded = fold(name)
    for prefix in _UNIT_PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix):]
    return folded


def _province_name(raw: dict) -> str:
    name = str(raw.get("name", "")).strip()
    if _bare(name) == fold(name):  # the package's "Cà Mau": give it its unit word
        kind = fold(str(raw.get("division_type", "")))
        name = ("Thành phố " if kind.startswith("thanh pho") else "Tỉnh ") + name
    return name


def parse(data: Any, source: str = "") -> AddressBook:
    """An AddressBook from either file format (see the module's doc); ValueError when neither."""
    items = data.get("provinces") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ValueError("address file: expected a list of provinces")
    book = AddressBook(source=source)
    for raw in items:
        if not isinstance(raw, dict) or "code" not in raw or "name" not in raw:
            raise ValueError("address file: each province needs a code and a name")
        code = str(raw["code"]).strip()
        if isinstance(raw["code"], int):
            code = f"{raw['code']:02d}"
        communes_raw = raw.get("communes", raw.get("wards"))
        communes = None
        if isinstance(communes_raw, list):
            communes = {}
            for c in communes_raw:
                c_code = f"{c['code']:05d}" if isinstance(c["code"], int) else str(c["code"]).strip()
                communes[c_code] = Commune(c_code, str(c["name"]).strip())
        book.provinces[code] = Province(code, _province_name(raw), communes)
    return book


def _configured_file() -> str:
    from django.conf import settings

    return settings.MOTCUA_ADDRESS_FILE if settings.configured else ""


@cache
def _load(path: str) -> AddressBook:
    return parse(json.loads(Path(path).read_text(encoding="utf-8")), source=path)


def address_book() -> AddressBook:
    """The configured list (the national one when MOTCUA_ADDRESS_FILE is set), else the shipped one."""
    return _load(_configured_file() or str(SHIPPED_FILE))


def shipped_book() -> AddressBook:
    return _load(str(SHIPPED_FILE))
