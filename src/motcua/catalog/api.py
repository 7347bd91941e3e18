"""Public catalogue API: /api/v1/procedures (search, filters, pagination) and detail by code."""

from __future__ import annotations

from django.core.paginator import Paginator
from ninja import Field, Query, Router, Schema

from motcua.core.api_errors import ApiError

from . import zero_results
from .fees import fee_words
from .models import Procedure, ProcedureVersion
from .presentation import fee_display, time_display
from .search import Filters, search

router = Router(tags=["procedures"])

MAX_PAGE = 10_000


class ProcedureQuery(Schema):
    q: str = ""
    agency: str = ""
    sector: str = ""
    level: int | None = None
    subject: str = ""
    page: int = 1
    page_size: int = 20


class AgencyOut(Schema):
    unit_code: str
    name: str
    address: str = ""


class CaseSummary(Schema):
    name: str
    time_amount: float
    time_unit: str
    time_text: str
    cutoff: str | None


class ProcedureSummary(Schema):
    code: str
    name: str
    version: int
    sector: str
    sector_name: str
    level: int
    agency: AgencyOut
    receiving_agency: AgencyOut
    subjects: list[str]
    url: str


class ProcedureList(Schema):
    count: int = Field(..., description="Số thủ tục khớp với q (chỉ tính results, không tính suggestions)")
    page: int
    pages: int
    results: list[ProcedureSummary] = Field(..., description="Các thủ tục khớp với q, phù hợp nhất trước")
    suggestions: list[ProcedureSummary] = Field(
        default_factory=list,
        description="Khi không thủ tục nào khớp với q: tối đa 5 thủ tục gần giống nhất (chỉ có một số từ giống), "
                    "để gợi ý, KHÔNG phải kết quả. Rỗng khi có kết quả hoặc q rỗng.")


class StepOut(Schema):
    name: str
    role: str
    quota_hours: float
    agency: str | None
    approval: bool = Field(False, description="Bước ký duyệt: người giữ bước duyệt và ký số kết quả")


class CaseOut(CaseSummary):
    steps: list[StepOut]


class ComponentOut(Schema):
    name: str
    paper: str
    paper_text: str
    copies: int
    required: bool
    accepted_types: list[str]
    form_url: str | None


class FeeOut(Schema):
    name: str
    amount_vnd: int
    amount_text: str
    rule_text: str  # how the amount is reckoned, in words (issue #17)
    note: str
    collected: str
    basis: str = Field("dossier", description="dossier (mỗi hồ sơ), copy (mỗi bản: khai fee_inputs.copies) hoặc "
                                              "page (mỗi trang: khai fee_inputs.copies và fee_inputs.pages)")
    reduction_kinds: list[str] = Field(default_factory=list,
                                       description="Các đối tượng được giảm phí: giá trị hợp lệ của fee_inputs.kind")


class ProcedureDetail(ProcedureSummary):
    public_service_code: str
    service_class_2022: str
    legal_basis: list[str]
    requirements: str
    result: str
    how_to_submit: str
    published_at: str | None
    cases: list[CaseOut]
    components: list[ComponentOut]
    fees: list[FeeOut]


def _agency(a) -> dict:
    return {"unit_code": a.unit_code, "name": a.name, "address": a.address}


def _summary(v: ProcedureVersion, request) -> dict:
    return {
        "code": v.procedure.code,
        "name": v.name,
        "version": v.number,
        "sector": v.sector.code,
        "sector_name": v.sector.name,
        "level": v.level,
        "agency": _agency(v.agency),
        "receiving_agency": _agency(v.receiving_agency),
        "subjects": [s for s, on in (("citizen", v.for_citizens), ("business", v.for_businesses)) if on],
        "url": request.build_absolute_uri(v.procedure.get_absolute_url()),
    }


@router.get("", response=ProcedureList, summary="Tìm và liệt kê thủ tục hành chính")
def list_procedures(request, params: Query[ProcedureQuery]):
    if params.level is not None and not 1 <= params.level <= 4:
        raise ApiError(400, "invalid_parameter", "Tham số 'level' phải từ 1 đến 4.", parameter="level")
    if params.subject not in ("", "citizen", "business"):
        raise ApiError(400, "invalid_parameter", "Tham số 'subject' nhận citizen hoặc business.",
                       parameter="subject")
    size = min(max(params.page_size, 1), 100)
    filters = Filters(agency=params.agency, sector=params.sector, level=params.level, subject=params.subject)
    qs = search(params.q, filters).select_related("procedure", "sector", "agency", "receiving_agency")
    suggestions = qs.suggestions() if params.q.strip() and not qs.matched else []
    if params.q.strip() and not qs.matched and params.page <= 1 and filters == Filters():
        zero_results.record_request(request, params.q)
    paginator = Paginator(qs, size)
    # An out-of-range page answers an empty list, never an error.
    page_number = min(max(params.page, 1), MAX_PAGE)
    count = paginator.count
    items = list(paginator.page(page_number).object_list) if page_number <= paginator.num_pages else []
    return {
        "count": count,
        "page": page_number,
        "pages": paginator.num_pages if count else 0,
        "results": [_summary(v, request) for v in items],
        "suggestions": [_summary(v, request) for v in suggestions],
    }


@router.get("/{code}", response=ProcedureDetail, summary="Chi tiết thủ tục (phiên bản đang áp dụng)")
def procedure_detail(request, code: str):
    procedure = (
        Procedure.objects.filter(code=code[:50], published__isnull=False)
        .select_related(
            "published__sector", "published__agency", "published__receiving_agency", "published__procedure"
        )
        .first()
    )
    if procedure is None:
        raise ApiError(404, "procedure_not_found", f"Không tìm thấy thủ tục có mã '{code[:50]}'.")
    v = procedure.published
    cases = v.cases.prefetch_related("steps__agency")
    out = _summary(v, request)
    out.update(
        public_service_code=v.public_service_code,
        service_class_2022=v.service_class_2022,
        legal_basis=v.legal_basis_list,
        requirements=v.requirements,
        result=v.result,
        how_to_submit=v.how_to_submit,
        published_at=v.published_at.astimezone().isoformat() if v.published_at else None,
        cases=[
            {
                "name": c.name,
                "time_amount": float(c.time_amount),
                "time_unit": c.time_unit,
                "time_text": time_display(c),
                "cutoff": c.cutoff_time.strftime("%H:%M") if c.cutoff_time else None,
                "steps": [
                    {"name": s.name, "role": s.role, "quota_hours": float(s.quota_hours),
                     "agency": s.agency.unit_code if s.agency_id else None, "approval": s.approval}
                    for s in c.steps.all()
                ],
            }
            for c in cases
        ],
        components=[
            {
                "name": c.name,
                "paper": c.paper,
                "paper_text": c.get_paper_display(),
                "copies": c.copies,
                "required": c.required,
                "accepted_types": [t.strip() for t in c.accepted_types.split(",") if t.strip()],
                "form_url": request.build_absolute_uri(c.form.get_absolute_url())
                if c.form_id and c.form.available else None,
            }
            for c in v.components.select_related("form")
        ],
        fees=[
            {"name": f.name, "amount_vnd": f.amount_vnd, "amount_text": fee_display(f.amount_vnd),
             "rule_text": fee_words(f), "note": f.note, "collected": f.collected, "basis": f.basis or "dossier",
             "reduction_kinds": [str(r.get("kind", "")) for r in (f.reductions or []) if isinstance(r, dict)]}
            for f in v.fees.all()
        ],
    )
    return out


