"""The back office and how the result reaches the applicant (#17): an electronic result needs no
counter step and shows no paper wording; a postal result is posted then confirmed delivered; a
paper copy of an electronic result is recorded without changing its status."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

from django.utils import timezone

from motcua.dossiers import actions, paperwork
from motcua.dossiers.models import Event, Status

from .conftest import BIRTH, PDF, fresh, online_dossier
from .test_dossier_page import act, follow, page, panels, to_clerk

PAPER_WORDING = ("Người nhận đã ký nhận", "người nhận đã ký", "người nhận chưa ký", "Trả kết quả cho người nộp")


def at_last_step(people, dossier):
    actions.receive(dossier, actor=people.receptionist)
    dossier = to_clerk(people, fresh(dossier))
    actions.add_file(dossier, actor=people.clerk, upload=io.BytesIO(PDF), name="ket-qua.pdf", kind="result")
    return fresh(dossier)


def pdf_text(data: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return done.stdout.decode()


def test_completing_an_electronic_result_returns_it_with_no_counter_step(people, login):
    dossier = at_last_step(people, online_dossier(people, BIRTH))
    c = login(people.clerk)
    assert "kết quả được trả ngay trên Cổng Dịch vụ công" in page(c, dossier)
    text = follow(c, act(c, dossier, "complete"))
    assert "kết quả điện tử đã được trả cho người nộp" in text
    dossier = fresh(dossier)
    assert dossier.status == Status.RETURNED
    html = page(login(people.receptionist), dossier)
    assert "10. Đã trả kết quả" in html and "kết quả điện tử trên Cổng Dịch vụ công" in html
    assert "Trả kết quả điện tử" in html and "Hệ thống" in html
    for words in PAPER_WORDING:
        assert words not in html, words
    # Nothing waits at the counter: the only thing left is a paper copy, on request.
    assert panels(html) == {"hand_over_paper_copy"}
    # Form 06: the return to the applicant is a row, electronic, given by the system; no signature wording.
    sheet = pdf_text(paperwork.render(dossier, "06"))
    assert "Người nộp hồ sơ (kết" in sheet and "Hệ thống" in sheet and "ký nhận" not in sheet


def test_the_counter_hands_over_a_paper_copy_on_request(people, login):
    dossier = at_last_step(people, online_dossier(people, BIRTH))
    actions.complete(dossier, actor=people.clerk)
    dossier = fresh(dossier)
    c = login(people.receptionist)
    text = follow(c, act(c, dossier, "hand_over_paper_copy", note="Người nộp đề nghị bản giấy"))
    assert "Đã ghi nhận trao bản giấy" in text and "Trao bản giấy kết quả điện tử" in text
    assert fresh(dossier).status == Status.RETURNED
    event = Event.objects.get(dossier=dossier, kind="paper_copy_handed_over")
    assert (event.actor, event.note) == (people.receptionist, "Người nộp đề nghị bản giấy")


def test_a_postal_result_is_posted_then_confirmed_delivered(people, login):
    dossier = online_dossier(people, BIRTH, delivery="post", delivery_address="12 Lý Thường Kiệt, Cà Mau")
    dossier = at_last_step(people, dossier)
    actions.complete(dossier, actor=people.clerk)
    dossier = fresh(dossier)
    c = login(people.receptionist)
    html = page(c, dossier)
    assert {"post_result", "return_result"} <= panels(html) and "confirm_delivery" not in panels(html)
    assert "12 Lý Thường Kiệt, Cà Mau" in html
    refused = act(c, dossier, "post_result", postal_number="")
    assert refused.status_code == 400 and "Cần nhập số hiệu bưu gửi." in refused.content.decode()
    today = timezone.localdate()
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    refused = act(c, dossier, "post_result", postal_number="EB1", posted_on=tomorrow)
    assert refused.status_code == 400 and "Ngày gửi bưu chính không được sau hôm nay" in refused.content.decode()
    text = follow(c, act(c, dossier, "post_result", postal_number="EB123456789VN", posted_on=today.isoformat()))
    assert "Đã ghi nhận gửi kết quả" in text and "EB123456789VN" in text and today.strftime("%d/%m/%Y") in text
    dossier = fresh(dossier)
    assert dossier.status == Status.COMPLETED
    assert {"confirm_delivery", "return_result"} <= panels(text) and "post_result" not in panels(text)
    text = follow(c, act(c, dossier, "confirm_delivery"))
    assert f"hồ sơ {dossier.code} đã trả kết quả" in text and "Bưu chính đã phát kết quả" in text
    dossier = fresh(dossier)
    assert dossier.status == Status.RETURNED and dossier.returned_at is not None
    sheet = pdf_text(paperwork.render(dossier, "06"))
    assert "EB123456789VN" in sheet and "Bưu chính công ích" in sheet
