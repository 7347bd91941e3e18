"""Supplying missing documents online (status 5): what was asked, one upload row per item,
each file checked before anything is stored, then the files and the resubmission.

The request's list is free text (form 02): usually the names of the procedure's components,
sometimes other lines the officer typed. An item whose text names one component (same words,
accents and case aside) is matched to it; for any other item the applicant picks which
document of the procedure the file is, since every stored file belongs to a component.

`check_upload` applies the rules of `dossiers.files.check_and_store` (type from the bytes, the
component's accepted types, MOTCUA_MAX_UPLOAD_BYTES) without storing, so that one bad file
refuses the whole submission with a message naming it and nothing is half-stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from motcua.core.text import fold
from motcua.dossiers.files import accepted_extensions, upload_problem
from motcua.dossiers.models import Dossier, EventKind

MAX_FILES_PER_ITEM = 10
MAX_NOTE_CHARS = 2000


@dataclass
class Row:
    """One missing item and the files chosen for it."""

    index: int
    text: str
    component: object | None  # matched from the text, or None (the applicant chooses)
    chosen_id: int | None = None
    files: list = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> str:
        """The component's accepted file types, for people: "PDF, JPG"."""
        types = accepted_extensions(getattr(self.component, "accepted_types", "") or "")
        return ", ".join(sorted(t.upper() for t in types))

    @property
    def file_field(self) -> str:
        return f"tep-{self.index}"

    @property
    def component_field(self) -> str:
        return f"giay-to-{self.index}"


@dataclass
class Request:
    """The supplement request the dossier is waiting on (the last one)."""

    at: dt.datetime
    reason: str
    items: list[str]
    agency: str
    phase: str  # "reception" (before receipt) or "processing" (the clock is stopped)


def current_request(dossier: Dossier) -> Request | None:
    event = (
        dossier.events.filter(kind=EventKind.SUPPLEMENT_REQUESTED)
        .select_related("from_agency", "to_agency").order_by("-version").first()
    )
    if event is None:
        return None
    data = event.data or {}
    agency = event.from_agency or event.to_agency
    return Request(
        at=event.at,
        reason=(event.note or "").strip(),
        items=[str(m).strip() for m in data.get("missing", []) if str(m).strip()],
        agency=agency.name if agency else "",
        phase=str(data.get("phase", "")),
    )


def _words(text: str) -> str:
    return " ".join(fold(text).split())


def match_component(text: str, components: list) -> object | None:
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


def rows_for(request: Request | None, components: list) -> list[Row]:
    if request is None:
        return []
    return [Row(index=i, text=text, component=match_component(text, components))
            for i, text in enumerate(request.items, 1)]


check_upload = upload_problem  # the same check as every other upload page


def read_rows(rows: list[Row], post, files, components: list) -> list[str]:
    """Fill each row from the request (files, chosen component) and check everything.
    Returns general errors; row errors go on the rows."""
    by_id = {c.pk: c for c in components}
    total = 0
    for row in rows:
        uploads = files.getlist(row.file_field)
        if len(uploads) > MAX_FILES_PER_ITEM:
            row.errors.append(_("Mỗi mục đính kèm tối đa %(n)d tệp.") % {"n": MAX_FILES_PER_ITEM})
            uploads = uploads[:MAX_FILES_PER_ITEM]
        row.files = uploads
        total += len(uploads)
        if row.component is None:
            raw = (post.get(row.component_field) or "").strip()
            row.chosen_id = int(raw) if raw.isdigit() and int(raw) in by_id else None
            if uploads and row.chosen_id is None:
                row.errors.append(_("Chọn giấy tờ tương ứng với tệp đính kèm cho mục «%(item)s».")
                                  % {"item": row.text[:200]})
        component = row.component or by_id.get(row.chosen_id)
        for upload in uploads:
            message = check_upload(upload, upload.name, component.accepted_types if component else None)
            if message:
                row.errors.append(message)
    if total == 0:
        return [_("Chưa chọn tệp nào. Hãy đính kèm giấy tờ cho ít nhất một mục cần bổ sung.")]
    return []


def component_of(row: Row, components: list):
    if row.component is not None:
        return row.component
    return next((c for c in components if c.pk == row.chosen_id), None)
