"""Blank application forms (.docx) for the demo catalogue, made with python-docx.

Real agencies upload their official forms; the demo makes readable stand-ins with the
national heading, the form's title and its fields with dotted lines to fill by hand.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from .models import FormTemplate

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

APPLICANT_FIELDS = [
    "Họ, chữ đệm, tên người yêu cầu",
    "Số định danh cá nhân",
    "Nơi cư trú",
    "Số điện thoại, thư điện tử",
]

# Fields of the demo forms, by file name; others get the applicant fields only.
FORM_FIELDS: dict[str, list[str]] = {
    "to-khai-dang-ky-khai-sinh.docx": [
        "Quan hệ với người được khai sinh",
        "Họ, chữ đệm, tên người được khai sinh",
        "Ngày, tháng, năm sinh",
        "Giới tính",
        "Dân tộc, quốc tịch",
        "Nơi sinh",
        "Họ, chữ đệm, tên người mẹ; năm sinh; dân tộc; quốc tịch; nơi cư trú",
        "Họ, chữ đệm, tên người cha; năm sinh; dân tộc; quốc tịch; nơi cư trú",
    ],
    "to-khai-dang-ky-ket-hon.docx": [
        "Họ, chữ đệm, tên (bên nữ); ngày sinh; dân tộc; quốc tịch; nơi cư trú; số định danh",
        "Họ, chữ đệm, tên (bên nam); ngày sinh; dân tộc; quốc tịch; nơi cư trú; số định danh",
        "Kết hôn lần thứ mấy (bên nữ / bên nam)",
    ],
    "to-khai-cap-ban-sao-trich-luc.docx": [
        "Họ, chữ đệm, tên người được cấp bản sao trích lục",
        "Loại việc hộ tịch đã đăng ký",
        "Số, ngày đăng ký; nơi đăng ký",
        "Số lượng bản sao đề nghị cấp",
    ],
    "to-khai-ly-lich-tu-phap.docx": [
        "Họ, chữ đệm, tên; giới tính; ngày sinh; nơi sinh; quốc tịch",
        "Nơi thường trú; nơi tạm trú",
        "Họ, tên cha; họ, tên mẹ; họ, tên vợ/chồng",
        "Quá trình cư trú của bản thân (từ đủ 14 tuổi)",
        "Loại Phiếu lý lịch tư pháp đề nghị cấp (số 1 / số 2); số lượng",
        "Mục đích sử dụng Phiếu",
    ],
    "don-de-nghi-cap-giay-phep-xay-dung.docx": [
        "Tên chủ đầu tư; người đại diện; địa chỉ liên hệ",
        "Địa điểm xây dựng: lô đất số, diện tích, tại số nhà, đường, xã/phường",
        "Nội dung đề nghị cấp phép: loại công trình, cấp công trình",
        "Diện tích xây dựng tầng 1; tổng diện tích sàn; chiều cao; số tầng",
        "Dự kiến thời gian hoàn thành công trình",
    ],
    "giay-de-nghi-dang-ky-dntn.docx": [
        "Tên doanh nghiệp viết bằng tiếng Việt; tên viết tắt",
        "Địa chỉ trụ sở chính",
        "Ngành, nghề kinh doanh (mã ngành cấp 4)",
        "Vốn đầu tư của chủ doanh nghiệp tư nhân",
        "Thông tin chủ doanh nghiệp tư nhân",
    ],
    "giay-de-nghi-dang-ky-ho-kinh-doanh.docx": [
        "Tên hộ kinh doanh",
        "Địa chỉ trụ sở hộ kinh doanh",
        "Ngành, nghề kinh doanh",
        "Vốn kinh doanh",
        "Số lượng lao động",
        "Thông tin chủ hộ kinh doanh",
    ],
    "don-dang-ky-dat-dai.docx": [
        "Người sử dụng đất, chủ sở hữu tài sản gắn liền với đất",
        "Thửa đất đăng ký: thửa số, tờ bản đồ số, địa chỉ, diện tích, mục đích sử dụng",
        "Tài sản gắn liền với đất (nếu có)",
        "Đề nghị cấp Giấy chứng nhận: có / không",
        "Giấy tờ nộp kèm theo",
    ],
}


def build_docx(title: str, fields: list[str]) -> bytes:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)

    def centered(text: str, *, bold: bool = False, size: int = 13) -> None:
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = para.add_run(text)
        run.bold = bold
        run.font.size = Pt(size)

    centered("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True)
    centered("Độc lập - Tự do - Hạnh phúc", bold=True)
    centered("―――――――――")
    centered(title.upper(), bold=True, size=15)
    doc.add_paragraph("Kính gửi: ……………………………………………………………")
    for label in [*APPLICANT_FIELDS, *fields]:
        doc.add_paragraph(f"{label}: " + "…" * 40)
    doc.add_paragraph(
        "Tôi cam đoan những nội dung khai trên đây là đúng sự thật và chịu trách nhiệm trước "
        "pháp luật về cam đoan của mình."
    )
    para = doc.add_paragraph("…………, ngày …… tháng …… năm ……")
    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    para = doc.add_paragraph("Người yêu cầu\n(Ký, ghi rõ họ, chữ đệm, tên)")
    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def title_for(template: FormTemplate) -> str:
    title = template.title or template.filename.rsplit(".", 1)[0].replace("-", " ")
    return title.removesuffix(" theo mẫu")


def attach_file(template: FormTemplate, name: str, content: bytes, content_type: str) -> None:
    """Store a new file for a form; the old file stays in storage (never overwritten)."""
    from .actions import attach_form_file

    attach_form_file(template, name=name, content=content, content_type=content_type)


def generate_missing() -> int:
    """Make a .docx for every form template that has no file yet. Returns how many."""
    made = 0
    for template in FormTemplate.objects.filter(file=""):
        if not template.filename.endswith(".docx"):
            continue
        content = build_docx(title_for(template), FORM_FIELDS.get(template.filename, []))
        attach_file(template, template.filename, content, DOCX_TYPE)
        made += 1
    return made
