"""The generic application (đơn đề nghị) used when a level 3–4 procedure has no e-form of its own:
who applies, how to reach them, and what they ask for."""

from __future__ import annotations

GENERIC_TITLE = "Đơn đề nghị giải quyết thủ tục hành chính"

_APPLICANT = "I. Thông tin người đề nghị"
_REQUEST = "II. Nội dung đề nghị"

GENERIC_SCHEMA: list[dict] = [
    {"key": "applicant_name", "label": "Họ, chữ đệm, tên người đề nghị", "type": "text", "required": True,
     "prefill": "profile.full_name", "validation": {"max_length": 100},
     "pdf": {"section": _APPLICANT, "order": 10}},
    {"key": "applicant_dob", "label": "Ngày, tháng, năm sinh", "type": "date", "required": False,
     "prefill": "profile.date_of_birth", "validation": {"max_value": "today"},
     "pdf": {"section": _APPLICANT, "order": 20}},
    {"key": "applicant_id_number", "label": "Số định danh cá nhân (CCCD)", "type": "id_number", "required": True,
     "prefill": "profile.id_number", "help": "12 chữ số trên thẻ Căn cước hoặc Căn cước công dân.",
     "pdf": {"section": _APPLICANT, "order": 30}},
    {"key": "applicant_address", "label": "Nơi cư trú", "type": "address", "required": True,
     "prefill": "profile.address", "pdf": {"section": _APPLICANT, "order": 40}},
    {"key": "applicant_phone", "label": "Số điện thoại", "type": "phone", "required": True,
     "prefill": "profile.phone", "pdf": {"section": _APPLICANT, "order": 50}},
    {"key": "applicant_email", "label": "Thư điện tử", "type": "email", "required": False,
     "prefill": "profile.email", "help": "Để nhận thông báo về hồ sơ (không bắt buộc).",
     "pdf": {"section": _APPLICANT, "order": 60}},
    {"key": "request", "label": "Nội dung đề nghị", "type": "long_text", "required": True,
     "help": "Nêu ngắn gọn việc bạn đề nghị cơ quan giải quyết.",
     "validation": {"min_length": 5, "max_length": 2000},
     "pdf": {"section": _REQUEST, "order": 70}},
]
