"""Staff admin (can-bo/): the staff of an agency, invitations, roles, deactivation.

* A role is a Membership (user, agency, role). Removing a role deletes that row; deactivating a
  staff member at an agency sets `active=False` on all their rows there (never deleted, so the
  history and a later reactivation keep the roles). Without an active membership the user no
  longer sees the agency's dossiers (`dossiers.queries` reads active memberships only).
* Inviting: an existing account with that e-mail or phone gets the roles; otherwise a new
  account is made with an unusable password and a set-password code is sent through the
  accounts app's reset flow (`services.issue_code`, purpose "reset": the link opens
  /quen-mat-khau/nhap-ma/ and leads to choosing a password).
* Agency admins manage their own agency only, and never a provincial admin (or a superuser);
  provincial admins manage every agency. Nobody removes their own last admin role.
* Every change writes a change-log row in the same transaction.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from motcua.accounts import services as account_services
from motcua.accounts.models import Membership, Role, User, VerificationCode
from motcua.accounts.validation import Contact, clean_email, clean_mobile
from motcua.agencies.models import Agency
from motcua.audit import changelog
from motcua.audit.models import ChangeAction
from motcua.core.ratelimit import client_ip
from motcua.staff.access import forbidden
from motcua.staff.forms import BaseForm, one_line

from .access import admin_agencies, admin_render, admin_required, can_configure

USER_EXCLUDE = ("password", "last_login")
ROLE_CHOICES = Role.choices


def _snapshot_user(user):
    return changelog.snapshot(user, exclude=USER_EXCLUDE)


def is_provincial_admin(user) -> bool:
    return bool(user.is_superuser) or Membership.objects.filter(
        user=user, role=Role.AGENCY_ADMIN, active=True, agency__parent__isnull=True).exists()


def manage_refusal(request, agency: Agency | None, target: User | None = None) -> str | None:
    """Why this admin may not manage `target` at `agency` (None: allowed)."""
    if agency is None or not can_configure(request.staff, agency.pk):
        return _("Bạn chỉ quản lý được cán bộ của cơ quan mình.")
    if target is not None and request.admin_ids is not None and target.pk != request.user.pk \
            and is_provincial_admin(target):
        return _("Tài khoản này là quản trị cấp tỉnh; chỉ quản trị cấp tỉnh mới thay đổi được.")
    return None


def last_admin_refusal(request, target: User, agency: Agency, keeps_admin_here: bool) -> str | None:
    """An admin may not remove their own last admin role (they would lock themselves out)."""
    if target.pk != request.user.pk or keeps_admin_here or request.user.is_superuser:
        return None
    elsewhere = Membership.objects.filter(user=target, role=Role.AGENCY_ADMIN, active=True).exclude(agency=agency)
    if elsewhere.exists():
        return None
    return _("Bạn không thể bỏ vai trò quản trị đơn vị cuối cùng của chính mình: khi đó sẽ không còn vào được trang "
             "quản trị. Hãy nhờ một quản trị khác làm việc này.")


def _agency_from(request, raw: str | None) -> Agency | None:
    raw = (raw or "").strip()[:12]
    agencies = admin_agencies(request.staff)
    if raw.isdigit():
        return Agency.objects.filter(pk=int(raw)).first()
    if request.admin_ids is not None:
        return agencies.order_by("name").first()
    own = [a.agency_id for a in request.staff.agencies if Role.AGENCY_ADMIN in a.roles]
    return Agency.objects.filter(pk__in=own).order_by("parent_id", "name").first() or agencies.order_by("name").first()


def _errors(form) -> list[tuple[str, str]]:
    out = []
    for name, errs in form.errors.items():
        out += [(form[name].auto_id if name in form.fields else "", e) for e in errs]
    return out


def _render(request, template: str, context: dict, status: int = 200):
    return admin_render(request, template, context, admin_nav="staff", status=status)


# --- forms ----------------------------------------------------------------------------------------


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", ROLE_CHOICES)
        kwargs.setdefault("label", gettext_lazy("Vai trò tại cơ quan"))
        kwargs.setdefault("error_messages", {
            "required": gettext_lazy("Cần chọn ít nhất một vai trò."),
            "invalid_choice": gettext_lazy("Vai trò «%(value)s» không có trong danh sách."),
        })
        super().__init__(**kwargs)


class InviteForm(BaseForm):
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Cơ quan"), queryset=Agency.objects.none(), empty_label=None,
        error_messages={"required": gettext_lazy("Cần chọn cơ quan."),
                        "invalid_choice": gettext_lazy("Bạn không quản lý cơ quan đã chọn.")},
    )
    full_name = forms.CharField(
        label=gettext_lazy("Họ và tên"), max_length=255,
        error_messages={"required": gettext_lazy("Cần nhập họ và tên cán bộ."),
                        "max_length": gettext_lazy("Họ tên dài quá %(limit_value)d ký tự (đang có %(show_value)d).")},
    )
    email = forms.CharField(
        label=gettext_lazy("E-mail"), max_length=254, required=False,
        help_text=gettext_lazy("Mã đặt mật khẩu được gửi tới e-mail (hoặc số điện thoại nếu không có e-mail)."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Số điện thoại di động"), max_length=20, required=False,
        help_text=gettext_lazy("10 chữ số, ví dụ 0912345678."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    roles = RolesField()

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies if agencies is not None else Agency.objects.none()
        if self.is_bound:
            self.mark_invalid()

    def clean_full_name(self):
        name = one_line(self.cleaned_data["full_name"])
        if not name:
            raise ValidationError(_("Cần nhập họ và tên cán bộ."))
        return name

    def clean_email(self):
        value = (self.cleaned_data.get("email") or "").strip()
        return clean_email(value) if value else ""

    def clean_phone(self):
        value = (self.cleaned_data.get("phone") or "").strip()
        return clean_mobile(value) if value else ""

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("email") and not data.get("phone"):
            raise ValidationError(_("Cần nhập e-mail hoặc số điện thoại để gửi mã đặt mật khẩu cho cán bộ."))
        return data


class RolesForm(BaseForm):
    roles = RolesField(required=False)


# --- views ----------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@admin_required
def staff_list(request):
    agency = _agency_from(request, request.GET.get("co-quan"))
    refusal = manage_refusal(request, agency)
    if refusal:
        return forbidden(request, refusal)
    rows = (Membership.objects.filter(agency=agency).select_related("user")
            .order_by("user__full_name", "user__username", "role"))
    people: dict[int, dict] = {}
    labels = dict(ROLE_CHOICES)
    for m in rows:
        entry = people.setdefault(m.user_id, {"user": m.user, "roles": [], "inactive_roles": []})
        (entry["roles"] if m.active else entry["inactive_roles"]).append(str(labels.get(m.role, m.role)))
    members = sorted(people.values(), key=lambda e: (not e["roles"], str(e["user"]).lower()))
    agencies = admin_agencies(request.staff).order_by("unit_code", "name")
    return _render(request, "administration/staff/list.html", {
        "agency": agency, "members": members, "agencies": agencies,
        "many_agencies": request.admin_ids is None or len(request.admin_ids) > 1,
    })


def _existing_account(email: str, phone: str) -> tuple[User | None, bool, Contact | None]:
    """(the account that proved this e-mail or phone, whether an unproved account also names it,
    the contact that matched). Only a proved address may receive the roles: an address typed at
    sign-up proves nothing."""
    contacts = [Contact(kind, value) for kind, value in (("email", email), ("phone", phone)) if value]
    for contact in contacts:
        found = account_services.account_that_proved(contact)
        if found is not None:
            return found, False, contact
    return None, any(account_services.accounts_with_contact(c).exists() for c in contacts), None


def _invitation_note(matched: Contact | None, unproved: bool) -> str:
    """Why an invitation went to an existing account or made a new one (the change log's note)."""
    if matched is not None:
        return _("Mời cán bộ: giao vai trò cho tài khoản có %(kind)s %(value)s đã xác minh.") % {
            "kind": _("e-mail") if matched.kind == "email" else _("số điện thoại"), "value": matched.value}
    if unproved:
        return _("Mời cán bộ vào cơ quan: tạo tài khoản mới vì tài khoản tự đăng ký ghi địa chỉ này nhưng chưa xác "
                 "minh, nên không được giao vai trò.")
    return _("Mời cán bộ vào cơ quan: tạo tài khoản mới. Chưa có tài khoản nào đã xác minh e-mail hoặc số điện "
             "thoại này.")


def send_invitation(request, user: User) -> str:
    """Send a set-password code (the reset flow) to the user's e-mail, else phone: the message to show."""
    field, destination = ("email", user.email) if user.email else ("phone", user.phone)
    if not destination:
        return _("Tài khoản chưa có e-mail hay số điện thoại để gửi mã đặt mật khẩu.")
    try:
        issued = account_services.issue_code(user, VerificationCode.Purpose.RESET, field, destination,
                                             ip=client_ip(request))
    except account_services.SendRefused:
        return _("Vừa gửi mã tới %(dest)s; chưa gửi lại được ngay, vui lòng thử lại sau ít phút.") % {
            "dest": destination}
    if not issued.delivery.sent:
        return _("Chưa gửi được mã đặt mật khẩu tới %(dest)s. Cán bộ có thể tự vào «Quên mật khẩu» với địa chỉ "
                 "này để nhận mã.") % {"dest": destination}
    return _("Đã gửi mã đặt mật khẩu tới %(dest)s; cán bộ dùng mã (hoặc đường liên kết) để đặt mật khẩu và "
             "đăng nhập.") % {"dest": destination}


def _grant(request, user: User, agency: Agency, roles) -> list[str]:
    """Create or reactivate the memberships of `roles`; the labels of the roles granted."""
    labels = dict(ROLE_CHOICES)
    granted = []
    existing = {m.role: m for m in Membership.objects.select_for_update().filter(user=user, agency=agency)}
    for role in roles:
        m = existing.get(role)
        if m is None:
            m = Membership.objects.create(user=user, agency=agency, role=role)
            changelog.record(request.user, m, ChangeAction.CREATE, agency=agency)
        elif not m.active:
            before = changelog.snapshot(m)
            m.active = True
            m.save(update_fields=["active"])
            changelog.record(request.user, m, ChangeAction.UPDATE, before=before, agency=agency)
        else:
            continue
        granted.append(str(labels.get(role, role)))
    return granted


@require_http_methods(["GET", "HEAD", "POST"])
@admin_required
def staff_invite(request):
    agencies = admin_agencies(request.staff).order_by("unit_code", "name")
    initial_agency = _agency_from(request, request.GET.get("co-quan"))
    form = InviteForm(request.POST or None, agencies=agencies,
                      initial={"agency": initial_agency.pk if initial_agency else None})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            agency = data["agency"]
            existing, unproved, matched = _existing_account(data["email"], data["phone"])
            refusal = manage_refusal(request, agency, existing)
            if refusal:
                form.add_action_error(None, refusal)
            else:
                note = ""
                with transaction.atomic():
                    if existing is None:
                        user = User(username=account_services.new_username("cb"), full_name=data["full_name"],
                                    email=data["email"], phone=data["phone"])
                        user.set_unusable_password()
                        user.save()
                        changelog.record(request.user, user, ChangeAction.CREATE, after=_snapshot_user(user),
                                         agency=agency, note=_invitation_note(None, unproved))
                    else:
                        user = existing
                        changelog.record(request.user, user, ChangeAction.UPDATE, after=_snapshot_user(user),
                                         agency=agency, note=_invitation_note(matched, False))
                    granted = _grant(request, user, agency, data["roles"])
                    if existing is None or not user.has_usable_password():
                        note = send_invitation(request, user)
                if existing is None:
                    if unproved:
                        note = _("Một tài khoản tự đăng ký cũng ghi địa chỉ này nhưng chưa xác minh, nên không được "
                                 "giao vai trò; đã tạo tài khoản mới cho cán bộ.") + " " + note
                    messages.success(request, _("Đã tạo tài khoản %(user)s (tên đăng nhập %(username)s) với vai trò: "
                                                "%(roles)s. %(note)s") % {
                        "user": user, "username": user.username, "roles": ", ".join(granted), "note": note})
                elif granted:
                    messages.success(request, _("Đã có tài khoản %(user)s với e-mail hoặc số điện thoại này: đã giao "
                                                "thêm vai trò %(roles)s tại %(agency)s. %(note)s") % {
                        "user": user, "roles": ", ".join(granted), "agency": agency.name, "note": note})
                else:
                    messages.info(request, _("%(user)s đã có các vai trò này tại %(agency)s; không có gì thay đổi.")
                                  % {"user": user, "agency": agency.name})
                return redirect(f"/can-bo/quan-tri/can-bo/{user.pk}/?co-quan={agency.pk}")
    return _render(request, "administration/staff/invite.html", {"form": form, "errors": _errors(form)},
                   status=status)


def _member_context(request, target: User, agency: Agency) -> dict:
    rows = list(Membership.objects.filter(user=target, agency=agency).order_by("role"))
    return {"target": target, "agency": agency, "memberships": rows,
            "active": any(m.active for m in rows), "has_rows": bool(rows)}


def _load_member(request, user_id: int):
    target = User.objects.filter(pk=user_id).prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("agency"))).first()
    if target is None:
        raise Http404("no such user")
    agency = _agency_from(request, request.GET.get("co-quan") or request.POST.get("agency"))
    return target, agency


@require_http_methods(["GET", "HEAD", "POST"])
@admin_required
def staff_member(request, user_id: int):
    target, agency = _load_member(request, user_id)
    refusal = manage_refusal(request, agency, target)
    if refusal:
        return forbidden(request, refusal)
    context = _member_context(request, target, agency)
    if not context["has_rows"]:
        raise Http404("not staff of this agency")
    current = [m.role for m in context["memberships"] if m.active]
    form = RolesForm(initial={"roles": current})
    status = 200
    action = request.POST.get("action", "")
    if request.method == "POST" and action == "roles":
        form = RolesForm(request.POST)
        status = 400
        if not context["active"]:
            form.add_action_error(None, _("Cán bộ đang bị ngừng hoạt động tại cơ quan này; hãy kích hoạt lại trước."))
        elif form.is_valid():
            wanted = set(form.cleaned_data["roles"])
            if not wanted:
                form.add_action_error("roles", _("Cần giữ ít nhất một vai trò. Để cán bộ thôi làm việc tại cơ quan, "
                                                 "hãy dùng «Ngừng hoạt động»."))
            else:
                problem = last_admin_refusal(request, target, agency, Role.AGENCY_ADMIN in wanted)
                if problem:
                    form.add_action_error("roles", problem)
                else:
                    labels = dict(ROLE_CHOICES)
                    with transaction.atomic():
                        granted = _grant(request, target, agency, sorted(wanted))
                        removed = []
                        for m in Membership.objects.select_for_update().filter(user=target, agency=agency):
                            if m.role not in wanted:
                                before = changelog.snapshot(m)
                                m.delete()
                                changelog.record(request.user, m, ChangeAction.DELETE, before=before, agency=agency,
                                                 note=_("Bỏ vai trò."))
                                removed.append(str(labels.get(m.role, m.role)))
                    if granted or removed:
                        parts = []
                        if granted:
                            parts.append(_("giao vai trò %(r)s") % {"r": ", ".join(granted)})
                        if removed:
                            parts.append(_("bỏ vai trò %(r)s") % {"r": ", ".join(removed)})
                        messages.success(request, _("Đã lưu: %(what)s cho %(user)s.") % {
                            "what": "; ".join(parts), "user": target})
                    else:
                        messages.info(request, _("Không có thay đổi vai trò."))
                    return redirect(f"/can-bo/quan-tri/can-bo/{target.pk}/?co-quan={agency.pk}")
    elif request.method == "POST" and action == "activate":
        with transaction.atomic():
            changed = _set_active(request, target, agency, True)
        if changed:
            messages.success(request, _("Đã kích hoạt lại %(user)s tại %(agency)s.") % {
                "user": target, "agency": agency.name})
        return redirect(f"/can-bo/quan-tri/can-bo/{target.pk}/?co-quan={agency.pk}")
    elif request.method == "POST" and action == "resend":
        if target.has_usable_password():
            messages.info(request, _("Cán bộ đã đặt mật khẩu; nếu quên, họ dùng «Quên mật khẩu» ở trang đăng nhập."))
        else:
            messages.info(request, send_invitation(request, target))
        return redirect(f"/can-bo/quan-tri/can-bo/{target.pk}/?co-quan={agency.pk}")
    elif request.method == "POST":
        messages.error(request, _("Không rõ thao tác cần làm."))
        return redirect(f"/can-bo/quan-tri/can-bo/{target.pk}/?co-quan={agency.pk}")
    context.update(form=form, errors=_errors(form), invited=not target.has_usable_password())
    return _render(request, "administration/staff/member.html", context, status=status)


def _set_active(request, target: User, agency: Agency, active: bool) -> int:
    changed = 0
    for m in Membership.objects.select_for_update().filter(user=target, agency=agency, active=not active):
        before = changelog.snapshot(m)
        m.active = active
        m.save(update_fields=["active"])
        changelog.record(request.user, m, ChangeAction.UPDATE, before=before, agency=agency,
                         note=_("Kích hoạt lại.") if active else _("Ngừng hoạt động tại cơ quan."))
        changed += 1
    return changed


@require_http_methods(["GET", "HEAD", "POST"])
@admin_required
def staff_deactivate(request, user_id: int):
    target, agency = _load_member(request, user_id)
    refusal = manage_refusal(request, agency, target)
    if refusal:
        return forbidden(request, refusal)
    context = _member_context(request, target, agency)
    if not context["has_rows"]:
        raise Http404("not staff of this agency")
    back = f"/can-bo/quan-tri/can-bo/{target.pk}/?co-quan={agency.pk}"
    problem = last_admin_refusal(request, target, agency, False)
    if problem:
        messages.error(request, problem)
        return redirect(back)
    if request.method == "POST":
        with transaction.atomic():
            changed = _set_active(request, target, agency, False)
        if changed:
            messages.success(request, _("Đã ngừng hoạt động %(user)s tại %(agency)s. Tài khoản không còn xem hay xử lý "
                                        "hồ sơ của cơ quan này; các vai trò được giữ lại để có thể kích hoạt lại.")
                             % {"user": target, "agency": agency.name})
        return redirect(back)
    return _render(request, "administration/staff/deactivate.html", context)


urlpatterns = [
    path("can-bo/", staff_list, name="staff"),
    path("can-bo/moi/", staff_invite, name="staff_invite"),
    path("can-bo/<int:user_id>/", staff_member, name="staff_member"),
    path("can-bo/<int:user_id>/ngung-hoat-dong/", staff_deactivate, name="staff_deactivate"),
]
