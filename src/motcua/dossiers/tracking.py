"""Public tracking: what anyone holding a dossier's code and tracking key may see.

Shared by the API (/api/v1/track/<code>) and the portal's page (/tra-cuu/), so both show
the same facts and answer an unknown code and a wrong key the same way (None).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .codes import tracking_key_matches
from .models import Dossier, Event, EventKind, Status

OPEN_STATUSES = (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT)
STEP_ENDS = (
    EventKind.HANDOVER, EventKind.RETURNED_TO_PREVIOUS, EventKind.COMPLETED, EventKind.STOPPED, EventKind.WITHDRAWN,
)
STEP_STARTS = (EventKind.RECEIVED, EventKind.HANDOVER, EventKind.RETURNED_TO_PREVIOUS)
# Only the columns the page shows: the procedure version's search columns are large.
TRACK_FIELDS = (
    "code", "tracking_key", "status", "applicant_name", "submitted_at", "received_at", "due_at", "finished_at",
    "returned_at", "procedure_version__name", "procedure_version__procedure__code", "agency__name",
    "current_step__name",
)


def _iso(instant: dt.datetime | None) -> str | None:
    return instant.astimezone().isoformat() if instant else None


def mask_name(name: str) -> str:
    """"Nguyễn Văn An" -> "N***** V** A*": initials only, so a neighbour cannot read it."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())


def steps_passed(events: list[Event]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    for event in events:
        if steps and steps[-1]["finished_at"] is None and event.kind in STEP_ENDS:
            steps[-1]["finished_at"] = _iso(event.at)
            steps[-1]["punctuality"] = event.step_punctuality
        if event.to_step_id and event.kind in STEP_STARTS:
            steps.append({"name": event.to_step.name, "started_at": _iso(event.at), "finished_at": None,
                          "punctuality": ""})
    return steps


def public_status(code: str, key: str) -> dict[str, Any] | None:
    """The public facts of a dossier, or None when the code is unknown or the key is wrong."""
    found = list(
        Dossier.objects.filter(code=(code or "")[:50]).order_by()
        .select_related("procedure_version__procedure", "agency", "current_step")
        .only(*TRACK_FIELDS)[:1]
    )
    dossier = found[0] if found else None
    if dossier is None or not tracking_key_matches(dossier.tracking_key, key or ""):
        return None
    events = list(
        Event.objects.filter(dossier=dossier).exclude(kind=EventKind.FILE_ADDED).order_by("version")
        .select_related("to_step").only("version", "kind", "at", "step_punctuality", "to_step__name")
    )
    version = dossier.procedure_version
    return {
        "code": dossier.code,
        "status": dossier.get_status_display(),
        "status_code": dossier.status,
        "procedure": version.name,
        "procedure_code": version.procedure.code,
        "agency": dossier.agency.name,
        "applicant": mask_name(dossier.applicant_name),
        "submitted_at": _iso(dossier.submitted_at),
        "received_at": _iso(dossier.received_at),
        "due_at": _iso(dossier.due_at),
        "finished_at": _iso(dossier.finished_at),
        "returned_at": _iso(dossier.returned_at),
        "current_step": dossier.current_step.name if dossier.current_step and dossier.status in OPEN_STATUSES else None,
        "steps": steps_passed(events),
    }
