"""The official forms of a dossier, filled from its events and rendered to PDF."""

from __future__ import annotations

import datetime as dt
import os
import re
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


def test_form_02_prints_every_column_of_each_item_on_one_page(people, tmp_path):
    d = counter_dossier(people, receive=False)
    components = list(d.procedure_version.components.order_by("order", "id"))
    items = [{"component": c, "reason": f"Bản đã nộp của giấy tờ số {i} bị mờ, chụp lại rõ nét"}
             for i, c in enumerate(components[:3], 1)]
    items += [{"text": "Văn bản ủy quyền có chứng thực", "reason": "Người nộp thay chưa có giấy ủy quyền"},
              {"text": "Ảnh chân dung 4x6", "reason": "Thiếu ảnh của người được khai sinh"}]
    actions.request_supplement(d, actor=people.receptionist, items=items, note="Thiếu giấy tờ", at=at(9, 9, 30))
    d = fresh(d)
    form = paperwork.supplement_request(d)
    assert [(m.name, m.paper_text, m.copies) for m in form.missing[:3]] == [
        (c.name, c.get_paper_display(), c.copies) for c in components[:3]]
    assert [(m.paper_text, m.copies) for m in form.missing[3:]] == [("—", None), ("—", None)]
    pdf = paperwork.render(d, "02")
    assert _pages(pdf, tmp_path) == 1
    layout = pdf_text(pdf, tmp_path)
    text = " ".join(layout.split())
    for header in ("TT", "Thành phần hồ sơ cần bổ", "Loại giấy tờ", "Số lượng", "Nội dung cần bổ sung"):
        assert header in text
    # Each row's first line has its five columns filled: TT, name, paper kind, count, what to supplement.
    rows = {int(m.group(1)): re.split(r"\s{2,}", m.group(0).strip())
            for m in re.finditer(r"(?m)^\s*([1-5])\s{2,}\S.*$", layout)}
    assert sorted(rows) == [1, 2, 3, 4, 5]
    for n, columns in rows.items():
        assert len(columns) == 5 and all(columns), (n, columns)
    assert rows[1][2:4] == [components[0].get_paper_display(), f"{components[0].copies:02d}"]
    assert rows[1][4].startswith("Bản đã nộp của giấy tờ số 1")
    assert rows[4][1:4] == ["Văn bản ủy quyền có chứng", "—", "—"] and rows[4][4].startswith("Người nộp thay")
    assert "Lý do: Thiếu giấy tờ" in text


def test_form_02_of_an_old_request_fills_the_reason_column(people, tmp_path):
    d = counter_dossier(people, receive=False)
    actions.request_supplement(d, actor=people.receptionist, missing=["Giấy xác nhận cư trú"], at=at(9, 9, 30))
    form = paperwork.supplement_request(fresh(d))
    assert [(m.name, m.paper_text, m.note) for m in form.missing] == [
        ("Giấy xác nhận cư trú", "—", "Chưa có trong hồ sơ")]


def _pages(pdf: bytes, tmp_path) -> int:
    if not shutil.which("pdfinfo"):
        pytest.skip("pdfinfo is not installed")
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))
