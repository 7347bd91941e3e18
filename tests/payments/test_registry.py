"""The provider registry: a decorator registers, a name finds the class, unknown names say which exist."""

import pytest

from motcua.payments.providers import PaymentProvider, Registry, UnknownProvider, VnpayProvider, registry


def test_the_built_in_and_the_demo_providers_are_registered():
    assert registry["vnpay"] is VnpayProvider
    assert "sandbox" in registry and list(registry) == sorted(registry)


def test_a_decorator_registers_and_an_unknown_name_is_a_clear_error(settings):
    own = Registry()

    @own.register("mygateway")
    class MyProvider(PaymentProvider):
        name = "mygateway"

    assert own["mygateway"] is MyProvider and list(own) == ["mygateway"]
    with pytest.raises(UnknownProvider, match="'other' .*known: mygateway"):
        own["other"]
    with pytest.raises(ValueError, match="already registered"):
        own.register("mygateway", type("Another", (PaymentProvider,), {"name": "mygateway"}))
    with pytest.raises(ValueError, match="is named"):
        own.register("wrong", VnpayProvider)


def test_providers_named_in_the_setting_are_found(settings):
    settings.MOTCUA_PAYMENT_EXTRA_PROVIDERS = {"copy": "motcua.payments.providers.vnpay.VnpayProvider"}
    assert "copy" in registry and registry["copy"] is VnpayProvider
