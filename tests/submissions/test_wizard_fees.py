"""Fees in the submission wizard (issue #17): what the rules ask (copies, pages per copy, kind of
applicant) on the first step, the fees with their computed amount and when due on the procedure
step and the review page, the inputs stored on the dossier; bad input is a form error."""

from __future__ import annotations

import html
import io
import re

import pytest

from motcua.dossiers.models import Dossier
from motcua.payments.services import fees_due
from motcua.submissions import services
from tests.answers import valid_answers

from .conftest import BIRTH, PDF, start_draft, submit, version_of

COPY = "2.000635"  # level 4, 8.000 đồng a copy, due at submission
CRIMINAL_RECORD = "2.000488"  # level 4, 200.000 đồng, students 100.000
BUSINESS = "2.001610"  # level 4, registration fee exempt online + publication fee


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def ready(client, code, inputs):
    """A draft of `code` with `inputs` declared, its e-form filled and every required file uploaded."""
    draft, url = start_draft(client, code)
    assert url.endswith("/to-khai/"), url  # one page to fill; its first section asks what the fee rules need
    response = client.post(url, {**inputs, "_fill": "page", "_has_case": "1", "_refresh": "1"})
    assert response.status_code == 200, text(response)[:2000]
    draft.refresh_from_db()
    services.save_form(draft, valid_answers(draft.version))
    auto = services.generated_component(draft)
    for comp in services.components_of(draft.version):
        if comp.required and comp != auto:
            services.add_upload(draft, comp, io.BytesIO(PDF), f"giay-to-{comp.pk}.pdf")
    return draft


def test_the_procedure_step_shows_the_rule_and_the_first_step_asks_the_copies(web):
    page = text(web.get(f"/nop-ho-so/{COPY}/"))
    assert "Phí cấp bản sao trích lục hộ tịch" in page and "8.000 đồng mỗi bản" in page
    assert "nộp khi nộp hồ sơ" in page
    draft, url = start_draft(web, COPY)
    page = web.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and 'name="copies"' in body and 'name="pages"' not in body
    assert "Số bản cần cấp" in text(page)
    assert body.index('name="copies"') < body.index('name="f-')  # the first section of the page
    again = web.post(url, {"copies": "3", "_refresh": "1", "_fill": "page", "_has_case": "1"})
    assert again.status_code == 200 and "24.000 đ" in text(again) and "8.000 đồng × 3 bản" in text(again)
    draft.refresh_from_db()
    assert draft.fee_inputs == {"copies": 3}


@pytest.mark.parametrize("copies", ["0", "-2", "abc", "1001", "2.5", "9" * 40])
def test_bad_copies_are_a_form_error_never_a_500(web, copies):
    draft, url = start_draft(web, COPY)
    response = web.post(url, {"copies": copies, "_fill": "page", "_has_case": "1", "_refresh": "1"})
    assert response.status_code == 400
    page = text(response)
    assert "Số bản phải là số nguyên từ 1 đến 1000" in page and "Có 1 chỗ cần sửa" in page
    draft.refresh_from_db()
    assert draft.fee_inputs == {}
    # The whole page sent with a bad number: the same error among the others, nothing stored.
    response = web.post(url, {"copies": copies, "_fill": "page", "_has_case": "1", "_continue": "1"})
    assert response.status_code == 400 and "Số bản phải là số nguyên từ 1 đến 1000" in text(response)
    draft.refresh_from_db()
    assert draft.fee_inputs == {} and draft.step == "form"


def test_a_declared_student_pays_the_reduced_fee_and_it_is_stored(web, citizen):
    draft, url = start_draft(web, CRIMINAL_RECORD)
    page = web.get(url).content.decode()
    assert "Không thuộc đối tượng nào" in page and "Sinh viên, người có công" in page
    assert web.post(url, {"kind": "Hưu trí", "_fill": "page", "_has_case": "1", "_refresh": "1"}).status_code == 400
    draft = ready(web, CRIMINAL_RECORD, {"kind": "Sinh viên, người có công"})
    review = text(web.get(f"/nop-ho-so/nhap/{draft.pk}/xem-lai/"))
    assert "100.000 đ" in review and "200.000 đồng; Sinh viên, người có công: 100.000 đồng" in review
    assert "bạn thanh toán trực tuyến ngay sau khi bấm «Nộp hồ sơ»" in review
    response = submit(web, draft)
    assert response.status_code == 302, text(response)[:2000]
    dossier = Dossier.objects.get(owner=citizen)
    assert dossier.fee_inputs == {"kind": "Sinh viên, người có công"}
    assert fees_due(dossier).total_vnd == 100_000


def test_copies_reach_the_dossier_and_the_amount_due(web, citizen):
    draft = ready(web, COPY, {"copies": "2"})
    review = text(web.get(f"/nop-ho-so/nhap/{draft.pk}/xem-lai/"))
    assert "16.000 đ" in review and "khi nộp hồ sơ" in review
    assert submit(web, draft).status_code == 302
    dossier = Dossier.objects.get(owner=citizen)
    assert dossier.fee_inputs == {"copies": 2}
    assert fees_due(dossier).total_vnd == 16_000


def test_an_online_exempt_fee_says_so(web):
    page = text(web.get(f"/nop-ho-so/{BUSINESS}/"))
    assert "Miễn khi nộp trực tuyến" in page and "100.000 đ" in page


def test_a_free_procedure_says_free_and_asks_nothing(web):
    assert "Miễn phí" in text(web.get(f"/nop-ho-so/{BIRTH}/"))
    draft, url = start_draft(web, BIRTH)
    assert url.endswith("/to-khai/")  # one case and nothing to declare: no fee section
    assert 'name="_has_case"' not in web.get(url).content.decode()


def test_the_action_layer_refuses_bad_inputs_for_every_door(citizen):
    from motcua.dossiers import actions
    from motcua.dossiers.errors import InvalidInput

    version = version_of(COPY)
    for bad, field in (({"copies": 0}, "fee_inputs.copies"), ({"kind": "Sinh viên"}, "fee_inputs.kind"),
                       ("3", "fee_inputs")):
        with pytest.raises(InvalidInput) as err:
            actions.create_dossier(actor=citizen, version=version, channel=2, form_data=valid_answers(version),
                                   applicant=actions.Applicant(name="Nguyễn Văn An", id_number="096090001234"),
                                   fee_inputs=bad)
        assert err.value.field == field
    assert not Dossier.objects.exists()


def test_the_confirmation_page_offers_to_pay_the_fee_due_now(web, citizen):
    draft = ready(web, COPY, {"copies": "3"})
    response = submit(web, draft)
    done = web.get(response["Location"])
    page, body = text(done), done.content.decode()
    assert "Đã nộp hồ sơ" in page and "Chờ nộp phí" in page and "24.000 đ" in page
    dossier = Dossier.objects.get(owner=citizen)
    assert f'action="/thanh-toan/ho-so/{dossier.code}/"' in body and "Thanh toán lệ phí ngay" in page
    assert 'name="when" value="at_reception"' in body
    assert dossier.status == 1


def test_a_free_procedure_has_nothing_to_pay_after_submitting(web, citizen):
    from .conftest import ready_birth_draft

    draft = ready_birth_draft(web)
    done = web.get(submit(web, draft)["Location"])
    assert "Thanh toán lệ phí ngay" not in text(done) and "Chờ nộp phí" not in text(done)
