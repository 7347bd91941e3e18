"""Webhook subscriptions of the calling service account (scope `webhooks:manage`).

Mounted by `motcua.api.urls` at /api/v1/webhooks:
  GET    /api/v1/webhooks            the account's subscriptions (without their secrets)
  POST   /api/v1/webhooks            {target_url, event_kinds?} -> 201 with the signing secret (shown once)
  DELETE /api/v1/webhooks/<id>       204
"""

from __future__ import annotations

from ninja import Router, Schema, Status
from pydantic import Field

from motcua.api.auth import api_auth
from motcua.core.api_errors import ApiError
from motcua.dossiers.models import EventKind

from .models import ServiceAccount, WebhookSubscription
from .scopes import WEBHOOKS_MANAGE, require_scope
from .webhooks import TargetRefused, check_target

router = Router(tags=["webhooks"], auth=api_auth)
MAX_SUBSCRIPTIONS = 20


class WebhookIn(Schema):
    target_url: str = Field(max_length=500)
    event_kinds: list[str] = Field(default_factory=list, max_length=len(EventKind.values))


class WebhookOut(Schema):
    id: int
    target_url: str
    event_kinds: list[str]
    active: bool
    created_at: str


class WebhookCreated(WebhookOut):
    secret: str


def _account(request) -> ServiceAccount:
    require_scope(request, WEBHOOKS_MANAGE)
    account = ServiceAccount.objects.filter(user=request.auth, active=True).first() if request.auth else None
    if account is None:
        raise ApiError(403, "service_account_required", "Chỉ tài khoản dịch vụ mới đăng ký được webhook.")
    return account


def _out(subscription: WebhookSubscription) -> dict:
    return {
        "id": subscription.pk, "target_url": subscription.target_url, "event_kinds": subscription.event_kinds,
        "active": subscription.active, "created_at": subscription.created_at.isoformat(),
    }


@router.get("", response=list[WebhookOut], summary="Các webhook của tài khoản dịch vụ")
def list_webhooks(request):
    account = _account(request)
    return [_out(s) for s in account.webhooks.order_by("id")]


@router.post("", response={201: WebhookCreated}, summary="Đăng ký webhook (khóa ký chỉ trả về một lần)")
def create_webhook(request, payload: WebhookIn):
    account = _account(request)
    url = payload.target_url.strip()
    try:
        check_target(url)
    except TargetRefused as exc:
        raise ApiError(400, "invalid_parameter", f"{exc} (trường «target_url»).", field="target_url") from None
    bad = [k for k in payload.event_kinds if k not in EventKind.values]
    if bad:
        raise ApiError(400, "invalid_parameter", f"Loại sự kiện không hợp lệ: {', '.join(bad[:5])} "
                       f"(trường «event_kinds»; các loại: {', '.join(EventKind.values)}).", field="event_kinds")
    if account.webhooks.count() >= MAX_SUBSCRIPTIONS:
        raise ApiError(409, "too_many_webhooks", f"Mỗi tài khoản đăng ký tối đa {MAX_SUBSCRIPTIONS} webhook.")
    subscription = WebhookSubscription.objects.create(
        account=account, target_url=url, event_kinds=sorted(set(payload.event_kinds))
    )
    return Status(201, _out(subscription) | {"secret": subscription.secret})


@router.delete("/{webhook_id}", response={204: None}, summary="Xóa webhook")
def delete_webhook(request, webhook_id: int):
    account = _account(request)
    subscription = account.webhooks.filter(pk=webhook_id).first()
    if subscription is None:
        raise ApiError(404, "not_found", "Không tìm thấy webhook.")
    if subscription.deliveries.exists():
        subscription.active = False  # deliveries keep their history; the subscription stops
        subscription.save(update_fields=["active"])
    else:
        subscription.delete()
    return Status(204, None)
