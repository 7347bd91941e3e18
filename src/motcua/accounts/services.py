"""Account rules: who may submit, what prefills a form, sign-up, verification codes, sign-in limits.

Other apps use:
    can_submit(user) -> bool
    submission_block_reason(user) -> str | None      (Vietnamese text to show, with verify_url())
    applicant_prefill(user) -> dict                  (keys of the API's `applicant`, plus date_of_birth)
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from motcua.core import ratelimit
from motcua.core.errors import DomainError
from motcua.core.ratelimit import Decision, Rule

from . import messaging
from .models import User, VerificationCode
from .validation import Contact, identifier_key, normalize_email, normalize_phone

# --- Settings (motcua.conf) ---------------------------------------------------------------------


def code_ttl() -> int:
    return int(settings.MOTCUA_CODE_TTL_SECONDS)


def code_max_attempts() -> int:
    return int(settings.MOTCUA_CODE_MAX_ATTEMPTS)


def resend_cooldown() -> int:
    return int(settings.MOTCUA_CODE_RESEND_SECONDS)


# --- For other apps ---------------------------------------------------------------------------


def can_submit(user) -> bool:
    """May this user submit a dossier online? Signed in, active, and verified (see User.is_verified_citizen)."""
    return bool(
        user is not None and getattr(user, "is_authenticated", False) and user.is_active
        and getattr(user, "is_verified_citizen", False)
    )


def submission_block_reason(user) -> str | None:
    """Why `user` may not submit (a sentence to show), or None when they may."""
    if user is None or not getattr(user, "is_authenticated", False):
        return _("Vui lòng đăng nhập để nộp hồ sơ trực tuyến.")
    if not user.is_active:
        return _("Tài khoản này đã bị khóa. Vui lòng liên hệ Bộ phận Một cửa.")
    if not can_submit(user):
        return _(
            "Tài khoản chưa được xác minh. Vui lòng xác minh số điện thoại hoặc e-mail "
            "(hoặc đăng nhập bằng tài khoản định danh điện tử) trước khi nộp hồ sơ."
        )
    return None


def verify_url() -> str:
    return reverse("accounts:verify")


def applicant_prefill(user) -> dict:
    """The applicant part of a dossier form, filled from the profile (empty strings when unknown)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return {"name": "", "id_number": "", "phone": "", "email": "", "address": "", "date_of_birth": ""}
    return {
        "name": user.full_name or user.get_full_name(),
        "id_number": user.id_number,
        "phone": user.phone,
        "email": user.email,
        "address": user.address,
        "date_of_birth": user.date_of_birth.isoformat() if user.date_of_birth else "",
    }


# --- Accounts by contact -------------------------------------------------------------------------


def _phone_variants(phone: str) -> list[str]:
    phone = normalize_phone(phone)
    variants = [phone]
    if phone.startswith("0"):
        variants.append("+84" + phone[1:])
    return variants


def accounts_with_contact(contact: Contact):
    """Active accounts holding this phone or e-mail, verified ones first, newest first."""
    qs = User.objects.filter(is_active=True)
    if contact.kind == "email":
        qs, verified = qs.filter(email__iexact=contact.value), F("email_verified_at")
    else:
        qs, verified = qs.filter(phone__in=_phone_variants(contact.value)), F("phone_verified_at")
    return qs.order_by(verified.desc(nulls_last=True), "-date_joined", "-id")


def account_that_proved(contact: Contact) -> User | None:
    """The active account that has proved it holds this phone or e-mail (a code sent there was
    entered), if any. Anyone can type an address at sign-up; only a proof may link it to roles."""
    if contact.kind == "email":
        qs = User.objects.filter(email__iexact=contact.value, email_verified_at__isnull=False)
    else:
        qs = User.objects.filter(phone__in=_phone_variants(contact.value), phone_verified_at__isnull=False)
    return qs.filter(is_active=True).order_by("-date_joined", "-id").first()


def contact_taken(contact: Contact, exclude: User | None = None) -> bool:
    """Does another account hold this phone or e-mail as verified?"""
    if contact.kind == "email":
        qs = User.objects.filter(email__iexact=contact.value, email_verified_at__isnull=False)
    else:
        qs = User.objects.filter(phone__in=_phone_variants(contact.value), phone_verified_at__isnull=False)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.exists()


def candidates_for_identifier(identifier: str) -> list[User]:
    """Accounts a sign-in identifier may name: the username, else the e-mail or phone (at most 5)."""
    identifier = (identifier or "").strip()
    if not identifier or len(identifier) > 254 or "\x00" in identifier:
        return []
    by_username = list(User.objects.filter(username=identifier)[:1])
    if by_username:
        return by_username
    key = identifier_key(identifier)
    if "@" in key:
        return list(accounts_with_contact(Contact("email", key))[:5])
    if key.isdigit() and 9 <= len(key) <= 12:
        return list(accounts_with_contact(Contact("phone", key))[:5])
    return list(User.objects.filter(username__iexact=identifier)[:1])


# --- Sign-up --------------------------------------------------------------------------------------


def new_username(prefix: str = "cd") -> str:
    alphabet = string.ascii_lowercase + string.digits
    for _attempt in range(20):
        name = prefix + "".join(secrets.choice(alphabet) for _i in range(10))
        if not User.objects.filter(username=name).exists():
            return name
    raise RuntimeError("could not find a free username")  # 36^10 names: never in practice


def sign_up(*, full_name: str, contact: Contact, password: str) -> User:
    user = User(username=new_username(), full_name=full_name, self_registered=True, privacy_consent_at=timezone.now())
    if contact.kind == "email":
        user.email = contact.value
    else:
        user.phone = contact.value
    user.set_password(password)
    user.save()
    return user


# --- Verification codes ------------------------------------------------------------------------


class SendRefused(Exception):  # noqa: N818 (a refusal, with the wait)
    def __init__(self, decision: Decision):
        super().__init__(f"retry after {decision.retry_after} s")
        self.decision = decision


def _hash_code(token: str, code: str) -> str:
    return salted_hmac("motcua.accounts.code", f"{token}:{code}", algorithm="sha256").hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def send_rules(destination: str, ip: str) -> list[Rule]:
    dest = identifier_key(destination)
    return [
        Rule(f"code-cooldown:{dest}", 1, resend_cooldown()),
        Rule(f"code-dest-hour:{dest}", int(settings.MOTCUA_CODE_SENDS_PER_HOUR), 3600),
        Rule(f"code-dest-day:{dest}", int(settings.MOTCUA_CODE_SENDS_PER_DAY), 86400),
        Rule(f"code-ip:{ip}", int(settings.MOTCUA_CODE_SENDS_PER_IP_HOUR), 3600),
    ]


def resend_wait(destination: str) -> int:
    """Seconds before another code may be sent to `destination` (0: now)."""
    per_destination = [r for r in send_rules(destination, "") if not r.key.startswith("code-ip:")]
    decision = ratelimit.peek_all(per_destination)
    return 0 if decision.allowed else decision.retry_after


def code_link(vc: VerificationCode, code: str) -> str:
    name = "accounts:reset_code" if vc.purpose == VerificationCode.Purpose.RESET else "accounts:verify"
    base = str(settings.MOTCUA_PUBLIC_URL).rstrip("/")
    return f"{base}{reverse(name)}?{urlencode({'t': vc.token, 'ma': code})}"


@dataclass(frozen=True)
class Issued:
    code: VerificationCode
    delivery: messaging.Delivery


def issue_code(user: User, purpose: str, field: str, destination: str, *, ip: str) -> Issued:
    """Make and send a new code to `destination` (the user's phone or e-mail, or a new one to prove).

    Refused (SendRefused, with the wait) within the resend cool-down or over the per-destination
    and per-address limits. Earlier open codes of the same user, purpose and field stop working.
    """
    decision = ratelimit.hit_all(send_rules(destination, ip))
    if not decision.allowed:
        raise SendRefused(decision)
    code = new_code()
    token = secrets.token_urlsafe(24)
    now = timezone.now()
    channel = VerificationCode.Channel.EMAIL if field == "email" else VerificationCode.Channel.SMS
    with transaction.atomic():
        VerificationCode.objects.filter(
            user=user, purpose=purpose, field=field, used_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        vc = VerificationCode.objects.create(
            token=token, user=user, purpose=purpose, channel=channel, field=field, destination=destination,
            code_hash=_hash_code(token, code), created_at=now,
            expires_at=now + dt.timedelta(seconds=code_ttl()), max_attempts=code_max_attempts(),
        )
        delivery = messaging.send_code(destination, channel, purpose, code, link=code_link(vc, code), user=user)
    return Issued(vc, delivery)


def open_code_for(user: User, purposes: list[str], field: str | None = None) -> VerificationCode | None:
    """The user's latest code of these purposes that was neither used nor replaced."""
    qs = VerificationCode.objects.filter(
        user=user, purpose__in=purposes, used_at__isnull=True, revoked_at__isnull=True
    )
    if field:
        qs = qs.filter(field=field)
    return qs.order_by("-created_at", "-id").first()


@dataclass(frozen=True)
class Check:
    ok: bool
    reason: str  # ok, wrong, expired, used, locked, revoked, format
    remaining: int = 0


def check_code(vc: VerificationCode, typed: str) -> Check:
    """Spend one attempt of `vc` on `typed`; a right code is used up (single use) in the same step."""
    digits = "".join(ch for ch in (typed or "")[:40] if ch.isdigit())
    now = timezone.now()

    def closed(row: VerificationCode) -> Check | None:
        if row.used_at is not None:
            return Check(False, "used")
        if row.revoked_at is not None:
            return Check(False, "revoked")
        if row.expires_at <= now:
            return Check(False, "expired")
        if row.attempts >= row.max_attempts:
            return Check(False, "locked")
        return None

    if (refused := closed(vc)) is not None:
        return refused
    if len(digits) != 6:  # a typo of length costs no attempt
        return Check(False, "format", vc.max_attempts - vc.attempts)
    with transaction.atomic():
        # Conditional updates, not read-then-write: two concurrent tries cannot both pass (also on SQLite).
        counted = VerificationCode.objects.filter(
            pk=vc.pk, used_at__isnull=True, revoked_at__isnull=True, attempts__lt=F("max_attempts"),
            expires_at__gt=now,
        ).update(attempts=F("attempts") + 1)
        vc.refresh_from_db()
        if not counted:
            return closed(vc) or Check(False, "locked")
        if not constant_time_compare(_hash_code(vc.token, digits), vc.code_hash):
            remaining = vc.max_attempts - vc.attempts
            return Check(False, "wrong" if remaining > 0 else "locked", remaining)
        used = VerificationCode.objects.filter(pk=vc.pk, used_at__isnull=True).update(used_at=now)
        if not used:
            return Check(False, "used")
        vc.used_at = now
    return Check(True, "ok")


class ContactTaken(DomainError):  # noqa: N818
    pass


def confirm_contact(user: User, field: str, value: str) -> None:
    """Record that `user` proved `value` (field "phone" or "email"): set it and mark it verified."""
    value = normalize_email(value) if field == "email" else normalize_phone(value)
    now = timezone.now()
    try:
        with transaction.atomic():
            if field == "email":
                User.objects.filter(pk=user.pk).update(email=value, email_verified_at=now)
                user.email, user.email_verified_at = value, now
            else:
                User.objects.filter(pk=user.pk).update(phone=value, phone_verified_at=now)
                user.phone, user.phone_verified_at = value, now
            # Codes still open for this field (an older address) would change it back: they stop here.
            VerificationCode.objects.filter(
                user=user, field=field, purpose__in=[VerificationCode.Purpose.SIGNUP, VerificationCode.Purpose.CONTACT],
                used_at__isnull=True, revoked_at__isnull=True,
            ).update(revoked_at=now)
    except IntegrityError:
        raise ContactTaken(value) from None


# --- Sign-in limits --------------------------------------------------------------------------------


def signin_rules(identifier: str, ip: str, users: list[User]) -> list[Rule]:
    limit = int(settings.MOTCUA_SIGNIN_FAILURES)
    window = int(settings.MOTCUA_SIGNIN_WINDOW_SECONDS)
    rules = [Rule(f"signin-id:{identifier_key(identifier)}", limit, window)]
    rules += [Rule(f"signin-user:{u.pk}", limit, window) for u in users]
    rules.append(Rule(f"signin-ip:{ip}", int(settings.MOTCUA_SIGNIN_FAILURES_PER_IP), window))
    return rules


@dataclass(frozen=True)
class SigninLock:
    """A refused sign-in: how long to wait, and whether the identifier or its account is locked
    (a password reset or an administrator lifts that) or only the client's address (no unlock
    but waiting: it is shared by everyone behind it)."""

    decision: Decision
    personal: bool


def signin_lock(rules: list[Rule]) -> SigninLock | None:
    """The lock that refuses a sign-in under `rules` (signin_rules), or None when it may be tried."""
    decision = ratelimit.peek_all(rules)
    if decision.allowed:
        return None
    personal = ratelimit.peek_all(rules[:-1])  # all but the address
    return SigninLock(personal if not personal.allowed else decision, not personal.allowed)


def signin_lock_text(lock: SigninLock) -> str:
    """Why a sign-in is refused, until when, and (for an account's lock) how to lift it sooner: a
    password reset clears the account's failures (reset_password), so does a system administrator
    (the user's page in the Django admin). A lock of the client's address only waits."""
    wait = ratelimit.wait_text(lock.decision.retry_after)
    if not lock.personal:
        return _("Có quá nhiều lần đăng nhập sai từ mạng này nên tạm thời bị chặn. %(wait)s") % {"wait": wait}
    return _("Đăng nhập sai quá nhiều lần nên tạm thời bị khóa để bảo vệ tài khoản. %(wait)s") % {
        "wait": wait} + " " + unlock_hint()


def unlock_hint() -> str:
    return _("Muốn mở khóa ngay: đặt lại mật khẩu bằng “Quên mật khẩu” (đặt xong là mở khóa), hoặc nhờ quản "
             "trị hệ thống mở khóa.")

def signin_failed(rules: list[Rule], users: list[User], *, ip: str, door: str) -> list[Decision]:
    """Count one failed sign-in on every rule (signin_rules(identifier, ip, users)); an account
    whose own count reaches the limit now is locked, and the change log says so. The decisions of
    the identifier's and the accounts' rules (not the address's)."""
    results = [ratelimit.hit(r.key, r.limit, r.window) for r in rules]
    for user, rule, decision in zip(users, rules[1:-1], results[1:-1], strict=True):
        if decision.count == rule.limit:
            record_lockout(user, rule, ip=ip, door=door, reason=_("mật khẩu sai"))
    return results[:-1]


def record_lockout(user: User, rule: Rule, *, ip: str, door: str, reason: str) -> None:
    """Write the change-log row of an account locked by a sign-in limit (the system is the actor);
    `door` is "page" (the sign-in pages, the Django admin's included) or "api" (the token endpoint)."""
    from motcua.audit import changelog
    from motcua.audit.models import ChangeAction

    now = timezone.now()
    wait = ratelimit.peek(rule.key, rule.limit, rule.window).retry_after or rule.window
    until = now + dt.timedelta(seconds=wait)
    membership = user.memberships.filter(active=True).select_related("agency").order_by("pk").first()
    changelog.record(None, user, ChangeAction.LOCK, before=None, at=now,
                     agency=membership.agency if membership else None,
                     after={"locked_until": until.isoformat(), "failures": rule.limit,
                            "window_seconds": rule.window, "ip": ip, "door": door},
                     note=_("Tạm khóa đăng nhập: %(reason)s %(n)s lần trong %(m)s phút (%(door)s, địa chỉ "
                            "%(ip)s), đến %(until)s.") % {
                         "reason": reason, "n": rule.limit, "m": rule.window // 60, "ip": ip,
                         "door": _("qua API") if door == "api" else _("trang đăng nhập"),
                         "until": timezone.localtime(until).strftime("%H:%M %d/%m/%Y")})


def unlock_signin(user: User, *, actor) -> None:
    """Lift the account's sign-in lock now (an administrator's action), with its change-log row."""
    from motcua.audit import changelog
    from motcua.audit.models import ChangeAction

    with transaction.atomic():
        changelog.record(actor, user, ChangeAction.UNLOCK, before=None, after={"unlocked": True},
                         note=_("Mở khóa đăng nhập (quản trị hệ thống)."))
    clear_signin_failures(user)
    ratelimit.reset(f"2fa:user:{user.pk}")  # the second step's own lock (twofactor._rules)


def clear_signin_failures(user: User, identifier: str = "") -> None:
    ratelimit.reset(f"signin-user:{user.pk}")
    for ident in {identifier, user.username, user.email, user.phone} - {""}:
        ratelimit.reset(f"signin-id:{identifier_key(ident)}")


def signup_rule(ip: str) -> Rule:
    return Rule(f"signup-ip:{ip}", int(settings.MOTCUA_SIGNUPS_PER_IP_HOUR), 3600)


def code_check_rule(ip: str) -> Rule:
    """Wrong codes per address (over all codes), on top of each code's own attempt limit."""
    return Rule(f"code-check-ip:{ip}", int(settings.MOTCUA_CODE_FAILURES_PER_IP), 900)


