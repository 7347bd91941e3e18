"""Hand-made data for every form (no database)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from motcua.documents.forms import (
    AgencyInfo,
    ApologyExtensionForm,
    ApplicantInfo,
    ComponentLine,
    ControlSheetForm,
    HandoverRow,
    LedgerForm,
    LedgerRow,
    ReceiptForm,
    RefusalForm,
    StopNoticeForm,
    SupplementRequestForm,
    build_tracking_url,
)

VN = timezone(timedelta(hours=7))
CODE = "000.00.25.H12-261127-0007"
KEY = "K7XQ2M"
URL = build_tracking_url("https://dichvucong.thanhhoa.gov.vn", CODE, KEY)
PROCEDURE = "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam"

CENTRE = AgencyInfo(
    name="Trung tâm Phục vụ hành chính công tỉnh",
    parent_name="Ủy ban nhân dân tỉnh Thanh Hóa",
    address="28 Đại lộ Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa",
    phone="0237 3 858 888",
)
JUSTICE = AgencyInfo(name="Sở Tư pháp", parent_name="Ủy ban nhân dân tỉnh Thanh Hóa")
APPLICANT = ApplicantInfo(
    name="Nguyễn Thị Hồng Đào",
    id_number="038192004567",
    address="Số 12 ngõ 5 phố Trường Thi, phường Hạc Thành, tỉnh Thanh Hóa",
    phone="0912 345 678",
    email="hongdao@example.vn",
)
COMPONENTS = (
    ComponentLine("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (Mẫu số 03/2013/TT-LLTP)", "Bản chính", 1),
    ComponentLine("Căn cước công dân / Thẻ căn cước của người được cấp Phiếu lý lịch tư pháp", "Bản sao", 1),
    ComponentLine("Giấy tờ chứng minh nơi cư trú", "Bản sao chứng thực", 2),
)
RECEIVED = datetime(2026, 11, 27, 9, 15, tzinfo=VN)
DUE = datetime(2026, 12, 11, 9, 15, tzinfo=VN)


def receipt() -> ReceiptForm:
    return ReceiptForm(
        agency=CENTRE,
        dossier_code=CODE,
        applicant=APPLICANT,
        procedure_name=PROCEDURE,
        received_at=RECEIVED,
        due_at=DUE,
        components=COMPONENTS,
        tracking_key=KEY,
        tracking_url=URL,
        number="7",
        place="Thanh Hóa",
        processing_time="10 ngày làm việc",
        result_delivery="Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
        fees="Lệ phí: 200.000 đồng",
        ledger_book="03/2026",
        ledger_entry="1287",
        receiver_name="Lê Văn Tiến",
    )


def supplement() -> SupplementRequestForm:
    return SupplementRequestForm(
        agency=CENTRE,
        applicant=APPLICANT,
        procedure_name=PROCEDURE,
        missing=(
            ComponentLine("Giấy tờ chứng minh nơi cư trú", "Bản sao chứng thực", 1, "Bản đã nộp hết hạn"),
            ComponentLine("Văn bản ủy quyền", "Bản chính", 1, "Chưa có chữ ký của người ủy quyền"),
        ),
        reason="Hồ sơ chưa đầy đủ thành phần theo quy định.",
        contact_officer="Lê Văn Tiến",
        contact_phone="0237 3 858 889",
        dossier_code=CODE,
        number="21",
        place="Thanh Hóa",
        issued_on=date(2026, 11, 27),
    )


def refusal() -> RefusalForm:
    return RefusalForm(
        agency=CENTRE,
        applicant=APPLICANT,
        procedure_name=PROCEDURE,
        reason="Yêu cầu không thuộc thẩm quyền giải quyết của Sở Tư pháp tỉnh Thanh Hóa.",
        components=COMPONENTS,
        officer_name="Lê Văn Tiến",
        refused_on=date(2026, 11, 27),
        number="3",
        place="Thanh Hóa",
    )


def apology() -> ApologyExtensionForm:
    return ApologyExtensionForm(
        agency=JUSTICE,
        applicant=APPLICANT,
        dossier_code=CODE,
        procedure_name=PROCEDURE,
        received_at=RECEIVED,
        due_at=DUE,
        new_due_at=datetime(2026, 12, 16, 16, 0, tzinfo=VN),
        reason="Cần xác minh thông tin lý lịch tư pháp tại cơ quan công an nơi cư trú trước đây.",
        receiving_agency="Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
        signer_title="GIÁM ĐỐC",
        signer_name="Trần Quốc Việt",
        number="1520/STP-HCTP",
        place="Thanh Hóa",
        issued_on=date(2026, 12, 9),
    )


def stop() -> StopNoticeForm:
    return StopNoticeForm(
        agency=JUSTICE,
        applicant=APPLICANT,
        dossier_code=CODE,
        procedure_name=PROCEDURE,
        reason="Người yêu cầu đang bị truy cứu trách nhiệm hình sự, chưa đủ căn cứ để cấp Phiếu.",
        received_at=RECEIVED,
        legal_basis="Khoản 2 Điều 49 Luật Lý lịch tư pháp năm 2009",
        signer_title="GIÁM ĐỐC",
        signer_name="Trần Quốc Việt",
        number="88/TB-STP",
        place="Thanh Hóa",
        issued_on=date(2026, 12, 2),
    )


def control_sheet() -> ControlSheetForm:
    t = RECEIVED
    return ControlSheetForm(
        agency=CENTRE,
        dossier_code=CODE,
        receipt_number="7/TNHS",
        processing_agency="Sở Tư pháp tỉnh Thanh Hóa",
        coordinating_agencies="Công an tỉnh Thanh Hóa",
        procedure_name=PROCEDURE,
        applicant_name=APPLICANT.name,
        rows=(
            HandoverRow(
                "Bộ phận Một cửa",
                "Phòng Hành chính tư pháp",
                t + timedelta(minutes=30),
                "Lê Văn Tiến",
                "Phạm Thu Hà",
                t + timedelta(minutes=45),
                "early",
            ),
            HandoverRow(
                "Phòng Hành chính tư pháp",
                "Lãnh đạo Sở",
                t + timedelta(days=5),
                "Phạm Thu Hà",
                "Trần Quốc Việt",
                None,
                "on_time",
                "Trình ký",
            ),
            HandoverRow(
                "Lãnh đạo Sở",
                "Bộ phận Một cửa",
                t + timedelta(days=8, hours=2),
                "Trần Quốc Việt",
                "Lê Văn Tiến",
                None,
                "late",
                "Chậm 1 ngày",
            ),
            HandoverRow(
                "Bộ phận Một cửa", "Tổ chức, cá nhân", t + timedelta(days=9), "Lê Văn Tiến", APPLICANT.name, None, None
            ),
        ),
    )


FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ")
GIVEN_NAMES = ("Thị Hồng Đào", "Văn Hưng", "Thị Ngọc Ánh", "Quốc Việt", "Minh Đức", "Thị Thủy", "Hữu Nghĩa")


def ledger_code(i: int) -> str:
    return f"000.00.25.H12-2611{(i // 40) + 10:02d}-{i % 40 + 1:04d}"


def ledger(n: int = 120) -> LedgerForm:
    rows = []
    for i in range(n):
        received = datetime(2026, 11, 10, 7, 30, tzinfo=VN) + timedelta(days=i // 40, minutes=7 * (i % 40))
        rows.append(
            LedgerRow(
                code=ledger_code(i),
                procedure_name="Cấp Phiếu lý lịch tư pháp" if i % 3 else "Đăng ký khai sinh",
                applicant_name=f"{FAMILY_NAMES[i % len(FAMILY_NAMES)]} {GIVEN_NAMES[i % len(GIVEN_NAMES)]}",
                applicant_address="Phường Hạc Thành, tỉnh Thanh Hóa",
                applicant_phone=f"09{i:08d}",
                lead_agency="Sở Tư pháp",
                received_at=received,
                due_at=received + timedelta(days=14),
                sent_to_agency_at=received + timedelta(hours=1) if i % 2 == 0 else None,
                result_received_at=received + timedelta(days=12) if i % 4 == 0 else None,
                returned_at=received + timedelta(days=13) if i % 8 == 0 else None,
                note="Liên thông" if i % 10 == 0 else "",
            )
        )
    return LedgerForm(
        agency=CENTRE, rows=rows, period_from=date(2026, 11, 1), period_to=date(2026, 11, 30), book_number="03/2026"
    )
