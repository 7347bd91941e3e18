"""Each official form renders from plain data, and its Vietnamese text comes back out intact."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from functools import cache

import pytest

from motcua.documents import fonts
from motcua.documents.forms import (
    ApplicantInfo,
    ControlSheetForm,
    LedgerForm,
    ReceiptForm,
    render_apology_extension,
    render_control_sheet,
    render_form,
    render_html,
    render_ledger,
    render_receipt,
    render_refusal,
    render_stop_notice,
    render_supplement_request,
)
from tests.documents import samples
from tests.documents.conftest import squash

COMMON = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Thông tư số 03/2025/TT-VPCP"]


@cache
def rendered(name: str) -> bytes:
    makers = {
        "01": lambda: render_receipt(samples.receipt()),
        "01-80mm": lambda: render_receipt(samples.receipt(), layout="80mm"),
        "02": lambda: render_supplement_request(samples.supplement()),
        "03": lambda: render_refusal(samples.refusal()),
        "04": lambda: render_apology_extension(samples.apology()),
        "05": lambda: render_stop_notice(samples.stop()),
        "06": lambda: render_control_sheet(samples.control_sheet()),
        "07": lambda: render_ledger(samples.ledger(120)),
    }
    return makers[name]()


EXPECTED = {
    "01": [
        "Mẫu số 01",
        "ỦY BAN NHÂN DÂN TỈNH THANH HÓA",
        "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH",
        "Số: 7/TNHS",
        "Thanh Hóa, ngày 27 tháng 11 năm 2026",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Mã hồ sơ: 000.00.25.H12-261127-0007",
        "Nguyễn Thị Hồng Đào",
        "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
        "TT",
        "Tên giấy tờ",
        "Loại giấy tờ",
        "Số lượng",
        "Bản sao chứng thực",
        "Số lượng hồ sơ: 01 (bộ)",
        "10 ngày làm việc",
        "Thời gian nhận hồ sơ: 09 giờ 15 phút, ngày 27/11/2026",
        "Thời gian trả kết quả giải quyết hồ sơ: 09 giờ 15 phút, ngày 11/12/2026",
        "Đăng ký nhận kết quả tại: Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
        "Lệ phí: 200.000 đồng",
        "Vào Sổ theo dõi hồ sơ, Quyển số: 03/2026",
        "Số thứ tự: 1287",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "(Ký và ghi rõ họ tên)",
        "Mã tra cứu: K7XQ2M",
        "Lê Văn Tiến",
    ],
    "01-80mm": [
        "Mẫu số 01",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ",
        "000.00.25.H12-261127-0007",
        "Nguyễn Thị Hồng Đào",
        "10 ngày làm việc",
        "09 giờ 15 phút, ngày 11/12/2026",
        "Bản sao chứng thực",
        "K7XQ2M",
    ],
    "02": [
        "Mẫu số 02",
        "Số: 21/HDHS",
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "Nguyễn Thị Hồng Đào",
        "Giấy tờ chứng minh nơi cư trú",
        "Chưa có chữ ký của người ủy quyền",
        "Lý do: Hồ sơ chưa đầy đủ thành phần theo quy định.",
        "0237 3 858 889",
        "NGƯỜI HƯỚNG DẪN",
    ],
    "03": [
        "Mẫu số 03",
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        "Nguyễn Thị Hồng Đào",
        "Yêu cầu không thuộc thẩm quyền giải quyết của Sở Tư pháp tỉnh Thanh Hóa.",
        "Thanh Hóa, ngày 27 tháng 11 năm 2026",
        "Lê Văn Tiến",
    ],
    "04": [
        "Mẫu số 04",
        "Số: 1520/STP-HCTP",
        "V/v xin lỗi và đề nghị gia hạn thời gian giải quyết hồ sơ",
        "Kính gửi: Ông/Bà Nguyễn Thị Hồng Đào",
        "Ngày 27 tháng 11 năm 2026",
        "09 giờ 15 phút, ngày 11/12/2026",
        "xin lỗi",
        "16 giờ 00 phút, ngày 16/12/2026",
        "GIÁM ĐỐC",
        "Trần Quốc Việt",
        "Nơi nhận:",
    ],
    "05": [
        "Mẫu số 05",
        "THÔNG BÁO",
        "DỪNG GIẢI QUYẾT HỒ SƠ",
        "Kính gửi: Ông/Bà Nguyễn Thị Hồng Đào",
        "Căn cứ Khoản 2 Điều 49 Luật Lý lịch tư pháp năm 2009",
        "Lý do: Người yêu cầu đang bị truy cứu trách nhiệm hình sự",
        "Thanh Hóa, ngày 02 tháng 12 năm 2026",
    ],
    "06": [
        "Mẫu số 06",
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        "Mã hồ sơ: 000.00.25.H12-261127-0007",
        "Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả số: 7/TNHS",
        "Cơ quan (bộ phận) giải quyết hồ sơ: Sở Tư pháp tỉnh Thanh Hóa",
        "Cơ quan phối hợp giải quyết hồ sơ: Công an tỉnh Thanh Hóa",
        "TÊN CƠ QUAN",
        "THỜI GIAN GIAO, NHẬN HỒ SƠ",
        "KẾT QUẢ GIẢI",
        "GHI CHÚ",
        "1. Giao: 09 giờ 45 phút, ngày 27/11/2026",
        "2. Nhận: 10 giờ 00 phút, ngày 27/11/2026",
        "Người giao",
        "Người nhận",
        "Trước hạn",
        "Đúng hạn",
        "Quá hạn",
        "Phạm Thu Hà",
    ],
    "07": [
        "Mẫu số 07",
        "SỔ THEO DÕI HỒ SƠ",
        "Quyển số: 03/2026",
        "Từ ngày 01/11/2026 đến ngày 30/11/2026",
        "STT",
        "Tên TTHC",
        "Tên cá nhân, tổ chức",
        "Địa chỉ, số điện thoại",
        "Nhận hồ sơ",
        "Hẹn trả kết quả",
        "Ghi chú",
        "Nguyễn Thị Hồng Đào",
        "Cấp Phiếu lý lịch tư pháp",
        "Đăng ký khai sinh",
    ],
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_it_renders_each_form_with_vietnamese_text_intact(name, reader):
    pdf = rendered(name)
    assert pdf.startswith(b"%PDF-")
    text = squash(reader.text(pdf))
    for needle in [*COMMON[:1], *EXPECTED[name]] if name != "01-80mm" else EXPECTED[name]:
        assert squash(needle) in text, f"form {name}: {needle!r} missing"
    if name not in ("01-80mm",):
        for needle in COMMON:
            assert needle in text


@pytest.mark.parametrize("name", ["01", "02", "03", "04", "05", "06"])
def test_it_fits_the_single_forms_on_one_a4_page(name, reader):
    info = reader.info(rendered(name))
    assert info["Pages"] == "1"
    assert info["Page size"].startswith("595.")  # A4 portrait, 595 x 842 pt


def test_it_prints_the_80mm_receipt_on_one_narrow_page_as_long_as_its_content(reader):
    info = reader.info(rendered("01-80mm"))
    assert info["Pages"] == "1"
    width, _, height = info["Page size"].split()[:3]
    assert abs(float(width) - 80 / 25.4 * 72) < 0.5
    assert 300 < float(height) < 842


def test_it_spreads_a_long_ledger_over_landscape_pages_with_the_header_repeated(reader):
    pdf = rendered("07")
    info = reader.info(pdf)
    pages = int(info["Pages"])
    assert pages >= 3
    width, _, height = info["Page size"].split()[:3]
    assert float(width) > float(height)  # landscape
    text = squash(reader.text(pdf))
    for i in range(120):
        assert samples.ledger_code(i) in text
    for page in range(1, pages + 1):
        page_text = squash(reader.text(pdf, first=page, last=page))
        assert "Mã hồ sơ" in page_text and "Tên TTHC" in page_text and "Trả kết quả cho cá nhân, tổ chức" in page_text
        assert f"Trang {page}/{pages}" in page_text


def test_it_numbers_ledger_rows_in_order_unless_given(reader):
    form = samples.ledger(3)
    rows = [form.rows[0], form.rows[1], replace(form.rows[2], number=1288)]
    text = squash(reader.text(render_ledger(replace(form, rows=rows)), layout=True))
    assert "1 000.00.25.H12-261110-0001" in text
    assert "2 000.00.25.H12-261110-0002" in text
    assert "1288 000.00.25.H12-261110-0003" in text


def test_it_normalises_decomposed_input_to_nfc(reader):
    nfd_name = unicodedata.normalize("NFD", "Nguyễn Thị Hồng Đào")
    form = replace(samples.receipt(), applicant=ApplicantInfo(name=nfd_name, phone="0912 345 678"))
    html = render_html(form)
    assert unicodedata.is_normalized("NFC", html)
    assert "Nguyễn Thị Hồng Đào" in html
    assert nfd_name not in html
    text = reader.text(render_receipt(form))
    assert "Nguyễn Thị Hồng Đào" in text


def test_it_embeds_only_its_own_fonts_so_nothing_falls_back_to_fontconfig(reader):
    for name in ("01", "01-80mm", "07"):
        listing = reader.fonts(rendered(name))
        rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
        assert rows
        for row in rows:
            # name type… encoding emb sub uni object ID
            assert row[0].split("+", 1)[1].split("-")[0] in ("MotcuaSerif", "MotcuaSans"), listing
            assert row[-5:-2] == ["yes", "yes", "yes"], listing  # embedded, subset, with a ToUnicode map


VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"


@pytest.mark.parametrize("kind", ["serif", "sans"])
def test_it_picks_font_files_that_cover_every_vietnamese_letter(kind):
    from fontTools.ttLib import TTFont

    family = fonts.font_family(kind)
    for path in family.files().values():
        cmap = TTFont(path, lazy=True).getBestCmap()
        missing = [c for c in VIETNAMESE + VIETNAMESE.upper() if ord(c) not in cmap]
        assert not missing, f"{path}: {''.join(missing)}"


def test_it_prints_user_text_as_text_never_as_markup(reader):
    hostile = '<img src="http://127.0.0.1:9/x.png"> & <b>Đào</b>'
    form = replace(samples.receipt(), applicant=ApplicantInfo(name=hostile))
    html = render_html(form)
    assert '<img src="http://127.0.0.1' not in html
    assert "&lt;b&gt;Đào&lt;/b&gt;" in html
    assert squash(hostile) in squash(reader.text(render_receipt(form)))


def test_it_refuses_to_fetch_anything_but_data_and_its_fonts():
    from motcua.documents import render

    fetcher = render._fetcher_class()(allowed_protocols=("data", "file"))
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(ValueError):
        fetcher.fetch("http://127.0.0.1:9/x.png")
    font = fonts.font_family("serif").regular.resolve().as_uri()
    assert fetcher.fetch(font).read(4) in (b"\x00\x01\x00\x00", b"OTTO", b"true")


def test_it_renders_forms_with_only_the_required_fields(reader):
    minimal = ReceiptForm(
        agency=samples.CENTRE,
        dossier_code=samples.CODE,
        applicant=ApplicantInfo(name="Đặng Văn Ơn"),
        procedure_name="Đăng ký khai sinh",
        received_at=samples.RECEIVED,
        due_at=None,
    )
    text = squash(reader.text(render_receipt(minimal)))
    assert "Đặng Văn Ơn" in text
    assert "Số: ……/TNHS" in text
    assert "Phí, lệ phí (nếu có): Không" in text
    sheet = ControlSheetForm(agency=samples.CENTRE, dossier_code=samples.CODE, rows=(), blank_rows=3)
    assert squash(reader.text(render_control_sheet(sheet))).count("Người giao") == 3
    empty = LedgerForm(agency=samples.CENTRE, rows=())
    assert "Không có hồ sơ trong kỳ." in squash(reader.text(render_ledger(empty)))


def test_it_dispatches_any_form_to_its_renderer():
    for make in (
        samples.receipt,
        samples.supplement,
        samples.refusal,
        samples.apology,
        samples.stop,
        samples.control_sheet,
    ):
        assert render_form(make()).startswith(b"%PDF-")
    assert render_form(samples.receipt(), layout="80mm").startswith(b"%PDF-")
    with pytest.raises(TypeError):
        render_form(object())
    with pytest.raises(ValueError):
        render_receipt(samples.receipt(), layout="a5")  # type: ignore[arg-type]
