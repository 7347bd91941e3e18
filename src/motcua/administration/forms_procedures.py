"""Forms of the procedure admin (list filter, create, copy, draft sections).

They check what the admin typed and name the problem in Vietnamese; the help texts come from the
catalogue models. Uploaded form templates and guide videos are recognised by their bytes (not by
their names) and size-limited; see `sniff_form_template` and `sniff_video`."""

from __future__ import annotations

import io
import re
import zipfile
from types import SimpleNamespace

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from motcua.agencies.models import Agency
from motcua.catalog import actions as catalog_actions
from motcua.catalog import fees as fee_rules
from motcua.catalog.models import (
    FAQ,
    Component,
    Fee,
    Guide,
    Procedure,
    ProcedureCase,
    ProcedureVersion,
    Sector,
    TimeUnit,
)
from motcua.core.money import vnd
from motcua.core.widgets import FilePicker
from motcua.dossiers.files import accepted_extensions, zip_problem
from motcua.staff.forms import mark_invalid, style_field

MAX_FEE_VND = 10_000_000_000
# Types a citizen's upload may have (dossiers.files recognises exactly these).
UPLOAD_TYPES = {"pdf", "jpg", "png", "tif"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def max_form_bytes() -> int:
    return settings.MOTCUA_MAX_FORM_TEMPLATE_BYTES


def max_video_bytes() -> int:
    return settings.MOTCUA_MAX_VIDEO_BYTES


def clean_text(value: str) -> str:
    """Text without control characters (PostgreSQL refuses NUL); line breaks kept, ends trimmed."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in value if ch.isprintable() or ch in "\n\t").strip()


class AdminFormMixin:
    """Bootstrap classes, aria attributes, required messages that name the field, text cleaning."""

    def _setup(self):
        for name, f in self.fields.items():
            style_field(self, name, f)
            # Control characters are stripped in clean() rather than refused in English.
            f.validators = [v for v in f.validators if not isinstance(v, ProhibitNullCharactersValidator)]
            label = str(f.label or name)
            verb = gettext("Hãy chọn") if isinstance(f.widget, forms.Select) else gettext("Hãy nhập")
            f.error_messages["required"] = f"{verb} «{label}»."
            if isinstance(f, forms.FileField):
                f.error_messages["empty"] = gettext("Tệp đã chọn rỗng (0 byte); hãy chọn tệp khác.")
                f.error_messages["invalid"] = gettext("Không đọc được tệp đã chọn; hãy chọn lại.")
            if isinstance(f, forms.ModelChoiceField):
                f.error_messages["invalid_choice"] = gettext("«%(label)s»: lựa chọn không hợp lệ; hãy chọn lại "
                                                             "trong danh sách.") % {"label": label}

    def clean(self):
        data = super().clean()
        for key, value in list(data.items()):
            if isinstance(value, str):
                data[key] = clean_text(value)
        return data

    def full_clean(self):
        super().full_clean()
        if self.is_bound:
            self.mark_invalid()

    def mark_invalid(self) -> None:
        mark_invalid(self)

    def error_list(self) -> list[tuple[str, str]]:
        """(anchor id, message) for the error summary; each message names its field."""
        out = []
        for name, errors in self.errors.items():
            if name in self.fields:
                label = str(self.fields[name].label or name)
                for e in errors:
                    text = str(e)
                    out.append((self[name].auto_id, text if label in text else f"{label}: {text}"))
            else:
                out.extend(("", str(e)) for e in errors)
        return out


class AdminForm(AdminFormMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self._setup()


class AdminModelForm(AdminFormMixin, forms.ModelForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self._setup()


def _clean_code(value: str) -> str:
    code = clean_text(value).strip()
    problem = catalog_actions.code_problem(code)
    if problem:
        raise ValidationError(problem)
    return code


class ListFilterForm(forms.Form):
    """The procedure list's search box and agency filter (never invalid: bad values are ignored)."""

    q = forms.CharField(label=_("Tìm theo mã hoặc tên (có dấu hoặc không dấu)"), required=False, max_length=200)
    agency = forms.ModelChoiceField(label=_("Cơ quan"), queryset=Agency.objects.none(), required=False,
                                    empty_label=_("Tất cả cơ quan"))

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies if agencies is not None else Agency.objects.none()
        self.fields["q"].widget.attrs.update({"class": "form-control", "type": "search"})
        self.fields["agency"].widget.attrs.update({"class": "form-select"})


class ProcedureCreateForm(AdminForm):
    code = forms.CharField(label=_("Mã thủ tục"), max_length=50,
                           help_text=Procedure._meta.get_field("code").help_text)
    name = forms.CharField(label=_("Tên thủ tục"), max_length=500,
                           help_text=ProcedureVersion._meta.get_field("name").help_text)
    sector = forms.ModelChoiceField(label=_("Lĩnh vực"), queryset=Sector.objects.all())
    agency = forms.ModelChoiceField(label=_("Cơ quan thực hiện"), queryset=Agency.objects.none(),
                                    help_text=ProcedureVersion._meta.get_field("agency").help_text)
    case_name = forms.CharField(label=_("Tên trường hợp giải quyết"), max_length=500,
                                initial=_("Trường hợp chung"),
                                help_text=_("Có thể thêm trường hợp khác sau khi tạo."))
    time_amount = forms.DecimalField(label=_("Thời hạn giải quyết"), min_value=0, max_digits=7, decimal_places=2,
                                     help_text=ProcedureCase._meta.get_field("time_amount").help_text)
    time_unit = forms.ChoiceField(label=_("Đơn vị thời hạn"), choices=TimeUnit.choices,
                                  initial=TimeUnit.WORKING_DAYS)

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies if agencies is not None else Agency.objects.none()

    def clean_code(self):
        return _clean_code(self.cleaned_data["code"])

    def clean(self):
        data = super().clean()
        _check_case_time(self, data)
        return data


class ProcedureCopyForm(AdminForm):
    code = forms.CharField(label=_("Mã thủ tục mới"), max_length=50,
                           help_text=Procedure._meta.get_field("code").help_text)
    name = forms.CharField(label=_("Tên thủ tục mới"), max_length=500,
                           help_text=_("Bản sao giữ thành phần, phí, hướng dẫn, biểu mẫu và quy trình "
                                       "của thủ tục gốc."))
    agency = forms.ModelChoiceField(label=_("Cơ quan thực hiện"), queryset=Agency.objects.none(),
                                    help_text=ProcedureVersion._meta.get_field("agency").help_text)

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies if agencies is not None else Agency.objects.none()

    def clean_code(self):
        return _clean_code(self.cleaned_data["code"])


class DraftStartForm(AdminForm):
    note = forms.CharField(label=_("Lý do sửa (không bắt buộc)"), max_length=500, required=False,
                           help_text=ProcedureVersion._meta.get_field("change_note").help_text)


class GeneralForm(AdminModelForm):
    class Meta:
        model = ProcedureVersion
        fields = ["name", "sector", "agency", "receiving_agency", "for_citizens", "for_businesses",
                  "public_service_code", "legal_basis", "requirements", "result", "how_to_submit", "change_note"]
        widgets = {f: forms.Textarea(attrs={"rows": 4})
                   for f in ("legal_basis", "requirements", "result", "how_to_submit")}

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.agency_id if self.instance else None
        configurable = agencies if agencies is not None else Agency.objects.none()
        self.fields["agency"].queryset = configurable
        # Where citizens submit: one of the admin's agencies, a public service centre, or the current one.
        receiving = Agency.objects.filter(
            pk__in=set(configurable.values_list("pk", flat=True))
            | set(Agency.objects.filter(kind=Agency.Kind.SERVICE_CENTRE).values_list("pk", flat=True))
            | {self.instance.receiving_agency_id, current} - {None}
        )
        self.fields["receiving_agency"].queryset = receiving.order_by("name")

    def clean(self):
        data = super().clean()
        if not data.get("for_citizens") and not data.get("for_businesses") and "for_citizens" not in self.errors:
            self.add_error("for_citizens", gettext("Chọn ít nhất một đối tượng: công dân hoặc tổ chức, doanh nghiệp."))
        return data


def _check_case_time(form, data) -> None:
    amount, unit = data.get("time_amount"), data.get("time_unit")
    if amount is None or not unit:
        return
    if unit != TimeUnit.SAME_DAY and amount <= 0:
        form.add_error("time_amount", gettext("Thời hạn giải quyết phải lớn hơn 0 (hoặc chọn đơn vị «trong ngày»)."))
    if unit == TimeUnit.MONTHS and amount > 120:
        form.add_error("time_amount", gettext("Thời hạn giải quyết quá dài: tối đa 120 tháng."))
    elif unit in (TimeUnit.WORKING_DAYS, TimeUnit.DAYS) and amount > 3650:
        form.add_error("time_amount", gettext("Thời hạn giải quyết quá dài: tối đa 3650 ngày."))
    if unit == TimeUnit.SAME_DAY and amount > 1:
        form.add_error("time_amount", gettext("Với đơn vị «trong ngày», thời hạn là 0 hoặc 1."))


class CaseForm(AdminModelForm):
    class Meta:
        model = ProcedureCase
        fields = ["name", "time_amount", "time_unit", "cutoff_time"]
        widgets = {"cutoff_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def clean(self):
        data = super().clean()
        _check_case_time(self, data)
        return data


class ComponentForm(AdminModelForm):
    form_file = forms.FileField(
        label=_("Tải lên mẫu đơn, tờ khai"), required=False,
        widget=FilePicker(attrs={"accept": ".doc,.docx,.pdf"}),
        help_text=_("Tệp Word (.doc, .docx) hoặc PDF để người dân tải về. Tải tệp mới sẽ tạo biểu mẫu mới; "
                    "tệp cũ vẫn được giữ cho các phiên bản trước."),
    )
    remove_form = forms.BooleanField(label=_("Bỏ mẫu đơn, tờ khai khỏi giấy tờ này"), required=False)

    class Meta:
        model = Component
        fields = ["name", "paper", "copies", "required", "accepted_types", "help_text"]
        widgets = {"name": forms.Textarea(attrs={"rows": 2}), "help_text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.form_id:
            del self.fields["remove_form"]

    def clean_accepted_types(self):
        raw = clean_text(self.cleaned_data.get("accepted_types") or "")
        items = [t.strip().lower().lstrip(".") for t in re.split(r"[,;\s]+", raw) if t.strip()]
        if not items:
            raise ValidationError(gettext("Hãy nhập ít nhất một loại tệp, ví dụ pdf,jpg,png."))
        unknown = [t for t in items if next(iter(accepted_extensions(t)), t) not in UPLOAD_TYPES]
        if unknown:
            raise ValidationError(
                gettext("Loại tệp không nhận được: %(bad)s. Chỉ dùng: pdf, jpg, png, tif.")
                % {"bad": ", ".join(unknown)}
            )
        out: list[str] = []
        for t in items:
            ext = next(iter(accepted_extensions(t)))
            if ext not in out:
                out.append(ext)
        return ",".join(out)

    def clean_form_file(self):
        upload = self.cleaned_data.get("form_file")
        if not upload:
            return None
        problem, detected = sniff_form_template(upload)
        if problem:
            raise ValidationError(problem)
        upload.detected = detected
        return upload


class FeeForm(AdminModelForm):
    amount_vnd = forms.CharField(
        label=Fee._meta.get_field("amount_vnd").verbose_name, max_length=30,
        help_text=_("Số tiền bằng đồng, ví dụ 50.000 hoặc 50000; 0 nghĩa là miễn phí."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    # The fee rule (issue #17, catalog/fees.py), edited as plain lines.
    tiers = forms.CharField(
        label=_("Bậc theo trang"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Chỉ khi tính theo trang. Mỗi dòng một bậc, ví dụ «từ trang 3: 1000»."),
    )
    cap_vnd = forms.CharField(
        label=Fee._meta.get_field("cap_vnd").verbose_name, max_length=30, required=False,
        help_text=_("Mỗi bản không thu quá số tiền này; để trống nếu không giới hạn."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    reductions = forms.CharField(
        label=_("Đối tượng giảm phí"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Mỗi dòng một đối tượng và mức thu của họ, ví dụ «Sinh viên, người có công: 100000»."),
    )

    class Meta:
        model = Fee
        fields = ["name", "amount_vnd", "basis", "tiers", "cap_vnd", "reductions", "online_exempt", "collected",
                  "note"]
        widgets = {"name": forms.Textarea(attrs={"rows": 2}), "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["basis"].required = False
        if not self.is_bound and self.instance.pk:
            self.initial["amount_vnd"] = vnd(self.instance.amount_vnd, unit="")
            # The line syntax the clean method reads (not translated).
            self.initial["tiers"] = "\n".join(f"từ trang {t['from_page']}: {vnd(t['amount_vnd'], unit='')}"
                                              for t in self.instance.tiers or [])
            self.initial["cap_vnd"] = "" if self.instance.cap_vnd is None else vnd(self.instance.cap_vnd, unit="")
            self.initial["reductions"] = "\n".join(f"{r['kind']}: {vnd(r['amount_vnd'], unit='')}"
                                                   for r in self.instance.reductions or [])

    def clean_amount_vnd(self):
        return _fee_amount(self.cleaned_data.get("amount_vnd"))

    def clean_basis(self):
        return self.cleaned_data.get("basis") or Fee.Basis.DOSSIER  # a form without the rule: per dossier

    def clean_cap_vnd(self):
        raw = clean_text(self.cleaned_data.get("cap_vnd") or "")
        return _fee_amount(raw) if raw else None

    def clean_tiers(self):
        tiers = []
        for line in _lines(self.cleaned_data.get("tiers")):
            match = re.fullmatch(r"(?:từ\s+)?(?:trang\s+)?(\d{1,4})\s*:\s*(.+)", line, re.IGNORECASE)
            if not match:
                raise ValidationError(gettext("Dòng «%(line)s»: hãy viết như «từ trang 3: 1000».") % {"line": line})
            tiers.append({"from_page": int(match[1]), "amount_vnd": _fee_amount(match[2])})
        return sorted(tiers, key=lambda t: t["from_page"])

    def clean_reductions(self):
        reductions = []
        for line in _lines(self.cleaned_data.get("reductions")):
            kind, sep, amount = line.rpartition(":")
            if not sep or not kind.strip():
                raise ValidationError(gettext("Dòng «%(line)s»: hãy viết như «Sinh viên: 100000».") % {"line": line})
            reductions.append({"kind": " ".join(kind.split())[:200], "amount_vnd": _fee_amount(amount)})
        return reductions

    def clean(self):
        data = super().clean()
        if not self.errors:
            rule = fee_rules.Rule.of(SimpleNamespace(**{k: data.get(k) for k in (
                "amount_vnd", "basis", "tiers", "cap_vnd", "reductions", "online_exempt")}))
            for problem in fee_rules.problems(rule):
                self.add_error(None, problem)
        return data


def _lines(text) -> list[str]:
    return [line.strip() for line in clean_text(text or "").splitlines() if line.strip()]


def _fee_amount(raw) -> int:
    """An amount in đồng as people type it: 50.000, 50000, 50.000 đ."""
    digits = re.sub(r"[.\s,_]|đồng|đ|vnd", "", clean_text(raw or "").lower())
    if not digits.isdigit():
        raise ValidationError(gettext("Mức thu phải là số tiền bằng đồng, ví dụ 50.000 (không có số lẻ)."))
    amount = int(digits)
    if amount > MAX_FEE_VND:
        raise ValidationError(gettext("Mức thu quá lớn (tối đa 10 tỷ đồng)."))
    return amount


class GuideForm(AdminModelForm):
    video_file = forms.FileField(
        label=_("Tải lên video"), required=False,
        widget=FilePicker(attrs={"accept": "video/mp4,video/webm"}),
        help_text=_("Tệp MP4 hoặc WebM. Tải tệp mới sẽ thay video của bản nháp; video cũ vẫn được giữ cho các "
                    "phiên bản trước."),
    )
    remove_video = forms.BooleanField(label=_("Bỏ video đã tải lên"), required=False)
    video_url = forms.URLField(
        label=capfirst(Guide._meta.get_field("video_url").verbose_name), required=False, max_length=200,
        assume_scheme="https",
        help_text=_("Hoặc liên kết tới video (bắt đầu bằng https://), ví dụ trên YouTube."),
    )

    class Meta:
        model = Guide
        fields = ["title", "body"]  # video_url is declared above (https by default) and saved in save()
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}
        help_texts = {
            "body": _("Viết như văn bản thường: cách một dòng trống để sang đoạn mới; xuống dòng được giữ nguyên. "
                      "Không dùng mã HTML."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["video_url"] = self.instance.video_url
        if not self.instance.video:
            del self.fields["remove_video"]

    def save(self, commit=True):
        self.instance.video_url = self.cleaned_data.get("video_url") or ""
        return super().save(commit=commit)

    def clean_video_url(self):
        url = (self.cleaned_data.get("video_url") or "").strip()
        if url and not url.lower().startswith("https://"):
            raise ValidationError(gettext("Đường dẫn video phải bắt đầu bằng https:// (kết nối an toàn)."))
        return url

    def clean_video_file(self):
        upload = self.cleaned_data.get("video_file")
        if not upload:
            return None
        problem, ext = sniff_video(upload)
        if problem:
            raise ValidationError(problem)
        upload.detected = ext
        return upload


class FAQForm(AdminModelForm):
    class Meta:
        model = FAQ
        fields = ["question", "answer"]
        widgets = {"question": forms.Textarea(attrs={"rows": 2}), "answer": forms.Textarea(attrs={"rows": 5})}


def _size_problem(upload, limit: int) -> str | None:
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        return gettext("Tệp «%(name)s» lớn hơn giới hạn %(mb)s MB.") % {
            "name": upload.name, "mb": f"{limit / 1024 / 1024:g}"}
    if not size:
        return gettext("Tệp «%(name)s» rỗng.") % {"name": upload.name}
    return None


def sniff_form_template(upload) -> tuple[str | None, tuple[str, str] | None]:
    """(problem, None) or (None, (content type, extension)) for a .doc, .docx or .pdf upload, by content."""
    problem = _size_problem(upload, max_form_bytes())
    if problem:
        return problem, None
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    refused = gettext("Tệp «%(name)s» không phải Word (.doc, .docx) hay PDF (loại tệp được xác định theo nội dung, "
                      "không theo tên).") % {"name": upload.name}
    if head.startswith(b"%PDF-"):
        return None, ("application/pdf", "pdf")
    if head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return None, ("application/msword", "doc")
    if head.startswith(b"PK\x03\x04"):
        try:
            data = upload.read()
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return refused, None
        finally:
            upload.seek(0)
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            # Citizens' Word opens it: refuse a .docx that would expand to an absurd size.
            bomb = zip_problem(upload, upload.name)
            if bomb:
                return bomb, None
            return None, (DOCX, "docx")
    return refused, None


def sniff_video(upload) -> tuple[str | None, str | None]:
    """(problem, None) or (None, extension) for an MP4 or WebM upload, by its bytes."""
    problem = _size_problem(upload, max_video_bytes())
    if problem:
        return problem, None
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return None, "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head:
        return None, "webm"
    return gettext("Tệp «%(name)s» không phải video MP4 hay WebM (loại tệp được xác định theo nội dung, "
                   "không theo tên).") % {"name": upload.name}, None
