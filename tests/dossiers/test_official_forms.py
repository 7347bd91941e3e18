"""The official forms exactly right (#17, TT 03/2025/TT-VPCP): the place of the date line, the
numbers, the agency names in the header, money in đồng, who signs form 04, every column of forms
06 and 07 — read back from the PDFs with pdftotext."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest

from motcua.agencies.models import Agency, province_place
from motcua.documents.formatting import header_lines
from motcua.dossiers import actions, paperwork

from .conftest import CRIMINAL_RECORD, PDF, at, counter_dossier, fresh
from .test_paperwork import pdf_text


def raw_text(pdf: bytes, tmp_path) -> str:
    """The text in the order it is drawn (cell by cell), for the tables of forms 06 and 07."""
    import shutil
    import subprocess
    import unicodedata

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    path = tmp_path / "table.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True)
    return unicodedata.normalize("NFC", out.stdout.decode())


def lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def walk_criminal_record(people):
    """Lý lịch tư pháp received at the centre, handled by Sở Tư pháp (extended once), returned."""
    d = counter_dossier(people, CRIMINAL_RECORD)
    actions.handover(d, actor=people.centre_receptionist, at=at(9, 10))
    actions.handover(d, actor=people.justice_officer, at=at(10, 10), note="Đã xác minh với Công an tỉnh")
    actions.extend(d, actor=people.justice_leader, new_due_at=at(27, 17, 0), reason="Cần xác minh thêm", at=at(18))
    actions.handover(d, actor=people.justice_head, at=at(19, 10))
    actions.handover(d, actor=people.justice_leader, at=at(20, 10))
    actions.add_file(d, actor=people.justice_clerk, upload=io.BytesIO(PDF), name="kq.pdf", kind="result", at=at(23, 9))
    actions.complete(d, actor=people.justice_clerk, at=at(23, 10))
    actions.return_result(d, actor=people.centre_receptionist, originals_checked=True, applicant_signed=True,
                          at=at(24, 10))
    return fresh(d)


# --- the place name, the header, money ---------------------------------------------------------


def test_the_place_comes_from_the_agency_or_its_province(people, tmp_path):
    assert province_place("Ủy ban nhân dân tỉnh Cà Mau") == "Cà Mau"
    assert province_place("UBND thành phố Hồ Chí Minh") == "Hồ Chí Minh"
    assert province_place("Sở Tư pháp") == "Sở Tư pháp"
    assert people.commune.place() == "Cà Mau"  # from the province above it
    d = counter_dossier(people)
    assert "Cà Mau, ngày 09 tháng 3 năm 2026" in pdf_text(paperwork.render(d, "01"), tmp_path)
    Agency.objects.filter(pk=people.commune.pk).update(place_name="Tân Thành")
    text = pdf_text(paperwork.render(fresh(d), "01"), tmp_path)
    assert "Tân Thành, ngày 09 tháng 3 năm 2026" in text and "Cà Mau, ngày" not in text


def test_agency_names_break_between_words_in_the_header(people, tmp_path):
    assert header_lines("Ủy ban nhân dân tỉnh Cà Mau") == ["Ủy ban nhân dân", "tỉnh Cà Mau"]
    assert header_lines("Ủy ban nhân dân phường Tân Thành") == ["Ủy ban nhân dân", "phường Tân Thành"]
    assert header_lines("Trung tâm Phục vụ hành chính công tỉnh Cà Mau") == [
        "Trung tâm Phục vụ", "hành chính công", "tỉnh Cà Mau"]
    assert header_lines("Sở Tư pháp") == ["Sở Tư pháp"]
    assert header_lines("Trung tâm Phục vụ hành chính công tỉnh") == ["Trung tâm Phục vụ", "hành chính công tỉnh"]
    d = counter_dossier(people, CRIMINAL_RECORD)
    found = lines(pdf_text(paperwork.render(d, "01"), tmp_path))
    assert any(line.startswith("ỦY BAN NHÂN DÂN CỘNG HÒA") for line in found), found[:6]
    assert any(line.startswith("TỈNH CÀ MAU") for line in found), found[:8]
    assert not any("DÂN TỈNH" in line or "TỈNH CÀ\n" in line for line in found)


def test_money_is_written_in_dong(people, tmp_path):
    d = counter_dossier(people, CRIMINAL_RECORD)
    assert paperwork.receipt(d).fees.endswith("200.000 đồng")
    assert "200.000 đồng" in pdf_text(paperwork.render(d, "01"), tmp_path)


# --- form 04: the head of the late agency signs ---------------------------------------------------


def test_the_apology_is_signed_by_the_head_of_the_late_agency(people, tmp_path):
    Agency.objects.filter(pk=people.justice.pk).update(head_name="Trần Văn Bình", head_title="Giám đốc",
                                                        abbreviation="STP")
    d = walk_criminal_record(people)
    form = paperwork.apology_extension(d)
    assert form.agency.name == "Sở Tư pháp"
    assert (form.signer_title, form.signer_name) == ("Giám đốc", "Trần Văn Bình")
    text = pdf_text(paperwork.render(d, "04"), tmp_path)
    assert "GIÁM ĐỐC" in text and "Trần Văn Bình" in text
    assert people.justice_leader.full_name not in text  # never the officer who clicked
    assert "Số: 1/STP" in text
    assert "Sở Tư pháp thành thật xin lỗi" in " ".join(text.split())


def test_without_a_head_the_apology_leaves_a_blank_signature(people, tmp_path):
    d = walk_criminal_record(people)
    form = paperwork.apology_extension(d)
    assert (form.signer_title, form.signer_name) == ("THỦ TRƯỞNG CƠ QUAN", "")
    text = pdf_text(paperwork.render(d, "04"), tmp_path)
    assert "THỦ TRƯỞNG CƠ QUAN" in text and people.justice_leader.full_name not in text
    assert "Số: 1/……" in text


# --- form 06: one row per hand-over --------------------------------------------------------------


def test_the_control_sheet_has_a_row_per_handover_with_the_right_agencies(people, tmp_path):
    d = walk_criminal_record(people)
    rows = paperwork.control_sheet(d).rows
    centre, justice, applicant = "Trung tâm Phục vụ hành chính công tỉnh Cà Mau", "Sở Tư pháp", "Nguyễn Văn An"
    assert [(r.from_agency, r.to_agency, r.action) for r in rows] == [
        (applicant, centre, "Tiếp nhận"),
        (centre, justice, "Chuyển bước"),
        (justice, justice, "Chuyển bước"),
        (justice, justice, "Chuyển bước"),
        (justice, justice, "Chuyển bước"),
        (justice, centre, "Hoàn thành xử lý"),  # the result back to the one-stop office
        (centre, applicant, "Trả kết quả"),  # and to the applicant
    ]
    assert (rows[0].given_by, rows[0].received_by) == (applicant, people.centre_receptionist.full_name)
    assert rows[2].note == "Đã xác minh với Công an tỉnh"  # the note apart from the action
    assert (rows[5].given_by, rows[5].received_by) == (people.justice_clerk.full_name, "Bộ phận Một cửa")
    assert (rows[6].given_by, rows[6].received_by) == (people.centre_receptionist.full_name, "Người nộp hồ sơ")
    assert all(r.result in {"early", "on_time", "late"} for r in rows[1:6])

    flat = " ".join(raw_text(paperwork.render(d, "06"), tmp_path).split())
    for column in ("TÊN CƠ QUAN", "THỜI GIAN GIAO, NHẬN HỒ SƠ", "KẾT QUẢ GIẢI QUYẾT HỒ SƠ", "GHI CHÚ"):
        assert column in flat, column
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả số: 1/TNHS" in flat
    for stamp in ("09 giờ 15 phút, ngày 09/03/2026", "10 giờ 15 phút, ngày 23/03/2026",
                  "10 giờ 15 phút, ngày 24/03/2026"):
        assert stamp in flat, stamp
    for name in (people.centre_receptionist.full_name, people.justice_clerk.full_name, "Người nộp hồ sơ",
                 "Bộ phận Một cửa", "Người giao", "Người nhận"):
        assert name in flat, name
    for word in ("Trước hạn", "Đúng hạn", "Quá hạn"):
        assert word in flat
    for action in ("Tiếp nhận", "Chuyển bước", "Hoàn thành xử lý", "Trả kết quả"):
        assert action in flat, action
    assert "Đã xác minh với Công an tỉnh" in flat
    assert flat.count("1. Giao:") == 7 and flat.count("2. Nhận:") == 7


# --- form 07: the ledger ---------------------------------------------------------------------------


LEDGER_COLUMNS = (
    "STT", "Mã hồ sơ", "Tên TTHC", "Số lượng hồ sơ (bộ)", "Tên cá nhân, tổ chức", "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết", "Nhận hồ sơ", "Hẹn trả kết quả", "Chuyển hồ sơ đến cơ quan giải quyết",
    "Nhận kết quả từ cơ quan giải quyết", "Trả kết quả cho cá nhân, tổ chức", "Ghi chú",
)


def test_the_ledger_prints_every_column_and_the_numbers_given_at_reception(people, tmp_path):
    d = walk_criminal_record(people)
    # A paper dossier received on the 2nd, typed in later: its own date, the next number.
    earlier = counter_dossier(people, CRIMINAL_RECORD, when=at(2, 8, 30))
    third = counter_dossier(people, CRIMINAL_RECORD, when=at(3, 8, 30))
    rows = [paperwork.ledger_row(x) for x in paperwork.ledger_dossiers(people.centre, dt.date(2026, 3, 1),
                                                                         dt.date(2026, 3, 31))]
    assert [(r.code, r.number) for r in rows] == [(earlier.code, 2), (third.code, 3), (d.code, 1)]
    row = rows[2]
    assert row.sent_to_agency_at == at(9, 10) and row.result_received_at == at(23, 10)
    assert row.returned_at == at(24, 10) and row.lead_agency == "Sở Tư pháp"

    text = raw_text(paperwork.ledger(people.centre, dt.date(2026, 3, 1), dt.date(2026, 3, 31)), tmp_path)
    flat = " ".join(text.split())
    for column in LEDGER_COLUMNS:
        assert column.replace(" ", "") in flat.replace(" ", ""), column
    assert "Quyển số: 2026" in flat and "Từ ngày 01/03/2026 đến ngày 31/03/2026" in flat
    for value in (d.code, earlier.code, "Nguyễn Văn An", "Phường Tân Thành", "0912345678", "Sở Tư pháp",
                  "09/03/2026", "23/03/2026", "24/03/2026", "27/03/2026", "02/03/2026", "01"):
        assert value in flat, value
    code_line = next(line for line in lines(text) if earlier.code in line)
    assert code_line.startswith("2 "), code_line  # STT: its number in the book, not its position


@pytest.mark.parametrize("number", ["01", "02", "03", "04", "05", "06", "07"])
def test_every_form_the_dossier_has_renders(people, number):
    d = walk_criminal_record(people)
    if number in ("02", "03", "05"):
        with pytest.raises(paperwork.FormNotAvailable):
            paperwork.render(d, number)
    else:
        assert paperwork.render(d, number).startswith(b"%PDF")


# --- form 02 from the counter; the place of forms 02, 06 and 07 -------------------------------------


def test_form_02_from_the_counter_prints_every_item_with_its_reason_and_number(people, tmp_path):
    """#17: a supplement request made at the counter (a reason under a component, a free row, and
    a required component not brought) prints each item in its row with all five columns, the
    number of form 02 in its agency's series and the place from the agency's settings."""
    from motcua.dossiers import reception

    from .conftest import BIRTH, applicant, version_of

    Agency.objects.filter(pk=people.commune.pk).update(place_name="Tân Thành")
    version = version_of(BIRTH)
    form_c, birth_cert, _proxy = list(version.components.order_by("order", "id"))
    result = reception.receive_at_counter(
        actor=people.receptionist, version=version, applicant=applicant(), outcome="supplement",
        present=[], items=[{"component": form_c, "reason": "Tờ khai chưa ký tên người yêu cầu"},
                           {"text": "Giấy xác nhận cư trú", "reason": "Còn thiếu, nộp bản chính"}],
        at=at(9, 9, 30))
    d = fresh(result.dossier)
    pdf = paperwork.render(d, "02")
    layout = pdf_text(pdf, tmp_path)
    text = " ".join(layout.split())
    for header in ("TT", "Thành phần hồ sơ cần bổ", "Loại giấy tờ", "Số lượng", "Nội dung cần bổ sung"):
        assert header in text, header
    rows = {int(m.group(1)): re.split(r"\s{2,}", m.group(0).strip())
            for m in re.finditer(r"(?m)^\s*([1-3])\s{2,}\S.*$", layout)}
    assert sorted(rows) == [1, 2, 3], layout
    for n, columns in rows.items():
        assert len(columns) == 5 and all(columns), (n, columns)
    assert rows[1][2:4] == [form_c.get_paper_display(), f"{form_c.copies:02d}"]
    assert rows[1][4].startswith("Tờ khai chưa ký tên")
    assert rows[2][1:4] == ["Giấy xác nhận cư trú", "—", "—"] and rows[2][4].startswith("Còn thiếu")
    assert rows[3][2:4] == [birth_cert.get_paper_display(), f"{birth_cert.copies:02d}"]
    assert rows[3][4].startswith("Chưa có trong hồ sơ")  # the required paper not brought: why, in words
    assert "Số: 1/HDHS" in text
    assert "Tân Thành, ngày 09 tháng 3 năm 2026" in text and "Cà Mau, ngày" not in text


def test_forms_03_04_and_05_take_the_place_and_their_number_from_the_agency(people, tmp_path):
    """Forms 06 and 07 have no date line (TT 03/2025); the letters 03-05 carry the place of the
    agency that issues them, from its settings, and the number of their own series."""
    Agency.objects.filter(pk=people.centre.pk).update(place_name="TP. Cà Mau")
    Agency.objects.filter(pk=people.justice.pk).update(place_name="Phường Tân Thành", abbreviation="STP")
    refused = counter_dossier(people, CRIMINAL_RECORD, receive=False)
    actions.refuse(refused, actor=people.centre_receptionist, reason="Không thuộc thẩm quyền", at=at(9, 9, 40))
    text = " ".join(pdf_text(paperwork.render(fresh(refused), "03"), tmp_path).split())
    assert "TP. Cà Mau, ngày 09 tháng 3 năm 2026" in text and "Số: 1/TCHS" in text
    d = walk_criminal_record(people)
    text = " ".join(pdf_text(paperwork.render(d, "04"), tmp_path).split())
    assert "Phường Tân Thành, ngày 18 tháng 3 năm 2026" in text and "Số: 1/STP" in text
    stopped = counter_dossier(people, CRIMINAL_RECORD, when=at(10, 9))
    actions.handover(stopped, actor=people.centre_receptionist, at=at(10, 10))
    actions.stop(stopped, actor=people.justice_leader, reason="Có tranh chấp", at=at(11, 10))
    text = " ".join(pdf_text(paperwork.render(fresh(stopped), "05"), tmp_path).split())
    assert "Phường Tân Thành, ngày 11 tháng 3 năm 2026" in text and "Số: 1/TB-STP" in text
