"""How codes leave: through the notification app's outbox, or Django's mail when MOTCUA_ACCOUNTS_USE_NOTIFY is off."""

from __future__ import annotations

import re

from django.core import mail

from motcua.accounts import messaging


def test_without_the_notification_app_an_email_goes_through_django_mail(
    db, settings, django_capture_on_commit_callbacks
):
    settings.MOTCUA_ACCOUNTS_USE_NOTIFY = False
    with django_capture_on_commit_callbacks(execute=True):
        delivery = messaging.send_code("an@example.vn", "email", "signup", "482913",
                                       link="http://testserver/xac-minh/?t=abc&ma=482913")
    assert delivery.sent and delivery.via == "mail"
    [message] = mail.outbox
    assert message.to == ["an@example.vn"]
    assert "482913" in message.subject and "482913" in message.body
    assert "http://testserver/xac-minh/?t=abc&ma=482913" in message.body  # not HTML-escaped
    assert "10 phút" in message.body


def test_without_the_notification_app_an_sms_is_reported_as_not_sent(db, settings):
    settings.MOTCUA_ACCOUNTS_USE_NOTIFY = False
    delivery = messaging.send_code("0912345678", "sms", "signup", "482913")
    assert not delivery.sent


def test_with_the_notification_app_codes_are_queued_as_secret_messages(db, settings):
    from motcua.notify.models import Message

    settings.MOTCUA_ACCOUNTS_USE_NOTIFY = True
    assert messaging.send_code("0912345678", "sms", "signup", "482913").via == "notify"
    assert messaging.send_code("an@example.vn", "email", "reset", "111222").sent
    sms, email = Message.objects.order_by("id")
    assert (sms.channel, sms.recipient, sms.context["purpose"]) == ("sms", "0912345678", "verify_phone")
    assert (email.channel, email.context["purpose"]) == ("email", "password_reset")
    assert sms.sensitive and email.sensitive


def test_a_broken_channel_is_reported_not_raised(db, settings, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("gateway down")

    monkeypatch.setattr(messaging, "_notify_send_code", lambda: broken)
    assert not messaging.send_code("0912345678", "sms", "signup", "482913").sent


def test_a_sign_up_when_nothing_can_carry_the_sms_says_so(client, db, settings, monkeypatch):
    monkeypatch.setattr(messaging, "_notify_send_code", lambda: None)
    password = "Motcua-thu-2026"
    response = client.post("/dang-ky/", {"full_name": "Nguyễn Văn An", "contact": "0987654321",
                                         "password1": password, "password2": password, "consent": "on"}, follow=True)
    assert response.status_code == 200
    assert "Chưa gửi được mã tới 0987654321" in response.content.decode()


def test_a_sign_up_code_travels_through_the_job_queue_and_works(client, db, settings):
    """The real wiring: sign-up -> notify outbox -> job worker -> e-mail -> the code verifies the account."""
    from motcua.accounts.models import User
    from motcua.jobs import runner

    settings.MOTCUA_JOBS_MODE = "worker"
    password = "Motcua-thu-2026"
    client.post("/dang-ky/", {"full_name": "Nguyễn Văn An", "contact": "an@example.vn",
                              "password1": password, "password2": password, "consent": "on"})
    assert not mail.outbox  # queued, not sent in the request
    runner.run_pending()
    [message] = mail.outbox
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    response = client.post("/xac-minh/", {"code": code, "t": client.get("/xac-minh/").context["form"]["t"].value()})
    assert response.status_code == 302
    assert User.objects.get(email="an@example.vn").email_verified
