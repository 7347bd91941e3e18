"""The paper of an online payment (issue #17), as plain data and one render function.

* A **biên lai điện tử** (NĐ 123/2020/NĐ-CP, TT 78/2021/TT-BTC): "BIÊN LAI THU PHÍ, LỆ PHÍ" with
  the agency's registered form number (mẫu số), series (ký hiệu) and number (số), the collecting
  agency, the payer, the fee lines, the amount in figures and in words, the method and the date;
* else a **XÁC NHẬN THANH TOÁN**, which says in so many words that it is not a receipt.

No ORM here: `payments.receipts` fills `FeeReceiptPaper`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from motcua.core.money import vnd, vnd_words

NOT_A_RECEIPT = "Đây không phải là biên lai thu phí, lệ phí."


@dataclass(frozen=True)
class FeeLine:
    name: str
    amount_vnd: int


@dataclass(frozen=True)
class FeeReceiptPaper:
    is_receipt: bool  # a legal e-receipt (numbered in the agency's series), else a confirmation
    agency_name: str
    agency_address: str
    agency_parent: str
    payer_name: str
    payer_address: str
    dossier_code: str
    procedure_name: str
    lines: Sequence[FeeLine]
    amount_vnd: int
    method: str  # "Chuyển khoản/thanh toán trực tuyến"
    paid_at: datetime
    reference: str  # the gateway's transaction reference
    merchant_ref: str
    provider: str = ""
    form_number: str = ""  # mẫu số
    series: str = ""  # ký hiệu
    number: str = ""  # số (7 digits)
    lookup_url: str = ""
    issued_at: datetime | None = None  # the receipt's own date (ngày lập); None: the payment's time


def render_html(paper: FeeReceiptPaper) -> str:
    from motcua.documents import render
    from motcua.documents.formatting import header_lines, local, nfc

    paper = nfc(paper)
    paid = local(paper.paid_at)
    issued = local(paper.issued_at) if paper.issued_at else paid
    context = {
        "paper": paper,
        "form_title": "Biên lai thu phí, lệ phí" if paper.is_receipt else "Xác nhận thanh toán",
        "parent_lines": header_lines(paper.agency_parent) if paper.agency_parent else [],
        "unit_lines": header_lines(paper.agency_name),
        "lines": [{"no": i, "name": line.name, "amount": vnd(line.amount_vnd, unit="")}
                  for i, line in enumerate(paper.lines, 1)],
        "amount": vnd(paper.amount_vnd, unit="đồng"),
        "amount_figures": vnd(paper.amount_vnd, unit=""),
        "words": vnd_words(paper.amount_vnd),
        "paid_time": f"{paid:%H:%M} ngày {paid:%d/%m/%Y}",
        "date_line": f"Ngày {issued:%d} tháng {issued:%m} năm {issued:%Y}",
        "not_a_receipt": NOT_A_RECEIPT,
    }
    return render._html("documents/fee_receipt.html", context)


def render_pdf(paper: FeeReceiptPaper) -> bytes:
    from motcua.documents import render

    return render._pdf(render_html(paper))
