from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentSandboxConfig(AppConfig):
    name = "motcua.payments.contrib.sandbox"
    label = "payments_sandbox"
    verbose_name = _("Cổng thanh toán thử nghiệm")
    demo = True  # for demonstrations and tests only: no real money moves

    def ready(self) -> None:
        from . import provider  # noqa: F401 (registers the "sandbox" payment provider)
