"""The agency admin sets the payment terms of fees due at submission (level 4, issue #17): the
deadline in working hours or days, the reminder, what happens when it passes; logged."""

from __future__ import annotations

from motcua.agencies.models import Agency
from motcua.audit.models import ChangeLog

URL = "/can-bo/quan-tri/co-quan/giay-to/"


def test_the_agency_admin_sets_the_payment_terms(admins, admin_client):
    page = admin_client.get(URL).content.decode()
    assert "Nộp phí trực tuyến" in page and "Theo mặc định của tỉnh" in page
    response = admin_client.post(URL, {
        "agency": admins.commune.pk, "section": "fees", "phi-fee_deadline_amount": "2",
        "phi-fee_deadline_unit": "working_days", "phi-fee_reminder_hours": "4", "phi-fee_expiry_action": "refuse",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    agency = Agency.objects.get(pk=admins.commune.pk)
    assert (agency.fee_deadline_amount, agency.fee_deadline_unit, agency.fee_reminder_hours,
            agency.fee_expiry_action) == (2, "working_days", 4, "refuse")
    assert agency.soon_share == 25  # the other form is untouched
    log = ChangeLog.objects.filter(object_type="agencies.agency", object_id=str(agency.pk)).get()
    assert log.after["fee_expiry_action"] == "refuse" and log.before["fee_expiry_action"] == ""


def test_bad_terms_are_refused_and_blank_means_the_default(admins, admin_client):
    for bad in ({"phi-fee_deadline_amount": "0"}, {"phi-fee_deadline_amount": "x"},
                {"phi-fee_expiry_action": "delete"}, {"phi-fee_reminder_hours": "-1"}):
        response = admin_client.post(URL, {"agency": admins.commune.pk, "section": "fees",
                                           "phi-fee_deadline_unit": "working_hours", **bad})
        assert response.status_code == 400 and "error-summary" in response.content.decode()
    assert Agency.objects.get(pk=admins.commune.pk).fee_deadline_amount is None
    response = admin_client.post(URL, {"agency": admins.commune.pk, "section": "fees",
                                       "phi-fee_deadline_unit": "working_hours"})
    assert response.status_code == 302
    assert not ChangeLog.objects.filter(object_type="agencies.agency").exists()  # nothing changed


def test_another_agencys_terms_are_not_theirs(admins, admin_client):
    response = admin_client.post(URL, {"agency": admins.other_commune.pk, "section": "fees",
                                       "phi-fee_deadline_amount": "3", "phi-fee_deadline_unit": "working_hours"})
    assert response.status_code == 403
    assert Agency.objects.get(pk=admins.other_commune.pk).fee_deadline_amount is None
