"""Staff answer feedback here, in the Django admin.

Saving an answer stamps who answered and when, publishes it on /gop-y/ when «công khai» is
ticked (with the sender's name masked and contact details redacted), and tells the sender.
Ratings are read-only: they are written only by `services.record_rating`.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import integrations, services
from .models import Feedback, Rating


class AnsweredFilter(admin.SimpleListFilter):
    title = _("tình trạng")
    parameter_name = "answered"

    def lookups(self, request, model_admin):
        return [("no", _("Chưa trả lời")), ("yes", _("Đã trả lời"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(answered_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(answered_at__isnull=False)
        return queryset


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("reference", "title", "category", "created_at", "answered_at", "publish")
    list_filter = (AnsweredFilter, "category", "publish")
    search_fields = ("title", "content", "name", "dossier_code", "email", "phone")
    date_hierarchy = "created_at"
    readonly_fields = ("reference", "name", "phone", "email", "user", "dossier_code", "dossier", "category",
                       "title", "content", "created_at", "answered_at", "answered_by", "published_at")
    fieldsets = (
        (_("Người gửi"), {"fields": ("reference", "name", "phone", "email", "user")}),
        (_("Nội dung"), {"fields": ("category", "title", "content", "dossier_code", "dossier", "agency",
                                    "created_at")}),
        (_("Trả lời"), {"fields": ("answer", "publish", "public_content", "answered_at", "answered_by",
                                   "published_at")}),
    )

    def has_add_permission(self, request):
        return False  # PAKN come from the public form

    def save_model(self, request, obj, form, change):
        newly_answered = bool(obj.answer.strip()) and obj.answered_at is None
        if newly_answered:
            obj.answered_at = timezone.now()
            obj.answered_by = request.user
        services.stamp_publication(obj)
        super().save_model(request, obj, form, change)
        if newly_answered:
            integrations.tell_sender_answered(obj)


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("dossier", "agency", "score", "unsatisfied", "on_behalf", "created_at")
    list_filter = ("unsatisfied", "on_behalf", "agency")
    search_fields = ("dossier__code",)
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
