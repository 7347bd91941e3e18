"""The `integrations.webhook` background job (autodiscovered by the jobs app)."""

from __future__ import annotations

from typing import Any

from motcua.jobs.runner import job

from .webhooks import SEND_JOB, send


@job(SEND_JOB)
def send_delivery(payload: dict[str, Any]) -> None:
    send(int(payload["delivery"]))
