"""System checks refuse set-ups that would accept forged payments."""

from __future__ import annotations

from motcua.payments import checks


def ids(messages) -> list[str]:
    return [m.id for m in messages]


def test_it_warns_when_the_sandbox_signs_beside_a_real_gateway(settings):
    settings.MOTCUA_PAYMENT_PROVIDER = "vnpay"
    settings.MOTCUA_PAYMENT_SANDBOX_GATEWAY = True
    assert ids(checks.sandbox_with_real_gateway(None)) == ["payments.W001"]
    settings.MOTCUA_PAYMENT_SANDBOX_GATEWAY = False
    assert checks.sandbox_with_real_gateway(None) == []


def test_it_fails_deploy_without_a_secret(settings):
    settings.MOTCUA_PAYMENT_PROVIDER = "vnpay"
    settings.MOTCUA_PAYMENT_SANDBOX_GATEWAY = False
    settings.MOTCUA_PAYMENT_HASH_SECRET = ""
    assert ids(checks.deploy_payments(None)) == ["payments.E001"]
    settings.MOTCUA_PAYMENT_HASH_SECRET = "issued-by-vnpay"
    assert checks.deploy_payments(None) == []
    settings.MOTCUA_PAYMENT_PROVIDER = "sandbox"
    settings.MOTCUA_PAYMENT_SANDBOX_GATEWAY = True
    assert ids(checks.deploy_payments(None)) == ["payments.W002"]
