"""System checks: a payment set-up that would accept forged payments is an error before deploying."""

from __future__ import annotations

from django.core.checks import Error, Tags, Warning, register

from . import conf


@register(Tags.compatibility)
def provider_exists(app_configs, **kwargs):
    from .providers import names

    try:
        known = names()
    except ImportError as exc:
        return [Error(f"MOTCUA_PAYMENT_EXTRA_PROVIDERS names a class that cannot be imported: {exc}",
                      id="payments.E003")]
    if conf.provider_name() not in known:
        return [Error(f"MOTCUA_PAYMENT_PROVIDER={conf.provider_name()!r} is not one of {', '.join(known)}.",
                      id="payments.E002")]
    return []


@register(Tags.security)
def sandbox_with_real_gateway(app_configs, **kwargs):
    if conf.provider_name() != "sandbox" and conf.sandbox_gateway_enabled():
        return [Warning(
            "The sandbox payment gateway is enabled while the active provider is "
            f"{conf.provider_name()!r}: it signs with the same secret.",
            hint="Set MOTCUA_PAYMENT_SANDBOX_GATEWAY=0 outside tests.", id="payments.W001",
        )]
    return []


@register(Tags.security, deploy=True)
def deploy_payments(app_configs, **kwargs):
    errors = []
    if conf.sandbox_gateway_enabled():
        errors.append(Warning(
            "The built-in sandbox payment gateway is enabled: payments through it are not real.",
            hint="Use MOTCUA_PAYMENT_PROVIDER=vnpay with the secret issued by the gateway in production.",
            id="payments.W002",
        ))
    if conf.provider_name() != "sandbox" and not conf.setting("MOTCUA_PAYMENT_HASH_SECRET"):
        errors.append(Error(
            "MOTCUA_PAYMENT_HASH_SECRET is not set for the payment provider.", id="payments.E001",
        ))
    return errors
