"""System checks of the signing settings."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security)
def personal_crl_needs_its_ca(app_configs, **kwargs):
    """A CRL is only checked against the CA that signs it: without MOTCUA_SIGNING_PERSONAL_CA
    every leader's certificate would be refused."""
    if settings.MOTCUA_SIGNING_PERSONAL_CRL and not list(settings.MOTCUA_SIGNING_PERSONAL_CA):
        return [Error(
            "MOTCUA_SIGNING_PERSONAL_CRL is set but MOTCUA_SIGNING_PERSONAL_CA is not: leaders' certificates "
            "cannot be checked against the CRL and every personal signature would be refused.",
            hint="Set MOTCUA_SIGNING_PERSONAL_CA to the CA certificate(s) that issue the leaders' certificates "
                 "(and sign the CRL), or unset MOTCUA_SIGNING_PERSONAL_CRL.",
            id="signing.E001",
        )]
    return []
