"""The back office writes the postal fee the one way Vietnamese write money: "cước 1.250.000 đồng"."""

from __future__ import annotations

from .conftest import BIRTH, online_dossier


def test_the_applicant_box_writes_the_postal_fee_with_a_thousands_dot(people, login, settings):
    settings.MOTCUA_POSTAL_FEE_VND = 1_250_000
    dossier = online_dossier(people, BIRTH, delivery="post", delivery_address="12 Lê Lợi, phường Tân Thành")
    assert dossier.delivery_fee == 1_250_000
    page = login(people.receptionist).get(f"/can-bo/cho-tiep-nhan/{dossier.code}/").content.decode()
    assert "cước 1.250.000 đồng" in page and "1250000 đồng" not in page
