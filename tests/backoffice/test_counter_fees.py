"""The counter's fees (#17): the amount due by the rule at reception and return, recorded with
`record_fee` in the reception's transaction; refunds on the dossier page and their list."""

from __future__ import annotations

import datetime as dt

from motcua.dossiers import actions
from motcua.dossiers.models import Dossier, Event, Status
from motcua.payments.models import Refund

from .conftest import CRIMINAL_RECORD, counter_dossier, fresh, online_dossier, version_of
from .test_dossier_page import act, page
from .test_reception import form_data

URL = f"/can-bo/tiep-nhan/{CRIMINAL_RECORD}/"


def present():
    return [c.pk for c in version_of(CRIMINAL_RECORD).components.order_by("order", "id") if c.required]


def test_the_counter_form_shows_and_prefills_the_amount_due(people, login):
    html = login(people.centre_receptionist).get(URL).content.decode()
    assert "Thu phí, lệ phí khi tiếp nhận" in html
    assert 'name="fee_amount"' in html and 'value="200000"' in html
    assert "Số phải thu lúc này: 200.000 đồng" in html
    assert 'name="fee_method"' in html and 'name="fee_receipt"' in html


def test_the_counter_receives_with_the_fee_in_one_go(people, login):
    c = login(people.centre_receptionist)
    data = form_data(outcome="receive", present=present(), fee_collect="on", fee_amount="200.000",
                     fee_method="transfer", fee_receipt="0000123")
    response = c.post(URL, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    d = Dossier.objects.get()
    assert d.status == Status.RECEIVED and d.fee_collected == 200_000 and d.receipt_number == "0000123"
    kinds = list(Event.objects.filter(dossier=d).order_by("version").values_list("kind", flat=True))
    assert kinds == ["received", "fee_recorded"]
    html = page(c, d)
    assert "Đã thu tại quầy: 200.000 đồng (chuyển khoản), biên lai số 0000123" in html


def test_a_bad_fee_leaves_nothing_half_written(people, login):
    c = login(people.centre_receptionist)
    response = c.post(URL, form_data(outcome="receive", present=present(), fee_collect="on", fee_amount="200000",
                                     fee_method="cash", fee_receipt=""))
    assert response.status_code == 400
    assert "Đã thu phí thì cần nhập số biên lai." in response.content.decode()
    assert not Dossier.objects.exists()  # neither the dossier nor its fee
    response = c.post(URL, form_data(outcome="receive", present=present(), fee_collect="on",
                                     fee_amount="12,5"))
    assert response.status_code == 400 and not Dossier.objects.exists()


def test_unticked_means_nothing_collected(people, login):
    c = login(people.centre_receptionist)
    assert c.post(URL, form_data(outcome="receive", present=present(), fee_amount="200000",
                                 fee_receipt="")).status_code == 302
    d = Dossier.objects.get()
    assert d.fee_collected == 0 and not Event.objects.filter(dossier=d, kind="fee_recorded").exists()


def test_the_online_check_receives_with_the_fee_and_shows_an_online_payment(people, login):
    d = online_dossier(people, CRIMINAL_RECORD)
    c = login(people.centre_receptionist)
    html = c.get(f"/can-bo/cho-tiep-nhan/{d.code}/").content.decode()
    assert 'value="200000"' in html
    data = {"version": d.version, "token": "f" * 32, "outcome": "receive", "fee_collect": "on",
            "fee_amount": "200000", "fee_method": "card", "fee_receipt": "BL-9", "missing_extra": "",
            "refuse_reason": "",
            "present": [row.pk for row in version_of(CRIMINAL_RECORD).components.all()]}
    response = c.post(f"/can-bo/cho-tiep-nhan/{d.code}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    d = fresh(d)
    assert d.status == Status.RECEIVED and d.fee_collected == 200_000 and d.receipt_number == "BL-9"


def test_a_payment_made_online_is_shown_and_nothing_is_due(people, login):
    from django.utils import timezone

    from motcua.payments.models import Payment

    d = online_dossier(people, CRIMINAL_RECORD)
    Payment.objects.create(dossier=d, merchant_ref="2603090000000001", provider="sandbox", amount_vnd=200_000,
                           state="paid", paid_at=timezone.now(), deadline=timezone.now(), provider_txn_ref="14999001",
                           fees=[{"fee_id": d.procedure_version.fees.get().pk, "name": "x", "amount_vnd": 200_000}])
    html = login(people.centre_receptionist).get(f"/can-bo/cho-tiep-nhan/{d.code}/").content.decode()
    assert "Đã nộp phí trực tuyến: 200.000 đồng, giao dịch 14999001" in html
    assert 'value="0"' in html and "Không còn khoản phải thu lúc này." in html


def test_record_fee_on_the_dossier_page_then_a_refund_when_withdrawn(people, login):
    d = counter_dossier(people, CRIMINAL_RECORD)
    c = login(people.centre_receptionist)
    assert 'id="thao-tac-record_fee"' in page(c, d)
    response = act(c, d, "record_fee", fee_amount="200000", fee_method="cash", fee_receipt="7")
    assert response.status_code == 302
    d = fresh(d)
    assert d.fee_collected == 200_000
    actions.withdraw(d, actor=people.centre_receptionist, reason="Người nộp rút")
    d = fresh(d)
    html = page(c, d)
    assert "Chờ hoàn phí" in html and 'id="thao-tac-refund"' in html
    listing = c.get("/can-bo/hoan-phi/").content.decode()
    assert d.code in listing and "200.000 đ" in listing
    refund = Refund.objects.get(dossier=d)
    bad = act(c, d, "refund", refund=refund.pk, refund_method="cash", refund_reference="")
    assert bad.status_code == 400
    response = act(c, d, "refund", refund=refund.pk, refund_method="transfer", refund_reference="UNC 15",
                   refunded_on=dt.date.today().isoformat())
    assert response.status_code == 302
    refund.refresh_from_db()
    assert refund.state == "done" and refund.reference == "UNC 15"
    html = page(c, fresh(d))
    assert "Đã hoàn phí" in html and 'id="thao-tac-refund"' not in html
    assert d.code not in c.get("/can-bo/hoan-phi/").content.decode().split("Đã hoàn gần đây")[0]


def test_the_dossier_page_shows_what_remains_due(people, login):
    d = counter_dossier(people, CRIMINAL_RECORD)
    actions.record_fee(d, actor=people.centre_receptionist, amount_vnd=100_000, method="cash", receipt_number="1")
    d = fresh(d)
    html = login(people.centre_receptionist).get(f"/can-bo/ho-so/{d.code}/").content.decode()
    assert "Số phải thu lúc này: 100.000 đồng" in html


def test_the_ledger_page_the_form07_print_and_form01_show_the_fee(people, login, tmp_path):
    import datetime as _dt
    import re

    from django.utils import timezone

    from .test_ledger_page import pdf_text

    d = counter_dossier(people, CRIMINAL_RECORD)
    actions.record_fee(d, actor=people.centre_receptionist, amount_vnd=200_000, method="card",
                       receipt_number="0000456")
    c = login(people.centre_receptionist)
    today = timezone.localdate()
    period = {"from": (today - _dt.timedelta(days=1)).isoformat(), "to": today.isoformat(),
              "agency": people.centre.pk}
    html = c.get("/can-bo/so-theo-doi/", period).content.decode()
    assert "Phí, lệ phí: 200.000 đồng (thẻ, biên lai số 0000456)" in html
    pdf_link = re.search(r'href="(/can-bo/so-theo-doi\.pdf\?[^"]+)"', html).group(1).replace("&amp;", "&")
    text = " ".join(pdf_text(c.get(pdf_link).content, tmp_path).split())
    assert "200.000 đồng (thẻ, biên lai số 0000456)" in text
    receipt = " ".join(pdf_text(c.get(f"/can-bo/ho-so/{d.code}/mau/01.pdf").content, tmp_path).split())
    assert "Phí cung cấp thông tin lý lịch tư pháp: 200.000 đồng" in receipt
    assert "Đã nộp: 200.000 đồng (thẻ, biên lai số 0000456)" in receipt
