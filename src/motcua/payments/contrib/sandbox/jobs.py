"""The demo gateway's job (registered when the jobs app autodiscovers `jobs` modules)."""

from __future__ import annotations

from typing import Any

from motcua.jobs.runner import job


@job("payments.sandbox_ipn")
def sandbox_ipn(payload: dict[str, Any]) -> None:
    """The sandbox gateway's server-to-server notification (retried until the merchant answers)."""
    from .gateway import deliver_ipn

    deliver_ipn(payload["params"])
