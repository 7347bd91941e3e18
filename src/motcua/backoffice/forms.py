"""Back-office forms. They check what the user typed and say what to fix in Vietnamese; the rules
of the dossier (who may act, in which state) stay in `dossiers.lifecycle` and `dossiers.actions`,
whose errors the views map back onto these forms."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import phone_validator
from motcua.dossiers.lifecycle import MAX_MISSING_ITEMS, MAX_REASON_CHARS
from motcua.dossiers.models import ApplicantKind, Delivery
from motcua.staff.forms import BaseForm, one_line, plain_text

PERSON_ID = re.compile(r"^\d{12}$")
ORGANISATION_ID = re.compile(r"^\d{10}(-?\d{3})?$")
MAX_NOTE_CHARS = 2000
MAX_FEE_VND = 10_000_000_000


class ApplicantForm(BaseForm):
    """The applicant at the counter: person (12-digit ID) or organisation (tax code)."""

    applicant_kind = forms.ChoiceField(
        label=_("Người nộp là"), choices=ApplicantKind.choices, initial=ApplicantKind.PERSON,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label=_("Họ và tên (hoặc tên tổ chức)"), max_length=255,
        error_messages={"required": _("Cần nhập họ tên người nộp (hoặc tên tổ chức)."),
                        "max_length": _("Họ tên dài quá %(limit_value)d ký tự (đang có %(show_value)d).")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    id_number = forms.CharField(
        label=_("Số định danh cá nhân / mã số thuế"), max_length=40,
        help_text=_("Cá nhân: số CCCD gồm đúng 12 chữ số. Tổ chức: mã số thuế 10 hoặc 13 chữ số."),
        error_messages={"required": _("Cần nhập số định danh cá nhân (12 chữ số) hoặc mã số thuế."),
                        "max_length": _("Số định danh dài quá %(limit_value)d ký tự.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Số điện thoại"), max_length=30, required=False,
        error_messages={"max_length": _("Số điện thoại dài quá %(limit_value)d ký tự.")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Thư điện tử"), max_length=254, required=False,
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ, ví dụ: ten@example.com."),
                        "max_length": _("Thư điện tử dài quá %(limit_value)d ký tự.")},
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("Địa chỉ"), max_length=500, required=False,
        error_messages={"max_length": _("Địa chỉ dài quá %(limit_value)d ký tự (đang có %(show_value)d).")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    delivery = forms.ChoiceField(
        label=_("Nhận kết quả"), choices=Delivery.choices, initial=Delivery.COUNTER,
    )

    def clean_name(self):
        return one_line(self.cleaned_data["name"])


    def clean_address(self):
        return one_line(self.cleaned_data.get("address", ""))

    def clean_phone(self):
        phone = re.sub(r"[\s.\-]", "", self.cleaned_data.get("phone", ""))
        if phone:
            try:
                phone_validator(phone)
            except ValidationError:
                raise ValidationError(
                    _("Số điện thoại gồm 10 chữ số bắt đầu bằng 0 (hoặc +84), ví dụ 0912345678.")
                ) from None
        return phone

    def clean(self):
        data = super().clean()
        if data.get("delivery") == Delivery.POST and not data.get("address"):
            self.add_error("address", _("Nhận kết quả qua bưu chính: hãy ghi địa chỉ nhận."))
        raw = re.sub(r"\s", "", data.get("id_number") or "")
        if "id_number" in self.errors or not raw:
            return data
        if data.get("applicant_kind") == ApplicantKind.ORGANISATION:
            if not ORGANISATION_ID.match(raw):
                self.add_error("id_number", _("Mã số thuế của tổ chức gồm 10 hoặc 13 chữ số (bạn đã nhập «%(v)s»).")
                               % {"v": raw[:20]})
        elif not PERSON_ID.match(raw):
            digits = sum(ch.isdigit() for ch in raw)
            self.add_error(
                "id_number",
                _("Số định danh cá nhân phải gồm đúng 12 chữ số (bạn đã nhập %(n)d ký tự, %(d)d chữ số).")
                % {"n": len(raw), "d": digits},
            )
        data["id_number"] = raw
        return data


def missing_lines(text: str) -> list[str]:
    return [one_line(line) for line in (text or "").splitlines() if one_line(line)]


FREE_ITEM_ROWS = 3  # rows for items that are not a component of the procedure


def _supplement_reason_field(label):
    return forms.CharField(
        label=label, required=False, max_length=MAX_REASON_CHARS, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("Nội dung dài quá %(limit_value)d ký tự (đang có %(show_value)d).")})


def add_free_item_fields(form) -> list[tuple[str, str]]:
    """The free items of a supplement request (a paper not in the procedure's list): FREE_ITEM_ROWS
    rows of (name, "nội dung cần bổ sung") added to `form`; the same rows on the dossier page's
    request form, the counter page and the online check page. Returns [(text field, reason field)]."""
    rows = []
    for i in range(1, FREE_ITEM_ROWS + 1):
        text, reason = f"free{i}_text", f"free{i}_reason"
        form.fields[text] = forms.CharField(
            label=_("Giấy tờ khác %(n)d") % {"n": i}, required=False, max_length=1000,
            error_messages={"max_length": _("Tên giấy tờ dài quá %(limit_value)d ký tự.")})
        form.fields[reason] = _supplement_reason_field(_("Nội dung cần bổ sung của giấy tờ khác %(n)d") % {"n": i})
        for name in (text, reason):
            form.fields[name].widget.attrs["class"] = "form-control"
        rows.append((text, reason))
    return rows


def clean_free_items(form, data, rows) -> list[tuple[dict, str, str]]:
    """The free rows filled in, as items `{text, reason}` with their two fields; a name without a
    reason (or a reason without a name) is an error on the row."""
    out = []
    for i, (text_name, reason_name) in enumerate(rows, 1):
        text, reason = one_line(data.get(text_name, "")), one_line(data.get(reason_name, ""))
        if text and not reason:
            form.add_error(reason_name, _("Ghi nội dung cần bổ sung của «%(name)s».") % {"name": text[:80]})
        elif reason and not text:
            form.add_error(text_name, _("Ghi tên giấy tờ khác %(n)d, hoặc xóa nội dung cần bổ sung đã ghi.")
                           % {"n": i})
        elif text:
            out.append(({"text": text, "reason": reason}, text_name, reason_name))
    return out


class ReceptionOutcomeForm(BaseForm):
    """The free-text parts of the three reception outcomes: the free items of a supplement request
    (name and reason each; `missing_extra`, one item per line, is the old way, still read) and the
    refusal reason."""

    missing_extra = forms.CharField(
        label=_("Nội dung cần bổ sung khác"), required=False, max_length=8000,
        help_text=_("Mỗi mục một dòng. Các thành phần bắt buộc chưa đánh dấu «có» được tự động đưa vào danh sách."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Nội dung cần bổ sung dài quá %(limit_value)d ký tự.")},
    )
    refuse_reason = forms.CharField(
        label=_("Lý do từ chối"), required=False, max_length=MAX_REASON_CHARS,
        help_text=_("Bắt buộc khi từ chối; được in trên phiếu từ chối (mẫu 03)."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Lý do dài quá %(limit_value)d ký tự (đang có %(show_value)d).")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.free_rows = add_free_item_fields(self)

    def free_fields(self):
        """(text, reason) bound fields of the free rows, for the templates."""
        return [(self[text], self[reason]) for text, reason in self.free_rows]

    def clean(self):
        data = super().clean()
        data["free_items"] = [item for item, _t, _r in clean_free_items(self, data, self.free_rows)]
        return data

    def clean_missing_extra(self):
        return plain_text(self.cleaned_data.get("missing_extra", ""))

    def clean_refuse_reason(self):
        return plain_text(self.cleaned_data.get("refuse_reason", ""))


def parse_vnd(value: str | None) -> int:
    """Whole đồng as Vietnamese write them: "200000", "200.000", "200,000", "200 000 đ"."""
    raw = re.sub(r"(?i)\s*(đồng|đ|vnd|₫)\s*$", "", (value or "").strip()).strip()
    if not raw:
        return 0
    if re.fullmatch(r"\d{1,3}([.,\s]\d{3})+", raw):
        raw = re.sub(r"[.,\s]", "", raw)
    if not raw.isdigit() or not raw.isascii():
        raise ValidationError(_("Số tiền là số nguyên đồng, ví dụ 200000 hoặc 200.000 (không có số lẻ)."))
    amount = int(raw)
    if amount > MAX_FEE_VND:
        raise ValidationError(_("Số tiền quá lớn."))
    return amount


FEE_METHOD_CHOICES = [("cash", _("Tiền mặt")), ("transfer", _("Chuyển khoản")), ("card", _("Thẻ"))]


class CounterFeeForm(BaseForm):
    """The fee collected at the counter with a reception (`actions.record_fee`): ticked "collected
    now", the amount (prefilled with what the rule asks), the method and the receipt number.
    Unticked: nothing is recorded (the fee is paid online, or later)."""

    fee_collect = forms.BooleanField(label=_("Thu phí, lệ phí ngay khi tiếp nhận"), required=False)
    fee_amount = forms.CharField(
        label=_("Số tiền thu (đồng)"), max_length=30, required=False,
        help_text=_("Điền sẵn số phải nộp theo quy định (đã trừ khoản đã nộp trực tuyến)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"max_length": _("Số tiền quá dài.")},
    )
    fee_method = forms.ChoiceField(label=_("Hình thức thu"), choices=FEE_METHOD_CHOICES, required=False,
                                   initial="cash")
    fee_receipt = forms.CharField(
        label=_("Số biên lai"), max_length=50, required=False,
        error_messages={"max_length": _("Số biên lai dài quá %(limit_value)d ký tự.")},
    )

    # The fee inputs the prefilled amount was computed for (the counter form; reception.FeeInputs.basis).
    fee_basis = forms.CharField(widget=forms.HiddenInput, required=False, max_length=300)

    def clean_fee_amount(self):
        return parse_vnd(self.cleaned_data.get("fee_amount"))

    def clean_fee_receipt(self):
        return one_line(self.cleaned_data.get("fee_receipt", ""))

    def clean(self):
        data = super().clean()
        if data.get("fee_collect"):
            if "fee_amount" in data and not data["fee_amount"]:
                self.add_error("fee_amount", _("Số tiền thu phải lớn hơn 0 (bỏ chọn «Thu phí» nếu không thu)."))
            if not data.get("fee_method"):
                self.add_error("fee_method", _("Chọn hình thức thu: tiền mặt, chuyển khoản hoặc thẻ."))
            if not data.get("fee_receipt"):
                self.add_error("fee_receipt", _("Đã thu phí thì cần nhập số biên lai."))
        return data

    def fee(self) -> dict | None:
        """What `actions.record_fee` takes, or None when nothing is collected (call after is_valid)."""
        data = self.cleaned_data
        if not data.get("fee_collect") or not data.get("fee_amount"):
            return None
        return {"amount_vnd": data["fee_amount"], "method": data["fee_method"], "receipt_number": data["fee_receipt"]}


# --- action forms on the dossier page ---------------------------------------------------------------


class ActionForm(BaseForm):
    """Every action form carries the dossier version the user saw and an idempotency token."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31)
    token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)


def reason_field(label, required=True, help_text=""):
    return forms.CharField(
        label=label, required=required, max_length=MAX_REASON_CHARS, help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Cần nhập lý do."),
                        "max_length": _("Nội dung dài quá %(limit_value)d ký tự (đang có %(show_value)d).")},
    )


NOTE_LABEL = _("Ghi chú (không bắt buộc)")


def note_field(label=NOTE_LABEL):
    return forms.CharField(
        label=label, required=False, max_length=MAX_NOTE_CHARS, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("Ghi chú dài quá %(limit_value)d ký tự (đang có %(show_value)d).")},
    )


class TargetChoiceField(forms.ChoiceField):
    pass


class SimpleActionForm(ActionForm):
    """claim, resume, receive: nothing but an optional note."""

    note = note_field()


class ApproveForm(ActionForm):
    """The leader's approval (issue #17): an optional opinion, and the PIN of a personal certificate."""

    note = note_field(_("Ý kiến phê duyệt (không bắt buộc)"))
    pin = forms.CharField(
        label=_("Mã PIN chứng thư số cá nhân"), required=False, max_length=100, strip=False,
        help_text=_("Mật khẩu của tệp chứng thư số; chỉ dùng để ký lần này, hệ thống không lưu."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "text"}, render_value=False),
        error_messages={"max_length": _("Mã PIN dài quá %(limit_value)d ký tự.")},
    )

    def __init__(self, *args, needs_pin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_pin:
            del self.fields["pin"]
        else:
            self.fields["pin"].required = True
            self.fields["pin"].error_messages["required"] = _("Cần nhập mã PIN để ký số.")


class HandoverForm(ActionForm):
    to_user = TargetChoiceField(label=_("Chuyển cho"), required=False)
    note = note_field(_("Ý kiến, ghi chú khi chuyển (không bắt buộc)"))

    def __init__(self, *args, targets=(), pool_label="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].choices = [("", pool_label)] + [(str(u.pk), label) for u, label in targets]


class ReturnForm(ActionForm):
    to_user = TargetChoiceField(label=_("Trả cho"), required=False)
    reason = reason_field(_("Lý do trả lại"))

    def __init__(self, *args, targets=(), default_label="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].choices = [("", default_label)] + [(str(u.pk), label) for u, label in targets]


class SupplementForm(ActionForm):
    """A supplement request item by item: the components to supplement, each ticked with what is
    wrong or missing, and free items (text and reason). `missing` takes the old one-item-per-line
    list (a script posting it keeps working; the page does not show it)."""

    missing = forms.CharField(required=False, max_length=8000, widget=forms.HiddenInput,
                              error_messages={"max_length": _("Danh sách dài quá %(limit_value)d ký tự.")})
    note = note_field()

    def __init__(self, *args, components=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.components = list(components)
        self.component_rows: list[tuple] = []
        self.free_rows: list[tuple] = []
        self.item_fields: list[tuple[str, str]] = []  # (text or tick field, reason field) per item sent
        for n, c in enumerate(self.components, 1):
            tick, reason = f"c{c.pk}", f"c{c.pk}_reason"
            self.fields[tick] = forms.BooleanField(
                required=False, label=_("%(name)s (%(paper)s, %(copies)d bản)") % {
                    "name": c.name, "paper": c.get_paper_display().lower(), "copies": c.copies})
            self.fields[reason] = self._reason_field(_("Nội dung cần bổ sung của giấy tờ %(n)d") % {"n": n})
            self.component_rows.append((c, tick, reason))
        self.free_rows = add_free_item_fields(self)
        added = [name for _c, tick, reason in self.component_rows for name in (tick, reason)]
        for name in added:  # BaseForm's classes
            widget = self.fields[name].widget
            widget.attrs["class"] = "form-check-input" if isinstance(widget, forms.CheckboxInput) else "form-control"

    _reason_field = staticmethod(_supplement_reason_field)

    def free_fields(self):
        """(text, reason) bound fields of the free rows, for the templates."""
        return [(self[text], self[reason]) for text, reason in self.free_rows]

    def rows(self):
        """(component, tick, reason) bound fields, then (None, text, reason) of the free items."""
        return ([(c, self[tick], self[reason]) for c, tick, reason in self.component_rows]
                + [(None, self[text], self[reason]) for text, reason in self.free_rows])

    def clean(self):
        data = super().clean()
        items: list[dict] = []
        self.item_fields = []
        for c, tick, reason_name in self.component_rows:
            reason = one_line(data.get(reason_name, ""))
            name = c.name if len(c.name) <= 80 else c.name[:79] + "…"
            if data.get(tick) and not reason:
                self.add_error(reason_name, _("Ghi nội dung cần bổ sung của «%(name)s»: giấy tờ sai, thiếu gì.")
                               % {"name": name})
            elif reason and not data.get(tick):
                self.add_error(tick, _("Đánh dấu «%(name)s» nếu cần bổ sung giấy tờ này, hoặc xóa nội dung đã ghi.")
                               % {"name": name})
            elif data.get(tick):
                items.append({"component": c.pk, "reason": reason})
                self.item_fields.append((tick, reason_name))
        for item, text_name, reason_name in clean_free_items(self, data, self.free_rows):
            items.append(item)
            self.item_fields.append((text_name, reason_name))
        missing = missing_lines(data.get("missing", ""))
        if not self.errors and not items and not missing:
            raise ValidationError(_("Cần liệt kê ít nhất một mục cần bổ sung: đánh dấu giấy tờ cần bổ sung và ghi "
                                    "nội dung, hoặc ghi giấy tờ khác."))
        if len(items) + len(missing) > MAX_MISSING_ITEMS:
            raise ValidationError(_("Danh sách có %(n)d mục; tối đa %(max)d mục.")
                                  % {"n": len(items) + len(missing), "max": MAX_MISSING_ITEMS})
        data["items"], data["missing"] = items, missing
        return data

    def field_for(self, api_field: str | None) -> str | None:
        """The field of this form an action-layer error about `items[i].…` belongs on."""
        match = re.fullmatch(r"items\[(\d+)\](?:\.(\w+))?", api_field or "")
        if not match or int(match.group(1)) >= len(self.item_fields):
            return None
        first, reason = self.item_fields[int(match.group(1))]
        return reason if match.group(2) == "reason" else first


class PauseForm(ActionForm):
    kind = forms.ChoiceField(
        label=_("Loại tạm dừng"),
        choices=[("other", _("Tạm dừng (thẩm định, niêm yết, xin ý kiến…)")),
                 ("payment", _("Chờ thực hiện nghĩa vụ tài chính"))],
        initial="other",
    )
    reason = reason_field(_("Lý do tạm dừng"))


class ExtendForm(ActionForm):
    new_due_at = forms.DateTimeField(
        label=_("Thời hạn trả kết quả mới"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": _("Cần chọn ngày giờ hẹn trả mới."),
                        "invalid": _("Ngày giờ không hợp lệ; nhập theo dạng ngày/tháng/năm giờ:phút.")},
    )
    reason = reason_field(_("Lý do chậm và lời xin lỗi"), help_text=_("In trên văn bản xin lỗi và gia hạn (mẫu 04)."))


class StopForm(ActionForm):
    reason = reason_field(_("Lý do dừng xử lý"), help_text=_("In trên thông báo dừng giải quyết (mẫu 05)."))


class ReturnResultForm(ActionForm):
    originals_checked = forms.BooleanField(label=_("Đã đối chiếu bản chính với các tệp đã nộp"), required=False)
    applicant_signed = forms.BooleanField(label=_("Người nhận đã ký nhận kết quả"), required=False)
    fee_collected = forms.CharField(
        label=_("Phí, lệ phí thu khi trả (đồng)"), max_length=30, required=False, initial="0",
        help_text=_("Số đồng, ví dụ 200000 hoặc 200.000; để 0 nếu không thu."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"max_length": _("Số tiền quá dài.")},
    )
    fee_method = forms.ChoiceField(label=_("Hình thức thu"), choices=FEE_METHOD_CHOICES, required=False,
                                   initial="cash")
    receipt_number = forms.CharField(
        label=_("Số biên lai"), max_length=50, required=False,
        error_messages={"max_length": _("Số biên lai dài quá %(limit_value)d ký tự.")},
    )
    note = note_field()

    def clean_receipt_number(self):
        return one_line(self.cleaned_data.get("receipt_number", ""))

    def clean_fee_collected(self):
        """Whole đồng; "200.000", "200,000", "200 000 đ" are read as Vietnamese write them."""
        return parse_vnd(self.cleaned_data.get("fee_collected"))

    def clean(self):
        data = super().clean()
        if (data.get("fee_collected") or 0) > 0 and not data.get("receipt_number"):
            self.add_error("receipt_number", _("Đã thu phí thì cần nhập số biên lai."))
        return data


class PostResultForm(ActionForm):
    """The result handed to the post (bưu chính công ích): its bưu gửi number and the day."""

    postal_number = forms.CharField(
        label=_("Số hiệu bưu gửi"), max_length=50,
        help_text=_("In trên phiếu gửi của bưu điện, ví dụ EB123456789VN."),
        error_messages={"required": _("Cần nhập số hiệu bưu gửi."),
                        "max_length": _("Số hiệu bưu gửi dài quá %(limit_value)d ký tự.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    posted_on = forms.DateField(
        label=_("Ngày gửi"), required=False, input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text=_("Để trống: hôm nay."), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Ngày không hợp lệ; nhập theo dạng ngày/tháng/năm.")},
    )
    note = note_field()

    def clean_postal_number(self):
        return one_line(self.cleaned_data.get("postal_number", ""))


class WithdrawForm(ActionForm):
    confirm = forms.BooleanField(
        label=_("Người nộp đã có yêu cầu (đơn) rút hồ sơ"),
        error_messages={"required": _("Cần xác nhận người nộp đã yêu cầu rút hồ sơ.")},
    )
    reason = reason_field(_("Lý do rút (theo yêu cầu của người nộp)"), required=False)


class FilesForm(ActionForm):
    """Attach files (result documents, or scans of a component)."""

    component = forms.TypedChoiceField(label=_("Thành phần hồ sơ"), coerce=int, required=False)

    def __init__(self, *args, components=(), **kwargs):
        super().__init__(*args, **kwargs)
        if components:
            self.fields["component"].choices = [(c.pk, c.name) for c in components]
            self.fields["component"].required = True
        else:
            del self.fields["component"]


class SupplyForm(ActionForm):
    component = forms.TypedChoiceField(label=_("Giấy tờ bổ sung thuộc thành phần"), coerce=int, required=False)
    note = note_field(_("Nội dung đã bổ sung"))

    def __init__(self, *args, components=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["component"].choices = [("", _("(không đính kèm tệp)"))] + [(c.pk, c.name) for c in components]


class RecordFeeForm(ActionForm):
    """A fee collected at the counter outside a reception or a return (`actions.record_fee`)."""

    fee_amount = forms.CharField(
        label=_("Số tiền thu (đồng)"), max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Cần nhập số tiền thu."), "max_length": _("Số tiền quá dài.")},
    )
    fee_method = forms.ChoiceField(label=_("Hình thức thu"), choices=FEE_METHOD_CHOICES, initial="cash")
    fee_receipt = forms.CharField(
        label=_("Số biên lai"), max_length=50,
        error_messages={"required": _("Cần nhập số biên lai."),
                        "max_length": _("Số biên lai dài quá %(limit_value)d ký tự.")},
    )

    def clean_fee_amount(self):
        amount = parse_vnd(self.cleaned_data.get("fee_amount"))
        if amount <= 0:
            raise ValidationError(_("Số tiền thu phải lớn hơn 0."))
        return amount

    def clean_fee_receipt(self):
        return one_line(self.cleaned_data.get("fee_receipt", ""))


REFUND_METHOD_CHOICES = [("cash", _("Tiền mặt")), ("transfer", _("Chuyển khoản")),
                         ("gateway", _("Hoàn qua cổng thanh toán"))]


class RefundForm(ActionForm):
    """The fee given back (`actions.record_refund`): method, voucher or transaction reference, date."""

    refund = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)
    refund_method = forms.ChoiceField(label=_("Hình thức hoàn"), choices=REFUND_METHOD_CHOICES, initial="cash")
    refund_reference = forms.CharField(
        label=_("Số chứng từ hoặc mã giao dịch hoàn"), max_length=100,
        help_text=_("Số phiếu chi, ủy nhiệm chi hoặc mã giao dịch hoàn tiền."),
        error_messages={"required": _("Cần nhập số chứng từ hoàn."),
                        "max_length": _("Số chứng từ dài quá %(limit_value)d ký tự.")},
    )
    refunded_on = forms.DateField(
        label=_("Ngày hoàn"), required=False, input_formats=["%Y-%m-%d", "%d/%m/%Y"], help_text=_("Để trống: hôm nay."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Ngày không hợp lệ; nhập theo dạng ngày/tháng/năm.")},
    )

    def clean_refund_reference(self):
        return one_line(self.cleaned_data.get("refund_reference", ""))
