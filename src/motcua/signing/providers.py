"""Signing providers: who holds the key that signs a result (issue #17).

A provider answers ``signer_for(dossier, actor, pin, at)`` with a ``LoadedSigner`` (a pyHanko
signer and the facts of its certificate), or None when it has nothing for this dossier or actor.

* ``AgencyCertificateProvider`` ("agency"): the agency's certificate on the server (today's
  ``certificates.usable`` / ``load``); no PIN. Signs at completion, and the approval when the
  leader has no personal certificate.
* ``PersonalCertificateProvider`` ("personal"): the leader's own PKCS#12 (``personal``), opened
  with the PIN asked at signing.

``MOTCUA_SIGNING_PROVIDERS`` names the enabled providers in order. A remote-signing service (a
CA's signing server, a SIM PKI) plugs in later as one more class with the same two methods,
registered in ``PROVIDERS``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone

from . import certificates, personal
from .models import AgencyCertificate, PersonalCertificate


@dataclass(frozen=True)
class LoadedSigner:
    provider: str
    signer: Any  # a pyHanko signer
    facts: certificates.CertificateFacts
    agency: Any  # the agency the result is issued by
    agency_certificate: AgencyCertificate | None = None
    personal_certificate: PersonalCertificate | None = None
    user: Any = None  # the person who signs (personal certificates)
    unlocked: Any = None  # the provider's own handle (e.g. for its usage log)

    @property
    def name(self) -> str:
        return self.facts.common_name

    @property
    def subject(self) -> str:
        return self.facts.subject

    @property
    def fingerprint(self) -> str:
        return self.facts.fingerprint


class SigningProvider(Protocol):
    name: str
    needs_pin: bool

    def available(self, dossier, actor) -> bool:
        """Whether this provider has a signer for ``actor`` on ``dossier`` (without opening it)."""

    def signer_for(self, dossier, actor, pin: str | None = None, *, at: dt.datetime | None = None
                   ) -> LoadedSigner | None:
        """The signer, or None; raises a DossierError (CertificateUnavailable, SigningRefused)."""


class AgencyCertificateProvider:
    name = "agency"
    needs_pin = False

    def certificate(self, dossier, at: dt.datetime | None = None) -> AgencyCertificate | None:
        at = at or timezone.now()
        for agency_id in dict.fromkeys([dossier.handling_agency_id, dossier.agency_id]):
            certificate = certificates.usable(agency_id, at).select_related("agency").first()
            if certificate is not None:
                return certificate
        return None

    def available(self, dossier, actor=None) -> bool:
        return self.certificate(dossier) is not None

    def signer_for(self, dossier, actor=None, pin=None, *, at=None) -> LoadedSigner | None:
        record = self.certificate(dossier)
        if record is None:
            return None
        loaded = certificates.load(record)  # CertificateUnavailable when it cannot be used
        return LoadedSigner(provider=self.name, signer=loaded.signer, facts=loaded.facts, agency=record.agency,
                            agency_certificate=record)


class PersonalCertificateProvider:
    name = "personal"
    needs_pin = True

    def available(self, dossier, actor) -> bool:
        return personal.current(actor) is not None

    def signer_for(self, dossier, actor, pin=None, *, at=None) -> LoadedSigner | None:
        cert = personal.current(actor)
        if cert is None:
            return None
        unlocked = personal.unlock(cert, pin, actor=actor, dossier=dossier, at=at)
        return LoadedSigner(provider=self.name, signer=unlocked.signer, facts=unlocked.facts,
                            agency=dossier.handling_agency, personal_certificate=unlocked.certificate, user=actor,
                            unlocked=unlocked)


PROVIDERS: dict[str, type] = {"agency": AgencyCertificateProvider, "personal": PersonalCertificateProvider}


def enabled() -> list[SigningProvider]:
    return [PROVIDERS[name]() for name in settings.MOTCUA_SIGNING_PROVIDERS if name in PROVIDERS]


def agency() -> AgencyCertificateProvider | None:
    return next((p for p in enabled() if p.name == "agency"), None)


def for_approval(dossier, actor) -> SigningProvider | None:
    """The provider that signs ``actor``'s approval: the first enabled one that has a signer for them."""
    for provider in enabled():
        if provider.available(dossier, actor):
            return provider
    return None
