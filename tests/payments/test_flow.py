"""The whole sandbox journey through Django's test client: the citizen's pay button, the
gateway's page, the browser's return, the server-to-server IPN (a background job)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.urls import reverse

from motcua.dossiers.models import Event, Status
from motcua.jobs.runner import run_pending
from motcua.payments.contrib.sandbox.models import SandboxTransaction
from motcua.payments.models import CallbackLog, Payment
from motcua.payments.states import State

from .conftest import fresh, gateway_params


def pay_through_the_sandbox(client, dossier, *, action="pay", lose_ipn=False, next_url=""):
    """Start page -> pay -> the sandbox page -> the tester's choice; returns (payment, return URL)."""
    start = reverse("payments:start", args=[dossier.code])
    page = client.get(start, {"next": next_url} if next_url else {})
    assert page.status_code == 200
    key = page.context["idempotency_key"]
    to_gateway = client.post(start, {"when": page.context["when"], "idempotency_key": key, "next": next_url})
    assert to_gateway.status_code == 302
    gateway_url = to_gateway["Location"]
    assert gateway_url.startswith(reverse("payments_sandbox:pay") + "?vnp_")
    gateway_page = client.get(gateway_url)
    assert gateway_page.status_code == 200
    assert "CỔNG THANH TOÁN THỬ NGHIỆM" in gateway_page.content.decode()
    txn = gateway_page.context["txn"]
    form = {"action": action}
    if lose_ipn:
        form["lose_ipn"] = "1"
    back = client.post(reverse("payments_sandbox:submit", args=[txn.token]), form)
    assert back.status_code == 302
    payment = Payment.objects.get(merchant_ref=txn.txn_ref)
    return payment, back["Location"]


def test_it_walks_the_sandbox_flow_redirect_return_callback(citizen_client, people, copy_dossier):
    client = citizen_client
    page = client.get(reverse("payments:start", args=[copy_dossier.code]))
    html = page.content.decode()
    assert "Phí cấp bản sao trích lục hộ tịch" in html and "8.000" in html and "cổng thanh toán thử nghiệm" in html

    payment, return_url = pay_through_the_sandbox(client, copy_dossier, next_url="/ho-so-cua-toi/")
    assert payment.state == State.PENDING and payment.amount_vnd == 8000 and payment.is_test
    assert payment.fees == [{"fee_id": payment.fees[0]["fee_id"], "name": "Phí cấp bản sao trích lục hộ tịch",
                             "amount_vnd": 8000, "collected": "at_reception"}]
    assert urlsplit(return_url).path == reverse("payments:return", args=["sandbox"])

    # The browser comes back first: the signed "paid" is shown as awaiting confirmation, not trusted.
    shown = client.get(return_url)
    assert shown.status_code == 200
    text = shown.content.decode()
    assert "Đang chờ xác nhận" in text and "Cổng thanh toán báo giao dịch thành công" in text
    assert fresh(payment).state == State.PENDING
    assert CallbackLog.objects.get(payment=payment, kind="return").outcome == "seen"

    # The gateway's IPN (and the query the return asked for) arrive through the job queue.
    assert run_pending().get("done", 0) >= 1
    paid = fresh(payment)
    assert paid.state == State.PAID and paid.provider_txn_ref.startswith("14")
    assert CallbackLog.objects.filter(payment=payment, kind="callback", outcome="applied").count() == 1

    done = client.get(reverse("payments:detail", args=[payment.merchant_ref]))
    text = done.content.decode()
    assert "Thanh toán thành công" in text and "8.000" in text and 'href="/ho-so-cua-toi/"' in text
    assert 'http-equiv="refresh"' not in text
    # Reloading the return page (or the gateway resending) changes nothing.
    assert "Thanh toán thành công" in client.get(return_url).content.decode()
    after = client.get(reverse("payments:start", args=[copy_dossier.code])).content.decode()
    assert "không còn khoản phí, lệ phí nào cần thanh toán" in after


def test_it_calls_the_callback_view_directly_with_the_gateway_params(citizen_client, copy_dossier):
    from motcua.payments.contrib.sandbox import gateway

    payment, _ = pay_through_the_sandbox(citizen_client, copy_dossier)
    txn = SandboxTransaction.objects.get(txn_ref=payment.merchant_ref)
    params = gateway.result_params(txn)
    answer = citizen_client.get(reverse("payments:ipn", args=["sandbox"]), params).json()
    assert answer == {"RspCode": "00", "Message": "Confirm Success"}
    assert fresh(payment).state == State.PAID
    run_pending()  # the gateway's own IPN job: a replay
    assert CallbackLog.objects.filter(payment=payment, kind="callback").values_list("outcome", flat=True).last() == (
        "same")


def test_it_resumes_a_dossier_awaiting_payment(citizen_client, people, awaiting_payment):
    dossier = awaiting_payment
    assert dossier.status == Status.AWAITING_PAYMENT
    payment, return_url = pay_through_the_sandbox(citizen_client, dossier)
    assert payment.when == "at_return"
    run_pending()
    paid = fresh(payment)
    assert paid.state == State.PAID and paid.dossier_recorded
    resumed = fresh(dossier)
    assert resumed.status == Status.PROCESSING and resumed.paused_at is None
    event = Event.objects.filter(dossier=dossier).order_by("-version").first()
    assert event.kind == "payment_received" and payment.merchant_ref in event.note and "8.000" in event.note
    assert event.actor is None  # the system, on the gateway's word
    assert resumed.fee_collected == 8000


def test_it_shows_a_cancelled_or_failed_payment_and_offers_to_pay_again(citizen_client, copy_dossier):
    payment, return_url = pay_through_the_sandbox(citizen_client, copy_dossier, action="cancel")
    run_pending()
    assert fresh(payment).state == State.CANCELLED
    text = citizen_client.get(return_url).content.decode()
    assert "Giao dịch đã hủy" in text and "Thanh toán lại" in text

    again, return_url = pay_through_the_sandbox(citizen_client, copy_dossier, action="fail")
    assert again.pk != payment.pk
    run_pending()
    failed = fresh(again)
    assert failed.state == State.FAILED and failed.gateway_code == "51"
    assert "Thanh toán không thành công" in citizen_client.get(return_url).content.decode()


def test_it_does_not_trust_a_tampered_return(citizen_client, copy_dossier):
    payment, return_url = pay_through_the_sandbox(citizen_client, copy_dossier, action="fail", lose_ipn=True)
    forged = return_url.replace("vnp_ResponseCode=51", "vnp_ResponseCode=00").replace(
        "vnp_TransactionStatus=02", "vnp_TransactionStatus=00")
    shown = citizen_client.get(forged)
    assert shown.status_code == 400
    assert "không xác thực được" in shown.content.decode()
    assert fresh(payment).state == State.PENDING
    assert CallbackLog.objects.filter(payment=payment, kind="return", outcome="bad_signature").exists()


def test_it_reuses_the_open_payment_and_honours_the_idempotency_key(citizen_client, copy_dossier):
    start = reverse("payments:start", args=[copy_dossier.code])
    first = citizen_client.post(start, {"idempotency_key": "k-1"})
    second = citizen_client.post(start, {"idempotency_key": "k-1"})
    third = citizen_client.post(start, {"idempotency_key": "k-2"})  # a second tab: the same open payment
    assert first["Location"] == second["Location"] == third["Location"]
    assert Payment.objects.filter(dossier=copy_dossier).count() == 1


def test_it_lets_the_payer_cancel_an_open_payment(citizen_client, payment):
    response = citizen_client.post(reverse("payments:cancel", args=[payment.merchant_ref]))
    assert response.status_code == 302
    assert fresh(payment).state == State.CANCELLED
    entry = CallbackLog.objects.filter(payment=payment, kind="system").last()
    assert (entry.params["action"], entry.state_before, entry.state_after) == ("cancel", "pending", "cancelled")
    # The gateway page of a cancelled payment can still be paid: that money is flagged, not lost.
    citizen_client.get(payment.redirect_url)
    txn = SandboxTransaction.objects.get(txn_ref=payment.merchant_ref)
    citizen_client.post(reverse("payments_sandbox:submit", args=[txn.token]), {"action": "pay"})
    run_pending()
    late = fresh(payment)
    assert late.state == State.CANCELLED and late.needs_reconciliation
    detail = citizen_client.get(reverse("payments:detail", args=[payment.merchant_ref]))
    assert "cần đối soát" in detail.content.decode()


def test_it_refuses_a_bad_payment_url_at_the_sandbox(citizen_client, payment):
    tampered = payment.redirect_url.replace("vnp_Amount=800000", "vnp_Amount=100")
    page = citizen_client.get(tampered)
    assert page.status_code == 400 and "Sai chữ ký" in page.content.decode()
    assert citizen_client.get(reverse("payments_sandbox:pay"), {"vnp_Version": "2.1.0"}).status_code == 400


def test_a_payment_for_a_dossier_withdrawn_meanwhile_is_recorded_and_refunded(client, people, awaiting_payment):
    from motcua.dossiers import actions
    from motcua.payments import services
    from motcua.payments.models import ReceiptDocument, Refund

    payment = services.start_payment(awaiting_payment, actor=people.citizen)
    actions.withdraw(fresh(awaiting_payment), actor=people.citizen, reason="Không cần nữa")  # closed meanwhile
    assert client.get(reverse("payments:ipn", args=["sandbox"]), gateway_params(payment)).json()["RspCode"] == "00"
    paid = fresh(payment)
    assert paid.state == State.PAID and paid.dossier_recorded  # the money is accounted for...
    refund = Refund.objects.get(dossier=awaiting_payment)
    assert (refund.amount_vnd, refund.state) == (paid.amount_vnd, "pending")  # ...and is to be given back
    assert ReceiptDocument.objects.filter(payment=paid).exists()  # with its paper, as any payment



def test_the_demo_delivers_the_ipn_right_after_the_page(citizen_client, copy_dossier, settings,
                                                         django_capture_on_commit_callbacks):
    settings.MOTCUA_JOBS_MODE = "inline"  # the laptop demo without a worker
    with django_capture_on_commit_callbacks(execute=True):
        payment, return_url = pay_through_the_sandbox(citizen_client, copy_dossier)
    assert fresh(payment).state == State.PAID
    assert "Thanh toán thành công" in citizen_client.get(return_url).content.decode()


def test_the_admin_shows_payments_and_their_log(client, people, payment):
    from motcua.accounts.models import User

    admin = User.objects.create_superuser("quantri_tt", password="x-not-used-123")
    client.force_login(admin)
    assert client.get(reverse("admin:payments_payment_changelist")).status_code == 200
    page = client.get(reverse("admin:payments_payment_change", args=[payment.pk]))
    assert page.status_code == 200 and payment.merchant_ref in page.content.decode()
    assert client.get(reverse("admin:payments_callbacklog_changelist")).status_code == 200
    response = client.post(reverse("admin:payments_payment_changelist"),
                           {"action": "query_gateway", "_selected_action": [payment.pk]})
    assert response.status_code == 302


def test_the_waiting_page_asks_the_server_instead_of_refreshing_itself(citizen_client, people, copy_dossier, client):
    """No meta refresh (WCAG 2.2.1): the page's script asks `?format=json` and says when the state
    changed; without the script, a link does the same."""
    payment, _return_url = pay_through_the_sandbox(citizen_client, copy_dossier, lose_ipn=True)
    url = reverse("payments:detail", args=[payment.merchant_ref])
    html = citizen_client.get(url).content.decode()
    assert fresh(payment).is_open
    assert 'http-equiv="refresh"' not in html and "payment-status.js" in html
    assert f'data-payment-status-url="{url}?format=json"' in html and 'data-payment-state="pending"' in html
    assert f'href="{url}">Cập nhật trạng thái</a>' in html
    assert "data-payment-changed hidden" in html
    answer = citizen_client.get(url, {"format": "json"})
    assert answer.status_code == 200 and answer.json() == {"state": "pending", "open": True}
    assert answer["Cache-Control"].startswith("max-age=0")
    # Someone else learns nothing, not even that the payment exists.
    from motcua.accounts.models import User

    other = User.objects.create_user("nguoi_khac", password="x-Khac-2026!")
    client.force_login(other)
    assert client.get(url, {"format": "json"}).status_code == 404
    # Once it has ended the page no longer watches.
    assert run_pending().get("done", 0) >= 0
    Payment.objects.filter(pk=payment.pk).update(state=State.EXPIRED)
    ended = citizen_client.get(url).content.decode()
    assert "payment-status.js" not in ended and "data-payment-status-url" not in ended
