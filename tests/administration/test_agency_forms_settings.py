"""The agency admin sets what the forms print (#17): place name, abbreviation, head who signs form 04,
the due-soon share; only for their own agency; every change in the change log."""

from __future__ import annotations

from motcua.agencies.models import Agency
from motcua.audit.models import ChangeLog

URL = "/can-bo/quan-tri/co-quan/giay-to/"


def test_the_agency_admin_sets_the_forms_of_their_agency(admins, admin_client):
    page = admin_client.get(URL).content.decode()
    assert "Giấy tờ của Ủy ban nhân dân phường Tân Thành" in page
    assert "«Cà Mau, ngày … tháng … năm …»" in page  # the default, from the province
    response = admin_client.post(URL, {
        "agency": admins.commune.pk, "place_name": "  Tân   Thành ", "abbreviation": "UBND",
        "head_name": "Lê Thị Hoa", "head_title": "Chủ tịch", "soon_share": "20",
    })
    assert response.status_code == 302
    agency = Agency.objects.get(pk=admins.commune.pk)
    assert (agency.place_name, agency.abbreviation, agency.head_name, agency.head_title, agency.soon_share) == (
        "Tân Thành", "UBND", "Lê Thị Hoa", "Chủ tịch", 20)
    assert agency.place() == "Tân Thành"
    log = ChangeLog.objects.filter(object_type="agencies.agency", object_id=str(agency.pk)).get()
    assert log.after["head_name"] == "Lê Thị Hoa" and log.before["head_name"] == ""


def test_a_share_over_a_half_is_refused(admins, admin_client):
    response = admin_client.post(URL, {"agency": admins.commune.pk, "soon_share": "80"})
    assert response.status_code == 400 and "error-summary" in response.content.decode()
    assert Agency.objects.get(pk=admins.commune.pk).soon_share == 25


def test_another_agency_is_not_theirs(admins, admin_client, officer_client):
    response = admin_client.post(URL, {"agency": admins.other_commune.pk, "head_name": "X", "soon_share": "25"})
    assert response.status_code == 403
    assert Agency.objects.get(pk=admins.other_commune.pk).head_name == ""
    assert officer_client.get(URL).status_code == 403
