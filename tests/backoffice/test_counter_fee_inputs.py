"""The counter asks the fee inputs the rules need, as the wizard does (#17): copies, pages per copy,
the kind of applicant; the prefilled amount follows them ("Tính lại lệ phí", or the form's script
through the fee-amount endpoint) and they are stored on the dossier with the reception."""

from __future__ import annotations

import re

from motcua.dossiers.models import Dossier, Event
from motcua.payments.services import fees_due

from .conftest import CRIMINAL_RECORD, version_of
from .test_reception import form_data

CERTIFY = "2.000815"  # chứng thực bản sao: 2.000 đồng a page, from page 3 1.000 đồng, at most 200.000 a copy
COPY = "2.000635"  # 8.000 đồng a copy
STUDENT = "Sinh viên, người có công"  # 2.000488: 100.000 đồng instead of 200.000


def url(code):
    return f"/can-bo/tiep-nhan/{code}/"


def present(code):
    return [c.pk for c in version_of(code).components.order_by("order", "id") if c.required]


def receptionist(people, code):
    return people.centre_receptionist if version_of(code).receiving_agency_id == people.centre.pk \
        else people.receptionist


def amount_field(html) -> str:
    return re.search(r'name="fee_amount" value="([^"]*)"', html).group(1)


def basis_field(html) -> str:
    return re.search(r'name="fee_basis" value="([^"]*)"', html).group(1)


def test_the_counter_asks_pages_and_copies_with_the_wizards_labels(people, login):
    html = login(receptionist(people, CERTIFY)).get(url(CERTIFY)).content.decode()
    assert 'id="fee-copies"' in html and "Số bản cần cấp" in html
    assert 'id="fee-pages"' in html and "Số trang mỗi bản" in html
    assert "Tính lại lệ phí" in html
    assert amount_field(html) == "2000" and basis_field(html) == "copies=1;pages=1;kind="


def test_recalculate_then_receive_stores_the_inputs_and_records_the_right_fee(people, login):
    c = login(receptionist(people, CERTIFY))
    data = form_data(copies="2", pages="3", present=present(CERTIFY), fee_basis="copies=1;pages=1;kind=",
                     fee_amount="2000")
    response = c.post(url(CERTIFY), data | {"_refresh": "1", "outcome": ""})
    html = response.content.decode()
    assert response.status_code == 200, html[:2000]
    assert amount_field(html) == "10000"  # 2 × (2.000 + 2.000 + 1.000)
    assert "Số phải thu lúc này: 10.000 đồng" in html and 'value="Nguyễn Văn An"' in html
    assert not Dossier.objects.exists()
    response = c.post(url(CERTIFY), data | {"outcome": "receive", "fee_collect": "on", "fee_amount": amount_field(html),
                                            "fee_basis": basis_field(html), "fee_method": "cash",
                                            "fee_receipt": "0000815"})
    assert response.status_code == 302, response.content.decode()[:3000]
    d = Dossier.objects.get()
    assert d.fee_inputs == {"copies": 2, "pages": 3}
    due = fees_due(d)
    assert due.lines[0].amount_vnd == 10_000 and due.total_vnd == 0 and d.fee_collected == 10_000
    recorded = Event.objects.get(dossier=d, kind="fee_recorded")
    assert recorded.data["amount_vnd"] == 10_000, recorded.data


def test_inputs_changed_without_recalculating_are_computed_again_before_collecting(people, login):
    c = login(receptionist(people, CERTIFY))
    data = form_data(copies="2", pages="3", present=present(CERTIFY), outcome="receive", fee_collect="on",
                     fee_amount="2000", fee_basis="copies=1;pages=1;kind=", fee_method="cash", fee_receipt="1")
    response = c.post(url(CERTIFY), data)
    html = response.content.decode()
    assert response.status_code == 400 and not Dossier.objects.exists()
    assert "số tiền đã được tính lại (10.000 đồng)" in html and amount_field(html) == "10000"
    assert c.post(url(CERTIFY), data | {"fee_amount": "10000", "fee_basis": basis_field(html)}).status_code == 302
    assert Dossier.objects.get().fee_collected == 10_000


def test_a_per_copy_fee_and_a_reduction_kind_at_the_counter(people, login):
    c = login(receptionist(people, COPY))
    response = c.post(url(COPY), form_data(copies="3", present=present(COPY), _refresh="1"))
    assert amount_field(response.content.decode()) == "24000"
    response = c.post(url(COPY), form_data(copies="3", present=present(COPY), outcome="receive"))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Dossier.objects.get().fee_inputs == {"copies": 3}
    assert fees_due(Dossier.objects.get()).total_vnd == 24_000

    c = login(receptionist(people, CRIMINAL_RECORD))
    html = c.get(url(CRIMINAL_RECORD)).content.decode()
    assert "Người nộp thuộc đối tượng được giảm lệ phí?" in html and STUDENT in html
    response = c.post(url(CRIMINAL_RECORD), form_data(kind=STUDENT, present=present(CRIMINAL_RECORD), _refresh="1"))
    assert amount_field(response.content.decode()) == "100000"
    response = c.post(url(CRIMINAL_RECORD), form_data(kind=STUDENT.upper(), present=present(CRIMINAL_RECORD),
                                                      outcome="receive"))
    assert response.status_code == 302, response.content.decode()[:3000]
    d = Dossier.objects.get(procedure_version__procedure__code=CRIMINAL_RECORD)
    assert d.fee_inputs == {"kind": STUDENT} and fees_due(d).total_vnd == 100_000


def test_bad_inputs_are_form_errors_naming_the_field_and_nothing_is_written(people, login):
    c = login(receptionist(people, CERTIFY))
    for bad, anchor, words in [({"pages": "0"}, "fee-pages", "Số trang mỗi bản phải là số nguyên"),
                               ({"copies": "²"}, "fee-copies", "Số bản phải là số nguyên"),
                               ({"copies": "9" * 300}, "fee-copies", "Số bản phải là số nguyên")]:
        response = c.post(url(CERTIFY), form_data(present=present(CERTIFY), outcome="receive") | bad)
        html = response.content.decode()
        assert response.status_code == 400, html[:2000]
        assert f'href="#{anchor}"' in html and words in html
    c = login(receptionist(people, CRIMINAL_RECORD))
    response = c.post(url(CRIMINAL_RECORD), form_data(kind="Hộ nghèo", present=present(CRIMINAL_RECORD),
                                                      outcome="receive"))
    assert response.status_code == 400 and 'href="#fee-kind"' in response.content.decode()
    assert not Dossier.objects.exists() and not Event.objects.exists()


def test_the_amount_endpoint_for_the_forms_script(people, login, client):
    c = login(receptionist(people, CERTIFY))
    body = c.get(url(CERTIFY) + "le-phi", {"copies": "2", "pages": "3"}).json()
    assert body["due_vnd"] == 10_000 and body["basis"] == "copies=2;pages=3;kind="
    assert "10.000 đồng" in body["html"] and body["text"] == "Số phải thu khi tiếp nhận: 10.000 đồng"
    bad = c.get(url(CERTIFY) + "le-phi", {"pages": "-1"})
    assert bad.status_code == 400 and "pages" in bad.json()["errors"]
    assert login(people.citizen).get(url(CERTIFY) + "le-phi").status_code in (302, 403)
