"""The citizen's payment pages in English: no Vietnamese interface text left, the gateway's name
included (the sandbox's name is a catalogue text)."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.citizen.test_the_journey_in_english import english, untranslated


@pytest.fixture(autouse=True)
def _language_kept():
    with translation.override(translation.get_language()):
        yield


def test_the_payment_pages_speak_english(citizen_client, copy_dossier, payment):
    start = english(citizen_client, f"/thanh-toan/ho-so/{copy_dossier.code}/")
    assert "You will be taken to Test payment gateway to pay 8.000 đồng" in start
    assert "Cổng thanh toán thử nghiệm" not in start
    for page in (start, english(citizen_client, f"/thanh-toan/giao-dich/{payment.merchant_ref}/")):
        assert untranslated(page) == []
