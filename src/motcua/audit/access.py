"""`log_access(request, dossier, what)`: record that someone other than the owner saw a dossier's
personal data. Called by the staff dossier page, file and form downloads and the API detail."""

from __future__ import annotations

import ipaddress

from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.core.ratelimit import client_ip

from . import chain
from .models import AccessKind, PersonalDataAccess

ACCESS_FIELDS = ("seq", "actor_id", "at", "what", "ip", "path")
ATTEMPTS = 8


def access_payload(dossier_code: str, values) -> dict:
    payload = {name: values.get(name) for name in ACCESS_FIELDS}
    payload["dossier"] = dossier_code
    return payload


def _client_ip(request) -> str | None:
    raw = client_ip(request)
    try:
        return str(ipaddress.ip_address((raw or "").strip()))
    except ValueError:
        return None


def log_access(request, dossier, what: str = AccessKind.VIEW, *, actor=None) -> PersonalDataAccess | None:
    """Append one access row (chained per dossier); None when the viewer is the dossier's owner."""
    user = actor if actor is not None else getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        user = getattr(request, "auth", None)  # django-ninja's authenticated user
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if dossier.owner_id is not None and dossier.owner_id == user.pk:
        return None
    path = (request.get_full_path() if hasattr(request, "get_full_path") else "")[:500]
    ip = _client_ip(request)
    for _attempt in range(ATTEMPTS):
        last = (
            PersonalDataAccess.objects.filter(dossier_id=dossier.pk).order_by("-seq")
            .values_list("seq", "hash").first()
        )
        seq, prev = (last[0] + 1, last[1]) if last else (1, chain.GENESIS)
        row = PersonalDataAccess(
            actor=user, dossier_id=dossier.pk, at=timezone.now(), what=str(what), ip=ip, path=path, seq=seq,
            prev_hash=prev,
        )
        row.hash = chain.digest(access_payload(dossier.code, {n: getattr(row, n) for n in ACCESS_FIELDS}), prev)
        try:
            with transaction.atomic():
                row.save(force_insert=True)
            return row
        except IntegrityError:  # another access took this seq: chain after it
            continue
    raise RuntimeError("could not append to the access log")
