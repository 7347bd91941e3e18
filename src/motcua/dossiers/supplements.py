"""The items of a supplement request (form 02): what to bring, and what is wrong or missing.

An item is either a component of the procedure (its paper kind and number of copies come from the
catalogue) or a free item the officer writes; each carries "nội dung cần bổ sung" (`reason`), so the
officer's remark stays with the item it is about. The event keeps them in `data["items"]`
(component = the component's id) beside `data["missing"]`, the plain text list every older reader
(notices, the national portal, reports) uses.

A request made the old way (`missing`: lines of text) has no `items`: `items_of` reads its lines as
items, matching a line that names one component (same words, accents and case aside) to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from motcua.catalog.models import PaperKind
from motcua.core.text import fold

from .errors import InvalidInput
from .lifecycle import MAX_MISSING_ITEMS, MAX_REASON_CHARS

MAX_TEXT_CHARS = 1000


@dataclass(frozen=True)
class Item:
    """One item of a request, as shown to people."""

    text: str
    reason: str = ""
    component_id: int | None = None
    paper: str = ""  # a PaperKind value; "" for a free item
    copies: int | None = None

    @property
    def paper_text(self) -> str:
        return str(PaperKind(self.paper).label) if self.paper in PaperKind.values else ""

    def as_data(self) -> dict[str, Any]:
        return {"component": self.component_id, "text": self.text, "reason": self.reason, "paper": self.paper,
                "copies": self.copies}


def _line(value: Any) -> str:
    return " ".join("".join(ch if ch.isprintable() else " " for ch in str(value or "")).split())


def _words(text: str) -> str:
    return " ".join(fold(text).split())


def match_component(text: str, components: Sequence) -> Any | None:
    """The component an item's text names: the same name (accents and case aside), else the only
    component whose name contains the text or is contained in it; None when unclear."""
    wanted = _words(text)
    if not wanted:
        return None
    names = [(c, _words(c.name)) for c in components]
    exact = [c for c, name in names if name == wanted]
    if len(exact) == 1:
        return exact[0]
    near = [c for c, name in names if name and (wanted in name or name in wanted)]
    return near[0] if len(near) == 1 else None


def _of_component(component, text: str = "", reason: str = "") -> Item:
    return Item(text=text or _line(component.name), reason=reason, component_id=component.pk,
                paper=component.paper, copies=component.copies)


def clean_items(raw: Iterable[Mapping[str, Any]], components: Sequence) -> list[Item]:
    """The items of a request as given (`{component?, text?, reason}`; component: a Component of the
    dossier's procedure version or its id), checked: InvalidInput names the field, `items[0].reason`."""
    by_pk = {c.pk: c for c in components}
    out: list[Item] = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, Mapping):
            raise InvalidInput(_("Mỗi mục cần bổ sung là một đối tượng {component, text, reason} (trường "
                                 "«items[%(i)d]»).") % {"i": i}, field=f"items[{i}]")
        reason = _line(entry.get("reason"))
        text = _line(entry.get("text"))
        ref = entry.get("component")
        component = None
        if ref not in (None, ""):
            pk = getattr(ref, "pk", ref)
            component = by_pk.get(pk) if isinstance(pk, int) and not isinstance(pk, bool) else None
            if component is None:
                raise InvalidInput(_("Mục %(n)d: thành phần hồ sơ không thuộc thủ tục này (trường "
                                     "«items[%(i)d].component»).") % {"n": i + 1, "i": i},
                                   field=f"items[{i}].component")
        elif not text:
            raise InvalidInput(_("Mục %(n)d: cần ghi tên giấy tờ, nội dung cần bổ sung (trường «items[%(i)d].text»), "
                                 "hoặc chọn một thành phần hồ sơ.") % {"n": i + 1, "i": i}, field=f"items[{i}].text")
        if len(text) > MAX_TEXT_CHARS:
            raise InvalidInput(_("Mục %(n)d: tên giấy tờ dài quá %(max)d ký tự (trường «items[%(i)d].text»).")
                               % {"n": i + 1, "max": MAX_TEXT_CHARS, "i": i}, field=f"items[{i}].text")
        if not reason:
            raise InvalidInput(_("Mục %(n)d: cần ghi nội dung cần bổ sung — giấy tờ sai, thiếu gì (trường "
                                 "«items[%(i)d].reason»).") % {"n": i + 1, "i": i}, field=f"items[{i}].reason")
        if len(reason) > MAX_REASON_CHARS:
            raise InvalidInput(_("Mục %(n)d: nội dung cần bổ sung dài quá %(max)d ký tự (trường "
                                 "«items[%(i)d].reason»).") % {"n": i + 1, "max": MAX_REASON_CHARS, "i": i},
                               field=f"items[{i}].reason")
        out.append(_of_component(component, text, reason) if component is not None else Item(text=text, reason=reason))
    if len(out) > MAX_MISSING_ITEMS:
        raise InvalidInput(_("Danh sách cần bổ sung quá dài (tối đa %(n)d mục).") % {"n": MAX_MISSING_ITEMS},
                           field="items")
    return out


def items_of(data: Mapping[str, Any] | None, components: Sequence) -> list[Item]:
    """The items of a `supplement_requested` event's data (either way it was made)."""
    data = data or {}
    by_pk = {c.pk: c for c in components}
    if isinstance(data.get("items"), list):
        out = []
        for entry in data["items"]:
            if not isinstance(entry, Mapping):
                continue
            copies = entry.get("copies")
            out.append(Item(text=_line(entry.get("text")), reason=_line(entry.get("reason")),
                            component_id=entry.get("component") if entry.get("component") in by_pk else None,
                            paper=str(entry.get("paper") or ""), copies=copies if isinstance(copies, int) else None))
        return out
    items = []
    for line in data.get("missing", []) or []:
        text = _line(line)
        if not text:
            continue
        component = match_component(text, components)
        items.append(_of_component(component, text) if component is not None else Item(text=text))
    return items
