"""The agency admin sets the e-receipt form number and series (#17); only for their agency; logged."""

from __future__ import annotations

from motcua.agencies.models import Agency
from motcua.audit.models import ChangeLog

URL = "/can-bo/quan-tri/co-quan/bien-lai/"


def test_the_agency_admin_sets_the_receipt_series(admins, admin_client):
    page = admin_client.get(URL).content.decode()
    assert "Biên lai điện tử của Ủy ban nhân dân phường Tân Thành" in page and 'data-receipt-configured="0"' in page
    response = admin_client.post(URL, {"agency": admins.commune.pk, "e_receipt_form_number": " 01BLP0-001 ",
                                       "e_receipt_series": "TT-26E"})
    assert response.status_code == 302
    agency = Agency.objects.get(pk=admins.commune.pk)
    assert (agency.e_receipt_form_number, agency.e_receipt_series) == ("01BLP0-001", "TT-26E")
    log = ChangeLog.objects.filter(object_type="agencies.agency", object_id=str(agency.pk)).get()
    assert log.after["e_receipt_series"] == "TT-26E" and log.before["e_receipt_series"] == ""
    assert 'data-receipt-configured="1"' in admin_client.get(URL).content.decode()


def test_half_a_setting_or_odd_characters_are_refused(admins, admin_client):
    for data in ({"e_receipt_form_number": "01BLP0-001", "e_receipt_series": ""},
                 {"e_receipt_form_number": "01BLP0-001", "e_receipt_series": "TT<26>"},
                 {"e_receipt_form_number": "x" * 21, "e_receipt_series": "TT"}):
        response = admin_client.post(URL, {"agency": admins.commune.pk, **data})
        assert response.status_code == 400 and "error-summary" in response.content.decode()
    assert Agency.objects.get(pk=admins.commune.pk).e_receipt_series == ""


def test_another_agency_is_not_theirs(admins, admin_client, officer_client):
    response = admin_client.post(URL, {"agency": admins.other_commune.pk, "e_receipt_form_number": "01BLP0-001",
                                       "e_receipt_series": "TT-26E"})
    assert response.status_code == 403
    assert Agency.objects.get(pk=admins.other_commune.pk).e_receipt_series == ""
    assert officer_client.get(URL).status_code == 403
