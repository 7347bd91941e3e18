"""The citizen's forms: withdraw (with an explicit confirmation), the note sent with a supplement."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.lifecycle import MAX_REASON_CHARS
from motcua.feedback.forms import StyledForm, multi_line

from .supplement import MAX_NOTE_CHARS


class WithdrawForm(StyledForm):
    reason = forms.CharField(
        label=_("Lý do rút hồ sơ (không bắt buộc)"), required=False, max_length=MAX_REASON_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Lý do dài quá %(limit_value)d ký tự (đang có %(show_value)d).")},
    )
    confirm = forms.BooleanField(
        label=_("Tôi đồng ý rút hồ sơ này. Hồ sơ sẽ dừng giải quyết và không thể khôi phục."),
        error_messages={"required": _("Hãy đánh dấu ô xác nhận để rút hồ sơ.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean_reason(self):
        return multi_line(self.cleaned_data.get("reason"))


class SupplyNoteForm(StyledForm):
    note = forms.CharField(
        label=_("Ghi chú gửi cán bộ (không bắt buộc)"), required=False, max_length=MAX_NOTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("Ghi chú dài quá %(limit_value)d ký tự (đang có %(show_value)d).")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean_note(self):
        return multi_line(self.cleaned_data.get("note"))
