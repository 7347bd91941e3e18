"""The admin shows messages, their errors and filters, hides secrets, and re-sends ("gửi lại")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from motcua.jobs.models import Job
from motcua.notify import services
from motcua.notify.models import Message
from tests.dossiers.conftest import BIRTH, T0, counter_dossier

from .conftest import drain

pytestmark = pytest.mark.urls("tests.notify.urls")


def test_it_lists_failed_messages_with_their_error_and_resends_them(people, gateway, settings, admin_client):
    settings.MOTCUA_NOTIFY_MAX_ATTEMPTS = 1
    gateway.answer(503, {"error": "maintenance"})
    dossier = counter_dossier(people, BIRTH, T0)
    drain()
    sms = Message.objects.get(channel="sms")
    assert sms.state == "failed"

    url = reverse("admin:notify_message_changelist")
    page = admin_client.get(url, {"state__exact": "failed"})
    assert page.status_code == 200
    html = page.content.decode()
    assert dossier.code in html and "HTTP 503" in html and "0912345678" in html
    assert "an@example.invalid" not in html  # the e-mail was sent: filtered out
    for filters in ({"channel__exact": "sms"}, {"template__exact": "received"}):
        assert admin_client.get(url, filters).status_code == 200
    detail = admin_client.get(reverse("admin:notify_message_change", args=[sms.pk]))
    assert detail.status_code == 200 and "maintenance" in detail.content.decode()

    jobs_before = Job.objects.count()
    answer = admin_client.post(url, {"action": "resend_selected", "_selected_action": [sms.pk]}, follow=True)
    assert "Đã đưa 1 thông báo vào hàng đợi gửi lại." in answer.content.decode()
    sms.refresh_from_db()
    assert (sms.state, sms.resends) == ("queued", 1) and Job.objects.count() == jobs_before + 1
    drain()
    sms.refresh_from_db()
    assert sms.state == "sent" and services.failed_count() == 0


def test_it_hides_secret_codes(people, admin_client):
    [message] = services.send_code("an@example.vn", "password_reset", "482913")
    drain()
    page = admin_client.get(reverse("admin:notify_message_change", args=[message.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "nội dung bí mật" in html and "482913" not in html
    answer = admin_client.post(
        reverse("admin:notify_message_changelist"),
        {"action": "resend_selected", "_selected_action": [message.pk]}, follow=True,
    )
    assert "Bỏ qua 1 thông báo" in answer.content.decode()


def test_messages_cannot_be_added_or_deleted_by_hand(admin_client, db):
    assert admin_client.get(reverse("admin:notify_message_add")).status_code == 403
