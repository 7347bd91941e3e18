"""Supplying missing documents online (status 5): what was asked, one upload row per item,
each file checked before anything is stored, then the files and the resubmission.

The request is a list of items (`dossiers.supplements`): a component of the procedure, or a free
item the officer wrote; each says what is wrong or missing, shown above its upload box. A request
made the old way (lines of text) has its lines matched to components by name. For a free item the
applicant picks which document of the procedure the file is, since every stored file belongs to a
component.

`check_upload` applies the rules of `dossiers.files.check_and_store` (type from the bytes, the
component's accepted types, MOTCUA_MAX_UPLOAD_BYTES) without storing, so that one bad file
refuses the whole submission with a message naming it and nothing is half-stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from motcua.dossiers.files import accepted_extensions, upload_problem
from motcua.dossiers.models import Dossier, EventKind
from motcua.dossiers.supplements import Item, items_of

MAX_FILES_PER_ITEM = 10
MAX_NOTE_CHARS = 2000


@dataclass
class Row:
    """One missing item and the files chosen for it."""

    index: int
    text: str
    component: object | None  # the item's component, or None (the applicant chooses)
    reason: str = ""  # what is wrong or missing (nội dung cần bổ sung)
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
    reason: str  # the officer's note on the whole request
    items: list[str]
    agency: str
    phase: str  # "reception" (before receipt) or "processing" (the clock is stopped)
    details: list[Item] = field(default_factory=list)  # the items with their reasons and components


def current_request(dossier: Dossier) -> Request | None:
    event = (
        dossier.events.filter(kind=EventKind.SUPPLEMENT_REQUESTED)
        .select_related("from_agency", "to_agency").order_by("-version").first()
    )
    if event is None:
        return None
    data = event.data or {}
    agency = event.from_agency or event.to_agency
    details = items_of(data, list(dossier.procedure_version.components.all()))
    return Request(
        at=event.at,
        reason=(event.note or "").strip(),
        items=[item.text for item in details],
        agency=agency.name if agency else "",
        phase=str(data.get("phase", "")),
        details=details,
    )


def rows_for(request: Request | None, components: list) -> list[Row]:
    if request is None:
        return []
    by_pk = {c.pk: c for c in components}
    return [Row(index=i, text=item.text, component=by_pk.get(item.component_id), reason=item.reason)
            for i, item in enumerate(request.details, 1)]


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
