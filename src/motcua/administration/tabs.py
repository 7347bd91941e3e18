"""The sections of a draft (URL segment, label), shown as tabs by _draft_tabs.html."""

from django.utils.translation import gettext_lazy as _

DRAFT_TABS = [
    ("chung", _("Thông tin chung")),
    ("truong-hop", _("Trường hợp, thời hạn")),
    ("thanh-phan", _("Thành phần hồ sơ")),
    ("le-phi", _("Phí, lệ phí")),
    ("huong-dan", _("Hướng dẫn, video")),
    ("hoi-dap", _("Hỏi đáp")),
    ("bieu-mau", _("Biểu mẫu điện tử")),
    ("quy-trinh", _("Quy trình xử lý")),
    ("kiem-tra", _("Kiểm tra và công bố")),
]


def tab_context(procedure, tab: str) -> dict:
    return {"procedure": procedure, "tab": tab, "draft_tabs": DRAFT_TABS, "nav": "administration"}
