"""The official forms of a dossier, filled from its events and rendered to PDF."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import unicodedata

import pytest

from motcua.dossiers import actions, paperwork

from .conftest import CRIMINAL_RECORD, at, counter_dossier, fresh


def pdf_text(pdf: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        if os.environ.get("CI"):
            pytest.fail("pdftotext (poppler-utils) is not installed")
        pytest.skip("pdftotext is not installed")
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return unicodedata.normalize("NFC", out.stdout.decode())


def test_it_fills_the_receipt_from_the_dossier(people, tmp_path):
    d = counter_dossier(people)
    form = paperwork.receipt(d)
    assert form.dossier_code == d.code
    assert form.applicant.name == "Nguyễn Văn An"
    assert form.due_at == d.due_at
    assert form.processing_time == "Trong ngày"
    assert form.fees == "Miễn phí"
    # The QR code's URL also carries the receipt's longer secret (its holder is never paused).
    assert f"/tra-cuu/{d.code}?key={d.tracking_key}&qr=" in form.tracking_url
    assert form.ledger_entry == "1"
    assert form.receiver_name == people.receptionist.full_name
    # Paper-only dossier: the required components are listed.
    assert [c.name for c in form.components][0].startswith("Tờ khai đăng ký khai sinh")
    text = pdf_text(paperwork.render(d, "01"), tmp_path)
    assert d.code in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "Nguyễn Văn An" in text


def test_it_numbers_receipts_in_the_ledger_order(people):
    first = counter_dossier(people)
    second = counter_dossier(people, when=at(9, 10, 0))
    assert paperwork.receipt(first).ledger_entry == "1"
    assert paperwork.receipt(second).ledger_entry == "2"


def test_it_refuses_forms_the_dossier_does_not_have(people):
    d = counter_dossier(people)
    assert paperwork.available_forms(d) == ["01", "06", "07"]  # 07: the ledger of the day it was received
    for number in ("02", "03", "04", "05", "99"):
        with pytest.raises(paperwork.FormNotAvailable):
            paperwork.render(d, number)


def test_it_lists_everything_missing_on_the_supplement_request(people, tmp_path):
    d = counter_dossier(people, receive=False)
    missing = ["Giấy chứng sinh", "Văn bản ủy quyền"]
    actions.request_supplement(d, actor=people.receptionist, missing=missing, note="Thiếu giấy tờ", at=at(9, 9, 30))
    d = fresh(d)
    assert "02" in paperwork.available_forms(d)
    form = paperwork.supplement_request(d)
    assert [m.name for m in form.missing] == ["Giấy chứng sinh", "Văn bản ủy quyền"]
    text = pdf_text(paperwork.render(d, "02"), tmp_path)
    assert "Giấy chứng sinh" in text and "Văn bản ủy quyền" in text


def test_it_gives_the_refusal_reason(people, tmp_path):
    d = counter_dossier(people, receive=False)
    actions.refuse(d, actor=people.receptionist, reason="Không thuộc thẩm quyền của xã", at=at(9, 9, 30))
    text = pdf_text(paperwork.render(fresh(d), "03"), tmp_path)
    assert "Không thuộc thẩm quyền của xã" in text


def test_it_writes_the_apology_with_the_old_and_new_dates(people, tmp_path):
    d = counter_dossier(people, CRIMINAL_RECORD)
    new_due = d.due_at + dt.timedelta(days=5)
    actions.extend(d, actor=people.centre_receptionist, new_due_at=new_due, reason="Chờ xác minh", at=at(10))
    d = fresh(d)
    form = paperwork.apology_extension(d)
    assert form.due_at == d.original_due_at
    assert form.new_due_at == new_due
    assert "Chờ xác minh" in pdf_text(paperwork.render(d, "04"), tmp_path)


def test_it_builds_the_control_sheet_from_the_handovers(people, tmp_path):
    d = counter_dossier(people)
    actions.handover(d, actor=people.receptionist, at=at(9, 9, 30))
    d = fresh(d)
    actions.handover(d, actor=people.officer, at=at(9, 10, 0))
    rows = paperwork.control_sheet(fresh(d)).rows
    assert len(rows) == 3  # received, then two hand-overs
    assert rows[1].given_by == people.receptionist.full_name
    assert rows[1].result in {"early", "on_time", "late"}
    text = pdf_text(paperwork.render(fresh(d), "06"), tmp_path)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert d.code in text


def test_it_lists_the_period_in_the_ledger(people, tmp_path):
    first = counter_dossier(people)
    second = counter_dossier(people, when=at(10))
    counter_dossier(people, when=at(20))  # outside the period
    pdf = paperwork.ledger(people.commune, dt.date(2026, 3, 9), dt.date(2026, 3, 10))
    text = pdf_text(pdf, tmp_path)
    assert first.code in text and second.code in text
    assert "-260320-" not in text


def test_it_renders_the_receipt_for_a_receipt_printer(people):
    d = counter_dossier(people)
    assert paperwork.render(d, "01", layout="80mm").startswith(b"%PDF")
