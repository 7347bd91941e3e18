"""The e-form builder (/can-bo/quan-tri/thu-tuc/<code>/ban-nhap/bieu-mau/): the draft's EForm, field by field.

Views are thin: forms, rendering and messages. Every save is an `eforms.actions` function (it locks the
draft, runs the `eforms.editing` operation, saves and writes the change log in one transaction); its
EFormError becomes a form error or a message. Only the draft's e-form is ever edited (`draft_required`,
which also answers the action's NotADraft); a published version's e-form is never touched.
Works without JavaScript: moves are "Lên"/"Xuống" buttons, the key is suggested from the label on the
server when left empty (``static/administration/eform_builder.js`` also suggests it while typing).
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from motcua.catalog.models import Component
from motcua.eforms import actions, editing, rendering
from motcua.eforms.defaults import GENERIC_TITLE
from motcua.eforms.models import EForm
from motcua.eforms.schema import (
    MAX_FIELDS,
    MAX_ROWS,
    MAX_TEXT,
    PREFILL_SOURCES,
    PREFILL_TYPES,
    TYPE_LABELS,
    TYPES,
    applicant_from,
    clean_data,
    initial_values,
    subject_fields,
    summary,
    validate_schema,
)
from motcua.staff.pages import staff_render

from .access import draft_required, saves_nothing
from .tabs import tab_context

PREFILL_LABELS = {
    "profile.full_name": gettext_lazy("Họ và tên trong tài khoản"),
    "profile.id_number": gettext_lazy("Số định danh cá nhân trong tài khoản"),
    "profile.date_of_birth": gettext_lazy("Ngày sinh trong tài khoản"),
    "profile.address": gettext_lazy("Địa chỉ trong tài khoản"),
    "profile.phone": gettext_lazy("Số điện thoại trong tài khoản"),
    "profile.email": gettext_lazy("Thư điện tử trong tài khoản"),
    "profile.birth_year": gettext_lazy("Năm sinh trong tài khoản"),
}
TYPE_HINTS = {
    "text": gettext_lazy("Họ tên, nơi sinh, nghề nghiệp… (một dòng chữ)."),
    "long_text": gettext_lazy("Nội dung đề nghị, lý do… (nhiều dòng)."),
    "number": gettext_lazy("Số lượng, diện tích, số tiền."),
    "date": gettext_lazy("Ngày sinh, ngày cấp…"),
    "choice": gettext_lazy("Người dân chọn một trong danh sách (giới tính, dân tộc…)."),
    "multi_choice": gettext_lazy("Người dân đánh dấu một hoặc nhiều mục."),
    "yes_no": gettext_lazy("Câu hỏi trả lời Có hoặc Không."),
    "id_number": gettext_lazy("Số CCCD 12 chữ số."),
    "phone": gettext_lazy("Số điện thoại di động hoặc cố định."),
    "email": gettext_lazy("Địa chỉ thư điện tử."),
    "address": gettext_lazy("Chọn tỉnh, xã từ danh sách và ghi số nhà, thôn, ấp."),
    "repeat": gettext_lazy("Bảng có nhiều dòng, mỗi dòng nhiều cột (danh sách con, người thừa kế…)."),
}
BLANK_CHOICE_ROWS = 2
MAX_CHOICE_ROWS = 300
TODAY_WORDS = {"today", "hom nay", "ngay nop"}
NEW_SECTION = "__moi__"  # the PDF section picker's «+ Mục mới»


def _base(procedure_code: str) -> str:
    return f"/can-bo/quan-tri/thu-tuc/{procedure_code}/ban-nhap/bieu-mau/"


# --- forms ------------------------------------------------------------------------------------------


class EFormSettingsForm(forms.ModelForm):
    start_generic = forms.BooleanField(
        label=gettext_lazy("Bắt đầu với các trường của đơn đề nghị chung"), required=False, initial=True,
        help_text=gettext_lazy("Họ tên, ngày sinh, số định danh, nơi cư trú, điện thoại, thư điện tử và nội dung "
                               "đề nghị, điền sẵn từ tài khoản người dân. Bạn sửa, xóa, thêm được sau."),
    )

    # Not a model field of the form: the action checks it against the fields of the e-form.
    subject_field = forms.ChoiceField(
        label=gettext_lazy("Trường đối tượng của hồ sơ"), required=False,
        help_text=gettext_lazy("Câu trả lời của trường này (ví dụ tên của trẻ khi đăng ký khai sinh) hiện bên cạnh "
                               "người nộp trong hộp hồ sơ, danh sách chờ tiếp nhận, chờ trả kết quả, và tìm được; "
                               "nhờ đó phân biệt hai hồ sơ của cùng một người nộp."),
    )

    class Meta:
        model = EForm
        fields = ["title", "component"]

    def __init__(self, *args, version, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["component"].queryset = Component.objects.filter(version=version).order_by("order", "id")
        self.fields["component"].empty_label = _("— Thành phần có mẫu đơn, tờ khai (tự chọn) —")
        self.fields["title"].error_messages["required"] = _("Hãy nhập tên tờ khai, ví dụ «Tờ khai đăng ký khai sinh».")
        if not creating:
            del self.fields["start_generic"]
            self.fields["subject_field"].choices = [("", _("— Không có —")),
                                                    *subject_fields(self.instance.schema or [])]
            self.fields["subject_field"].initial = self.instance.subject_field
        else:
            del self.fields["subject_field"]

    def _post_clean(self):
        # The fields are edited (and checked) one by one in the builder: problems an old import left in
        # the schema are listed there and must not block renaming the form.
        schema, self.instance.schema = self.instance.schema, []
        subject, self.instance.subject_field = self.instance.subject_field, ""  # checked by the action
        try:
            super()._post_clean()
        finally:
            self.instance.schema, self.instance.subject_field = schema, subject


def _optional_int(label, *, max_value=None, help_text=""):
    return forms.IntegerField(
        label=label, required=False, min_value=0, max_value=max_value, help_text=help_text,
        error_messages={"invalid": _("Hãy nhập một số nguyên (0, 1, 2…)."),
                        "min_value": _("Không được nhỏ hơn %(limit_value)s."),
                        "max_value": _("Không được lớn hơn %(limit_value)s.")},
    )


def _optional_number(label, help_text=""):
    return forms.DecimalField(
        label=label, required=False, max_digits=20, decimal_places=6, help_text=help_text, localize=True,
        error_messages={"invalid": _("Hãy nhập một số, ví dụ 10 hoặc 2,5.")},
    )


def _date_rule(raw: str) -> str | None:
    """"today" or YYYY-MM-DD from what the admin typed (dd/mm/yyyy, YYYY-MM-DD, "hôm nay"); None: not a date."""
    from motcua.core.text import fold

    text = (raw or "").strip()
    if fold(text) in TODAY_WORDS:
        return "today"
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if 1900 <= day.year <= 2100:
            return day.isoformat()
    return None


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class FieldForm(forms.Form):
    """One field of the e-form (or one column of a table). Which inputs it has depends on the type."""

    label = forms.CharField(
        label=gettext_lazy("Câu hỏi (nhãn người dân thấy)"), max_length=500,
        help_text=gettext_lazy("Ví dụ «Họ, chữ đệm, tên của trẻ»."),
        error_messages={"required": gettext_lazy("Hãy nhập câu hỏi (nhãn) của trường."),
                        "max_length": gettext_lazy("Nhãn dài tối đa 500 ký tự.")},
    )
    key = forms.CharField(
        label=gettext_lazy("Mã trường"), max_length=50, required=False,
        help_text=gettext_lazy("Chữ thường không dấu, số và dấu _, ví dụ «ho_ten_tre». Để trống: hệ thống tạo từ "
                               "nhãn. Mỗi trường một mã riêng."),
        error_messages={"max_length": gettext_lazy("Mã trường dài tối đa 50 ký tự.")},
    )
    required = forms.BooleanField(label=gettext_lazy("Bắt buộc phải điền"), required=False)
    help = forms.CharField(
        label=gettext_lazy("Hướng dẫn dưới câu hỏi"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Giải thích ngắn cho người dân, ví dụ «Viết in hoa có dấu»."),
    )

    def __init__(self, data=None, *, kind: str, schema: list, parent: str | None = None, spec: dict | None = None,
                 adding: bool = False, before: str | None = None):
        self.kind, self.schema, self.parent, self.original = kind, schema, parent, spec
        self.adding = adding
        siblings = [s for s in editing.level(schema, parent) if isinstance(s, dict) and s.get("key")] \
            if adding else []
        if data is not None and adding:
            before = str(data.get("position") or "")[:60] or None
        self.before = before if any(s["key"] == before for s in siblings) else None
        # "More choice rows" re-shows the form as typed, without checking it yet.
        self.quiet = bool(data is not None and data.get("_more_choices"))
        self.choice_errors: list[str] = []
        self.choice_error_row = 0
        initial = self._initial(spec) if spec else {}
        super().__init__(data, initial=initial)
        rules = editing.allowed_rules(kind)
        f = self.fields
        if kind in ("text", "long_text"):
            top = MAX_TEXT[kind]
            f["min_length"] = _optional_int(_("Số ký tự tối thiểu"), max_value=top)
            f["max_length"] = _optional_int(_("Số ký tự tối đa"), max_value=top,
                                            help_text=_("Tối đa %(n)d ký tự.") % {"n": top})
        if "pattern" in rules:
            f["pattern"] = forms.CharField(
                label=_("Mẫu kiểm tra (biểu thức chính quy)"), required=False, max_length=500,
                help_text=_("Không bắt buộc. Ví dụ «[0-9]{6}» cho mã 6 chữ số. Câu trả lời phải khớp cả chuỗi."),
            )
            f["pattern_message"] = forms.CharField(
                label=_("Thông báo khi không khớp mẫu"), required=False, max_length=300,
                help_text=_("Ví dụ «gồm đúng 6 chữ số»."),
            )
        if kind == "number":
            f["min_value"] = _optional_number(_("Giá trị nhỏ nhất"))
            f["max_value"] = _optional_number(_("Giá trị lớn nhất"))
            f["integer"] = forms.BooleanField(label=_("Chỉ nhận số nguyên"), required=False)
        if kind == "date":
            hint = _("Dạng ngày/tháng/năm, ví dụ 01/01/1900, hoặc «hôm nay».")
            f["min_date"] = forms.CharField(label=_("Ngày sớm nhất"), required=False, max_length=20, help_text=hint)
            f["max_date"] = forms.CharField(label=_("Ngày muộn nhất"), required=False, max_length=20, help_text=hint)
        if kind == "multi_choice":
            f["min_items"] = _optional_int(_("Số mục chọn ít nhất"), max_value=300)
            f["max_items"] = _optional_int(_("Số mục chọn nhiều nhất"), max_value=300)
        if kind == "repeat":
            f["min_rows"] = _optional_int(_("Số dòng ít nhất"), max_value=MAX_ROWS)
            f["max_rows"] = _optional_int(_("Số dòng nhiều nhất"), max_value=MAX_ROWS,
                                          help_text=_("Tối đa %(n)d dòng.") % {"n": MAX_ROWS})
            if adding:
                f["first_column"] = forms.CharField(
                    label=_("Tên cột đầu tiên"), max_length=500,
                    help_text=_("Ví dụ «Họ và tên». Thêm các cột khác sau khi lưu."),
                    error_messages={"required": _("Hãy nhập tên cột đầu tiên của bảng.")},
                )
        sources = [s for s in PREFILL_SOURCES if kind in PREFILL_TYPES[s]]
        if sources and not parent:
            f["prefill"] = forms.ChoiceField(
                label=_("Điền sẵn từ tài khoản người dân"), required=False,
                choices=[("", _("— Không điền sẵn —"))] + [(s, PREFILL_LABELS[s]) for s in sources],
                help_text=_("Người dân vẫn sửa được giá trị điền sẵn."),
            )
        if adding and siblings:
            # Where the new field goes: before one of the fields of its level, or at the end.
            f["position"] = forms.ChoiceField(
                label=_("Vị trí trong biểu mẫu"), required=False, initial=self.before or "",
                choices=[(s["key"], _("Vị trí %(n)d: trước «%(f)s»") % {"n": i + 1, "f": editing.label_of(s)})
                         for i, s in enumerate(siblings)]
                + [("", _("Vị trí %(n)d: cuối cùng, sau «%(f)s»") % {
                    "n": len(siblings) + 1, "f": editing.label_of(siblings[-1])})],
                help_text=_("Người dân điền các trường theo thứ tự này. Đổi được sau bằng «Lên», «Xuống»."),
                error_messages={"invalid_choice": _("Vị trí đã chọn không còn (trường đó vừa bị xóa); hãy chọn lại.")},
            )
        key = spec.get("key") if spec else None
        self.candidates = editing.condition_candidates(schema, key, parent, before=self.before)
        if key:
            self.candidates = [c for c in self.candidates if c.get("key") != key]
        if self.candidates:
            f["show_if_field"] = forms.ChoiceField(
                label=_("Chỉ hiện khi trường"), required=False,
                choices=[("", _("— Luôn hiện —"))] + [(c["key"], editing.label_of(c)) for c in self.candidates],
                help_text=_("Chỉ chọn được các trường đứng trước trường này."),
                error_messages={"invalid_choice": _("Chỉ chọn được một trường đứng trước trường này.")},
            )
            f["show_if_value"] = forms.CharField(
                label=_("có câu trả lời là"), required=False, max_length=200,
                help_text=_("Với câu hỏi Có/Không ghi «Có» hoặc «Không»; với danh sách chọn ghi một lựa chọn. "
                            "Nhiều giá trị: cách nhau bằng dấu chấm phẩy (;)."),
            )
        if not parent:
            # The sections already used, to choose from (one spelling per section), or a new one.
            known = editing.sections(schema)
            f["pdf_section"] = forms.ChoiceField(
                label=_("Mục trên tờ khai PDF"), required=False,
                choices=[("", _("— Không thuộc mục nào —")), *[(t, t) for t in known],
                         (NEW_SECTION, _("+ Mục mới (ghi tên ở ô bên dưới)"))],
                help_text=_("Các trường cùng mục in chung một nhóm trên tờ khai."),
                error_messages={"invalid_choice": _("Mục «%(value)s» chưa có; hãy chọn «+ Mục mới» và ghi tên "
                                                    "mục ở ô bên dưới.")},
            )
            f["pdf_section_new"] = forms.CharField(
                label=_("Tên mục mới"), required=False, max_length=200,
                help_text=_("Chỉ khi chọn «+ Mục mới». Ví dụ «I. Thông tin người yêu cầu»."),
                error_messages={"max_length": _("Tên mục dài tối đa 200 ký tự.")},
            )
            f["pdf_order"] = forms.IntegerField(
                label=_("Thứ tự in trên tờ khai"), required=False, min_value=0, max_value=100000,
                help_text=_("Số nhỏ in trước. Để trống: theo thứ tự trong biểu mẫu."),
                error_messages={"invalid": _("Hãy nhập một số nguyên (0, 10, 20…).")},
            )
            f["pdf_label"] = forms.CharField(
                label=_("Nhãn in trên tờ khai"), required=False, max_length=500,
                help_text=_("Để trống: dùng câu hỏi ở trên."),
            )
        self.choice_rows = self._choice_rows(data, spec)

    def full_clean(self):
        if self.quiet:
            self._errors = forms.utils.ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()

    # -- initial values from a spec --

    @staticmethod
    def _initial(spec: dict) -> dict:
        rules = spec.get("validation") if isinstance(spec.get("validation"), dict) else {}
        pdf = spec.get("pdf") if isinstance(spec.get("pdf"), dict) else {}
        initial = {"label": spec.get("label", ""), "key": spec.get("key", ""), "required": bool(spec.get("required")),
                   "help": spec.get("help", ""), "prefill": spec.get("prefill", ""),
                   "pdf_section": pdf.get("section", ""), "pdf_order": pdf.get("order"),
                   "pdf_label": pdf.get("label", "")}
        for rule in ("min_length", "max_length", "pattern", "pattern_message", "min_items", "max_items",
                     "min_rows", "max_rows", "integer"):
            if rule in rules:
                initial[rule] = rules[rule]
        if spec.get("type") == "number":
            initial["min_value"], initial["max_value"] = rules.get("min_value"), rules.get("max_value")
        if spec.get("type") == "date":
            for rule, name in (("min_value", "min_date"), ("max_value", "max_date")):
                value = rules.get(rule)
                if value == "today":
                    initial[name] = "hôm nay"
                elif isinstance(value, str) and _date_rule(value):
                    initial[name] = dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        cond = spec.get("show_if")
        if isinstance(cond, dict):
            initial["show_if_field"] = cond.get("field", "")
            wanted = cond.get("in") if isinstance(cond.get("in"), list) else [cond.get("equals")]
            initial["show_if_value"] = "; ".join(_condition_word(v) for v in wanted)
        return initial

    def _choice_rows(self, data, spec) -> list[dict]:
        if self.kind not in editing.CHOICE_TYPES:
            return []
        if data is not None:
            try:
                count = min(int(str(data.get("choice-rows", "0"))[:4]), MAX_CHOICE_ROWS)
            except ValueError:
                count = 0
            rows = [{"value": str(data.get(f"choice-value-{i}", ""))[:200].strip(),
                     "label": str(data.get(f"choice-label-{i}", ""))[:500].strip()} for i in range(max(count, 0))]
            if data.get("_more_choices"):
                rows += [{"value": "", "label": ""} for _i in range(3)]
            return rows
        rows = [{"value": v, "label": lbl} for v, lbl in _choices(spec)] if spec else []
        return rows + [{"value": "", "label": ""} for _i in range(BLANK_CHOICE_ROWS if rows else 3)]

    # -- checks --

    def taken(self) -> dict:
        specs = editing.level(self.schema, self.parent)
        own = self.original.get("key") if self.original else None
        return {s["key"]: s for s in specs if isinstance(s, dict) and s.get("key") and s.get("key") != own}

    def clean(self):
        data = super().clean()
        label = (data.get("label") or "").strip()
        if "label" in data and not label:
            self.add_error("label", _("Hãy nhập câu hỏi (nhãn) của trường."))
        key = (data.get("key") or "").strip()
        taken = self.taken()
        if not key and label:
            if self.original and self.original.get("key"):
                key = self.original["key"]
            else:
                key = editing.suggest_key(label, taken)
        if key:
            problem = editing.key_problem(key, taken)
            if problem:
                self.add_error("key", problem)
        data["key"] = key
        pattern = data.get("pattern") or ""
        if pattern:
            problem = editing.pattern_problem(pattern)
            if problem:
                self.add_error("pattern", problem)
        for low, high, word in (("min_length", "max_length", _("Số ký tự tối thiểu")),
                                ("min_items", "max_items", _("Số mục chọn ít nhất")),
                                ("min_rows", "max_rows", _("Số dòng ít nhất")),
                                ("min_value", "max_value", _("Giá trị nhỏ nhất"))):
            a, b = data.get(low), data.get(high)
            if a is not None and b is not None and a > b:
                self.add_error(low, _("%(w)s (%(a)s) lớn hơn giới hạn trên (%(b)s).") % {"w": word, "a": a, "b": b})
        dates = {}
        for name in ("min_date", "max_date"):
            raw = (data.get(name) or "").strip()
            if raw:
                dates[name] = _date_rule(raw)
                if dates[name] is None:
                    self.add_error(name, _("«%(v)s» không phải ngày dạng ngày/tháng/năm hoặc «hôm nay».") % {"v": raw})
        if dates.get("min_date") and dates.get("max_date") and "today" not in dates.values() \
                and dates["min_date"] > dates["max_date"]:
            self.add_error("min_date", _("Ngày sớm nhất sau ngày muộn nhất."))
        data["_dates"] = dates
        data["_pdf_section"] = self._clean_pdf_section(data)
        data["_choices"] = self._clean_choices()
        data["_show_if"] = self._clean_show_if(data)
        return data

    def _clean_pdf_section(self, data) -> str:
        if "pdf_section" not in self.fields:
            return ""
        chosen = data.get("pdf_section") or ""
        typed = " ".join((data.get("pdf_section_new") or "").split())
        if chosen == NEW_SECTION:
            if not typed:
                self.add_error("pdf_section_new", _("Hãy ghi tên mục mới, hoặc chọn một mục đã có."))
            return typed
        if typed and chosen:
            self.add_error("pdf_section_new", _("Bạn đã chọn mục «%(s)s» và ghi tên mục mới; hãy chọn «+ Mục mới» "
                                                "hoặc xóa tên mục mới.") % {"s": chosen})
            return chosen
        return typed or chosen  # a name typed with no section chosen: the new section

    def _clean_choices(self) -> list[tuple[str, str]]:
        if self.kind not in editing.CHOICE_TYPES:
            return []
        out: list[tuple[str, str]] = []
        values: set[str] = set()
        for i, row in enumerate(self.choice_rows):
            value, label = row["value"], row["label"]
            if not value and not label:
                continue
            if not value:
                value = editing.suggest_key(label, values)
                row["value"] = value
            if value in values:
                self._choice_error(_("Lựa chọn «%(v)s» (dòng %(i)d) bị trùng; mỗi lựa chọn một giá trị riêng.")
                                   % {"v": value, "i": i + 1}, i)
                continue
            values.add(value)
            out.append((value, label or value))
        if not out:
            self._choice_error(_("Kiểu «%(t)s» cần ít nhất một lựa chọn: ghi nhãn vào các dòng «Lựa chọn».")
                               % {"t": TYPE_LABELS[self.kind]}, 0)
        return out

    def _choice_error(self, message: str, row: int) -> None:
        if not self.choice_errors:
            self.choice_error_row = row
        self.choice_errors.append(message)
        self.add_error(None, message)

    def _clean_show_if(self, data) -> dict | None:
        target_key = data.get("show_if_field") or ""
        raw = (data.get("show_if_value") or "").strip()
        if not target_key:
            if raw:
                self.add_error("show_if_field", _("Hãy chọn trường quyết định việc hiện trường này, "
                                                  "hoặc xóa giá trị ở ô «có câu trả lời là»."))
            return None
        target = next((c for c in self.candidates if c["key"] == target_key), None)
        if target is None:
            self.add_error("show_if_field", _("Chỉ chọn được một trường đứng trước trường này."))
            return None
        parts = [p.strip() for p in raw.split(";") if p.strip()] or [""]
        try:
            values = [editing.show_if_value(target, p) for p in parts]
        except editing.EditError as exc:
            self.add_error("show_if_value", exc.problems[0])
            return None
        if len(values) == 1:
            return {"field": target_key, "equals": values[0]}
        return {"field": target_key, "in": values}

    def spec(self) -> dict:
        """The field as the form describes it (call after is_valid())."""
        d = self.cleaned_data
        rules: dict = {}
        for rule in ("min_length", "max_length", "min_items", "max_items", "min_rows", "max_rows"):
            if d.get(rule) is not None:
                rules[rule] = d[rule]
        if d.get("pattern"):
            rules["pattern"] = d["pattern"]
            if d.get("pattern_message"):
                rules["pattern_message"] = d["pattern_message"].strip()
        if self.kind == "number":
            for rule in ("min_value", "max_value"):
                if d.get(rule) is not None:
                    rules[rule] = _number(d[rule])
            if d.get("integer"):
                rules["integer"] = True
        for rule, name in (("min_value", "min_date"), ("max_value", "max_date")):
            if d["_dates"].get(name):
                rules[rule] = d["_dates"][name]
        pdf = {}
        if d.get("_pdf_section"):
            pdf["section"] = d["_pdf_section"]
        if d.get("pdf_order") is not None:
            pdf["order"] = d["pdf_order"]
        if d.get("pdf_label"):
            pdf["label"] = d["pdf_label"].strip()
        fields = None
        if self.kind == "repeat":
            if self.original:
                fields = self.original.get("fields")
            else:
                first = d["first_column"].strip()
                fields = [{"key": editing.suggest_key(first), "label": first, "type": "text"}]
        spec = editing.compose(
            self.kind, label=d["label"], key=d["key"], required=d.get("required", False), help=d.get("help", ""),
            validation=rules, choices=d["_choices"], prefill=d.get("prefill") or "", show_if=d["_show_if"],
            pdf=pdf, fields=fields,
        )
        return self._with_unedited(spec, rules, pdf)

    # The form's inputs and the spec keys (and rules) they set; everything else is kept as it was.
    EDITED_RULES = {"min_length": "min_length", "max_length": "max_length", "min_items": "min_items",
                    "max_items": "max_items", "min_rows": "min_rows", "max_rows": "max_rows", "pattern": "pattern",
                    "pattern_message": "pattern_message", "min_value": "min_value", "max_value": "max_value",
                    "integer": "integer", "min_date": "min_value", "max_date": "max_value"}

    def _with_unedited(self, spec: dict, rules: dict, pdf: dict) -> dict:
        """Copy through every key of the field as stored that this form has no input for
        (prefill_if, same_as, default, whatever a later schema adds), so that editing a label never
        drops them; rules and PDF settings the form does not show are kept the same way."""
        original = self.original or {}
        edited = {"key", "label", "type", "required", "help", "validation", "pdf"}
        if self.kind in editing.CHOICE_TYPES:
            edited.add("choices")
        if self.kind == "repeat":
            edited.add("fields")
        if "prefill" in self.fields:
            edited.add("prefill")
        if "show_if_field" in self.fields:
            edited.add("show_if")
        for name, value in original.items():
            if name not in edited:
                spec[name] = copy.deepcopy(value)
        shown_rules = {rule for name, rule in self.EDITED_RULES.items() if name in self.fields}
        kept = {k: v for k, v in (original.get("validation") or {}).items() if k not in shown_rules} \
            if isinstance(original.get("validation"), dict) else {}
        if kept:
            spec["validation"] = {**kept, **rules}
        shown_pdf = {"section", "order", "label"} if "pdf_section" in self.fields else set()
        kept = {k: v for k, v in (original.get("pdf") or {}).items() if k not in shown_pdf} \
            if isinstance(original.get("pdf"), dict) else {}
        if kept:
            spec["pdf"] = {**kept, **pdf}
        return spec


def _condition_word(value) -> str:
    if value is True:
        return "Có"
    if value is False:
        return "Không"
    return str(value)


def _choices(spec: dict) -> list[tuple[str, str]]:
    from motcua.eforms.schema import choices_of

    return choices_of(spec)


def _error_list(form: forms.Form) -> list[tuple[str, str]]:
    """(anchor, message) for the error summary, in the form's order; form-wide errors link to the top
    of the form (or the choice list when they are about choices)."""
    out = []
    choice_errors = getattr(form, "choice_errors", [])
    for message in form.non_field_errors():
        anchor = f"choice-label-{form.choice_error_row}" if message in choice_errors else "field-form"
        out.append((anchor, message))
    for name in form.fields:
        for message in form.errors.get(name, []):
            out.append((form[name].auto_id, message))
    return out


def _decorate(form: forms.Form) -> forms.Form:
    """Bootstrap classes, and aria-describedby / aria-invalid linking each input to its hint and error."""
    for name, field in form.fields.items():
        widget = field.widget
        bound = form[name]
        css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else (
            "form-select" if isinstance(widget, forms.Select) else "form-control")
        described = []
        if field.help_text:
            described.append(f"{bound.auto_id}-hint")
        if form.is_bound and name in form.errors:
            css += " is-invalid"
            widget.attrs["aria-invalid"] = "true"
            described.append(f"{bound.auto_id}-error")
        widget.attrs["class"] = css
        if described:
            widget.attrs["aria-describedby"] = " ".join(described)
    return form


# --- saving -------------------------------------------------------------------------------------------


def _eform_of(draft) -> EForm | None:
    return EForm.objects.filter(procedure_version=draft).select_related("component").first()


def _refused(form: forms.Form, exc: actions.EFormError) -> None:
    """The action's problems on the form: on the input they are about, or at the top of the form."""
    for problem in exc.problems:
        form.add_error(exc.field if exc.field in form.fields else None, problem)


def _page(request, template: str, context: dict, status: int = 200):
    ctx = {**tab_context(request.procedure, "bieu-mau"), "admin_nav": "procedures", "draft": request.draft,
           "base": _base(request.procedure.code), **context}
    return staff_render(request, template, ctx, status=status)


def _need_eform(request):
    eform = _eform_of(request.draft)
    if eform is None:
        messages.info(request, _("Thủ tục chưa có biểu mẫu điện tử; hãy tạo biểu mẫu trước."))
    return eform


def _spec_or_404(eform: EForm, key: str, parent: str | None = None) -> dict:
    try:
        spec = editing.find(eform.schema or [], key[:60], parent[:60] if parent else None)
    except editing.EditError:
        spec = None
    if spec is None:
        raise Http404("no such field")
    return spec


# --- views ----------------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@draft_required
def draft_eform(request, code):
    """The e-form of the draft: its fields in order, or the form that creates it."""
    draft = request.draft
    eform = _eform_of(draft)
    if eform is None:
        form = EFormSettingsForm(request.POST or None, version=draft, creating=True,
                                 initial={"title": GENERIC_TITLE if not draft.name else f"Tờ khai {draft.name}"[:500]})
        if request.method == "POST" and form.is_valid():
            try:
                eform = actions.create_eform(draft, actor=request.user, title=form.cleaned_data["title"],
                                             component=form.cleaned_data["component"],
                                             generic=bool(form.cleaned_data.get("start_generic")))
            except actions.EFormExists:  # created meanwhile
                return redirect(_base(code))
            except actions.EFormError as exc:
                _refused(form, exc)
            else:
                messages.success(request, _("Đã tạo biểu mẫu điện tử «%(t)s». Bây giờ hãy thêm hoặc sửa các trường.")
                                 % {"t": eform.title})
                return redirect(_base(code))
        _decorate(form)
        return _page(request, "administration/eform/create.html", {
            "form": form, "errors": _error_list(form) if form.is_bound else [],
        }, status=400 if form.is_bound else 200)
    if request.method == "POST":
        return redirect(_base(code))
    schema = eform.schema or []
    return _page(request, "administration/eform/index.html", {
        "eform": eform, "rows": editing.summary_rows(schema), "problems": validate_schema(schema),
        "can_add": len(schema) < MAX_FIELDS,
    })


@require_http_methods(["GET", "HEAD", "POST"])
@draft_required
def eform_settings(request, code):
    draft = request.draft
    eform = _need_eform(request)
    if eform is None:
        return redirect(_base(code))
    form = EFormSettingsForm(request.POST or None, instance=eform, version=draft, creating=False)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_settings(draft, actor=request.user, title=form.cleaned_data["title"],
                                    component=form.cleaned_data["component"],
                                    subject_field=form.cleaned_data["subject_field"])
        except actions.EFormError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Đã lưu tên tờ khai và thành phần hồ sơ thay thế."))
            return redirect(_base(code))
    _decorate(form)
    return _page(request, "administration/eform/settings.html", {
        "eform": eform, "form": form, "errors": _error_list(form) if form.is_bound else [],
    }, status=400 if form.is_bound else 200)


GROUPS = (
    ("rules", gettext_lazy("Kiểm tra câu trả lời"), ("min_length", "max_length", "min_value", "max_value", "integer",
                                                      "min_date", "max_date", "min_items", "max_items", "min_rows",
                                                      "max_rows", "pattern", "pattern_message")),
    ("prefill", gettext_lazy("Điền sẵn"), ("prefill",)),
    ("condition", gettext_lazy("Điều kiện hiện"), ("show_if_field", "show_if_value")),
    ("pdf", gettext_lazy("Vị trí trên tờ khai PDF"), ("pdf_section", "pdf_section_new", "pdf_order", "pdf_label")),
)


def _groups(form: forms.Form) -> list[tuple[str, str, list]]:
    out = []
    for slug, title, names in GROUPS:
        bound = [form[n] for n in names if n in form.fields]
        if bound:
            out.append((slug, title, bound))
    return out


def _field_page(request, code, *, eform, kind, form, parent, spec, status=200):
    parent_spec = editing.find(eform.schema, parent) if parent else None
    context = {
        "groups": _groups(form),
        "eform": eform, "form": _decorate(form), "kind": kind, "type_label": TYPE_LABELS[kind],
        "errors": _error_list(form) if form.is_bound else [], "parent": parent_spec, "spec": spec,
        "choice_rows": form.choice_rows, "sections": editing.sections(eform.schema or []),
        "taken_keys": " ".join(sorted(form.taken())),
    }
    if spec and kind == "repeat":
        context["columns"] = editing.summary_rows(eform.schema, spec["key"])
    return _page(request, "administration/eform/field_form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@draft_required
def field_add(request, code, parent=None):
    """Add a field (or a column of the table `parent`): pick the type, then fill the field's form."""
    eform = _need_eform(request)
    if eform is None:
        return redirect(_base(code))
    if parent:
        _spec_or_404(eform, parent)
        parent_spec = editing.find(eform.schema, parent)
        if parent_spec.get("type") != "repeat":
            raise Http404("not a table")
    kind = (request.POST.get("type") or request.GET.get("loai") or "")[:20]
    before = (request.GET.get("truoc") or "")[:60] or None  # «Chèn trường trước …» of the list
    types = [t for t in TYPES if not (parent and t == "repeat")]
    if kind not in types:
        error = _("Hãy chọn một kiểu trường.") if "loai" in request.GET or request.method == "POST" else ""
        before_spec = editing.find(eform.schema or [], before, parent) if before else None
        return _page(request, "administration/eform/type_pick.html", {
            "eform": eform, "types": [(t, TYPE_LABELS[t], TYPE_HINTS[t]) for t in types], "error": error,
            "parent": editing.find(eform.schema, parent) if parent else None,
            "before": before_spec,
        }, status=400 if error else 200)
    form = FieldForm(request.POST if request.method == "POST" and "label" in request.POST else None, kind=kind,
                     schema=eform.schema or [], parent=parent, adding=True, before=before)
    if form.is_bound and not request.POST.get("_more_choices") and form.is_valid():
        spec = form.spec()
        try:
            actions.add_field(request.draft, actor=request.user, spec=spec, parent=parent,
                              before=form.cleaned_data.get("position") or None)
        except actions.EFormError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Đã thêm trường «%(f)s» (mã %(k)s).") % {"f": spec["label"], "k": spec["key"]})
            if kind == "repeat":
                return redirect(f"{_base(code)}truong/{spec['key']}/")
            return redirect(f"{_base(code)}truong/{parent}/" if parent else _base(code))
    status = 400 if form.is_bound and form.errors else 200
    return _field_page(request, code, eform=eform, kind=kind, form=form, parent=parent, spec=None, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@draft_required
def field_edit(request, code, key, parent=None):
    eform = _need_eform(request)
    if eform is None:
        return redirect(_base(code))
    spec = _spec_or_404(eform, key, parent)
    kind = spec.get("type")
    if kind not in TYPES:
        raise Http404("unknown type")
    form = FieldForm(request.POST if request.method == "POST" else None, kind=kind, schema=eform.schema or [],
                     parent=parent, spec=spec)
    if form.is_bound and not request.POST.get("_more_choices") and form.is_valid():
        new = form.spec()
        try:
            actions.update_field(request.draft, key, actor=request.user, spec=new, parent=parent)
        except actions.EFormError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Đã lưu trường «%(f)s».") % {"f": new["label"]})
            return redirect(f"{_base(code)}truong/{parent}/" if parent else _base(code))
    status = 400 if form.is_bound and form.errors else 200
    return _field_page(request, code, eform=eform, kind=kind, form=form, parent=parent, spec=spec, status=status)


@require_POST
@draft_required
def field_move(request, code, key, parent=None):
    eform = _need_eform(request)
    if eform is None:
        return redirect(_base(code))
    spec = _spec_or_404(eform, key, parent)
    offset = {"len": -1, "xuong": 1}.get(request.POST.get("huong", ""))
    back = f"{_base(code)}truong/{parent}/" if parent else _base(code)
    # static/administration/eform_reorder.js asks for JSON and moves the row itself (no page load);
    # without JavaScript the same POST answers with the page again.
    wants_json = "application/json" in request.headers.get("Accept", "")
    if offset is None:
        message = _("Hãy bấm «Lên» hoặc «Xuống».")
        if wants_json:
            return JsonResponse({"ok": False, "message": message}, status=400)
        messages.error(request, message)
        return redirect(back)
    try:
        moved = actions.move_field(request.draft, key, offset, actor=request.user, parent=parent)
    except actions.EFormError as exc:
        if wants_json:
            return JsonResponse({"ok": False, "message": " ".join(exc.problems)}, status=409)
        messages.error(request, " ".join(exc.problems))
    else:
        position = actions.position_of(moved, key, parent)
        message = _("Đã chuyển «%(f)s» %(d)s vị trí %(n)d.") % {
            "f": editing.label_of(spec), "d": _("lên") if offset < 0 else _("xuống"), "n": position}
        if wants_json:
            return JsonResponse({"ok": True, "message": message, "position": position,
                                 "count": len(editing.level(moved.schema or [], parent))})
        messages.success(request, message)
    return redirect(f"{back}#truong-{key}")


@require_http_methods(["GET", "HEAD", "POST"])
@draft_required
def field_remove(request, code, key, parent=None):
    eform = _need_eform(request)
    if eform is None:
        return redirect(_base(code))
    spec = _spec_or_404(eform, key, parent)
    back = f"{_base(code)}truong/{parent}/" if parent else _base(code)
    users = editing.dependents(eform.schema, key, parent)
    if request.method == "POST":
        try:
            actions.remove_field(request.draft, key, actor=request.user, parent=parent)
        except actions.EFormError as exc:
            messages.error(request, " ".join(exc.problems))
            return redirect(back)
        messages.success(request, _("Đã xóa trường «%(f)s».") % {"f": editing.label_of(spec)})
        return redirect(back)
    return _page(request, "administration/eform/remove.html", {
        "eform": eform, "spec": spec, "users": users, "back": back,
        "parent": editing.find(eform.schema, parent) if parent else None,
    })


# --- preview --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@draft_required
@saves_nothing
def preview(request, code):
    """The e-form exactly as the citizen's wizard renders it (same partials, same field_views); a POST
    checks the answers typed as the wizard would, and saves nothing."""
    eform = _need_eform(request)
    if eform is None:
        return redirect(_base(code))
    schema = [s for s in eform.schema or [] if isinstance(s, dict) and "key" in s]
    problems = validate_schema(schema)
    data, errors, checked = initial_values(schema, {}) if not problems else {}, {}, False
    if request.method == "POST" and not problems:
        data = rendering.parse_post(schema, request.POST)
        if request.POST.get("_add_row"):
            rendering.add_row(schema, data, request.POST["_add_row"][:60])
        elif request.POST.get("_remove_row"):
            rendering.remove_row(schema, data, request.POST["_remove_row"][:70])
        elif not request.POST.get("_refresh"):
            _cleaned, errors = clean_data(schema, data)
            checked = True
    return _page(request, "administration/eform/preview.html", {
        "eform": eform, "problems": problems,
        "sections": rendering.field_views(schema, data, errors) if not problems else [],
        "error_list": rendering.error_list(schema, errors), "checked": checked,
    }, status=400 if errors else 200)


def application_preview(version, eform: EForm, cleaned: dict | None):
    """The ApplicationForm of the draft's e-form: the answers given, or every field empty (conditions
    ignored, so the whole layout shows)."""
    from motcua.documents.application import ApplicationField, ApplicationForm, ApplicationSection

    schema = [s for s in eform.schema or [] if isinstance(s, dict) and "key" in s]
    if cleaned is None:
        found = summary([{k: v for k, v in s.items() if k != "show_if"} for s in schema], {}, show_empty=True)
    else:
        found = summary(schema, cleaned)
    by_key = {s["key"]: s for s in schema}
    sections = []
    for section in found:
        fields = []
        for item in section.items:
            if item.rows is not None:
                columns = tuple(str(s.get("label") or s["key"]) for s in by_key[item.key].get("fields") or [])
                rows = tuple(tuple(t for _l, t in row) for row in item.rows)
                fields.append(ApplicationField(item.label, columns=columns, rows=rows))
            else:
                fields.append(ApplicationField(item.label, item.text))
        sections.append(ApplicationSection(section.title, fields))
    applicant = applicant_from(schema, cleaned or {}, {}) if cleaned else {}
    recipient = version.receiving_agency.name if version.receiving_agency_id else version.agency.name
    return ApplicationForm(
        title=eform.title, procedure_code=version.procedure.code, procedure_name=version.name,
        recipient=recipient, applicant_name=applicant.get("full_name", ""), sections=sections,
        submitted_at=timezone.now(), site_name=settings.MOTCUA_SITE_NAME,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@draft_required
@saves_nothing
def preview_pdf(request, code):
    """The application PDF (TỜ KHAI) this e-form generates: empty (GET) or with the answers typed in the
    preview (POST; answers that do not pass the checks are left blank)."""
    from motcua.documents.application import render_application

    eform = _need_eform(request)
    if eform is None:
        return redirect(_base(code))
    schema = [s for s in eform.schema or [] if isinstance(s, dict) and "key" in s]
    problems = validate_schema(schema)
    if problems:
        messages.error(request, _("Biểu mẫu còn lỗi nên chưa tạo được tờ khai PDF: %(p)s") % {"p": problems[0]})
        return redirect(_base(code))
    cleaned = None
    if request.method == "POST":
        cleaned, _errors = clean_data(schema, rendering.parse_post(schema, request.POST))
    version = type(request.draft).objects.select_related("procedure", "agency", "receiving_agency").get(
        pk=request.draft.pk)
    pdf = render_application(application_preview(version, eform, cleaned))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="to-khai-xem-thu.pdf"'
    return response


# --- URLs -------------------------------------------------------------------------------------------------

_P = "thu-tuc/<str:code>/ban-nhap/bieu-mau/"

urlpatterns = [
    path(_P, draft_eform, name="draft_eform"),
    path(f"{_P}thiet-lap/", eform_settings, name="eform_settings"),
    path(f"{_P}them/", field_add, name="eform_field_add"),
    path(f"{_P}xem-truoc/", preview, name="eform_preview"),
    path(f"{_P}to-khai.pdf", preview_pdf, name="eform_pdf"),
    path(f"{_P}truong/<str:key>/", field_edit, name="eform_field"),
    path(f"{_P}truong/<str:key>/di-chuyen/", field_move, name="eform_field_move"),
    path(f"{_P}truong/<str:key>/xoa/", field_remove, name="eform_field_remove"),
    path(f"{_P}truong/<str:parent>/them/", field_add, name="eform_column_add"),
    path(f"{_P}truong/<str:parent>/cot/<str:key>/", field_edit, name="eform_column"),
    path(f"{_P}truong/<str:parent>/cot/<str:key>/di-chuyen/", field_move, name="eform_column_move"),
    path(f"{_P}truong/<str:parent>/cot/<str:key>/xoa/", field_remove, name="eform_column_remove"),
]
