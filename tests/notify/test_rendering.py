"""Templates and text: Vietnamese intact in e-mail, SMS without diacritics and short; the send APIs."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from django.utils import timezone

from motcua.notify import rendering, services
from motcua.notify.models import Message
from motcua.notify.text import is_gsm, normalise_phone, sms_parts, sms_text, unaccent

from .conftest import PUBLIC_URL, drain

CODE = "000.00.25.H12-261127-0007"
FACTS = {
    "code": CODE, "tracking_key": "AB3CD4", "tracking_url": f"{PUBLIC_URL}/tra-cuu/{CODE}?key=AB3CD4",
    "procedure": "Cấp Phiếu lý lịch tư pháp", "applicant": "Trần Thị Đào", "online": False,
    "agency": "Trung tâm Phục vụ hành chính công tỉnh Cà Mau", "agency_address": "Cà Mau", "agency_phone": "",
    "due_at": "17:00 ngày 27/11/2026", "due_short": "17:00 27/11/2026", "received_at": "09:15 ngày 20/11/2026",
    "reason": "Thiếu giấy tờ theo quy định, không thuộc thẩm quyền giải quyết của đơn vị",
    "missing": ["Bản sao Giấy khai sinh", "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (mẫu số 03/2013/TT-LLTP)"],
    "missing_text": "Bản sao Giấy khai sinh; Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (mẫu số 03/2013/TT-LLTP)",
    "amount": 1200000, "amount_text": "1.200.000 đồng", "payment_url": f"{PUBLIC_URL}/tra-cuu/{CODE}?key=AB3CD4",
    "new_due_at": "17:00 ngày 04/12/2026", "new_due_short": "17:00 04/12/2026", "delivery": "counter",
    "returned_short": "10:30 27/11/2026", "event_at": "10:00 ngày 25/11/2026",
    "purpose_text": "đặt lại mật khẩu", "valid_minutes": 10,
    "reference": "2611270000000001", "paid_at": "10:05 ngày 27/11/2026",
    "receipt_url": f"{PUBLIC_URL}/thanh-toan/giao-dich/2611270000000001/bien-lai.pdf",
}
SMS_TEMPLATES = ["received", "refused", "supplement_requested", "payment_due", "late", "stopped", "result_ready",
                 "returned", "code"]


def test_it_strips_marks_but_keeps_case():
    assert unaccent("Đăng ký Khai sinh – «Ủy ban»") == "Dang ky Khai sinh - \"Uy ban\""
    assert unaccent("ĐƯỜNG Nguyễn Thị Định") == "DUONG Nguyen Thi Dinh"
    decomposed = unicodedata.normalize("NFD", "Hồ sơ")
    assert unaccent(decomposed) == "Ho so"


def test_it_counts_sms_parts():
    assert sms_parts("a" * 160) == 1 and sms_parts("a" * 161) == 2 and sms_parts("a" * 306) == 2
    assert sms_parts("[" * 80) == 1 and sms_parts("[" * 81) == 2  # extension characters take two septets
    assert sms_parts("Hồ sơ") == 1 and sms_parts("ồ" * 71) == 2  # UCS-2: 70 per part


def test_it_normalises_vietnamese_phone_numbers():
    assert normalise_phone("+84 912.345.678") == "0912345678"
    assert normalise_phone("0912345678", "international") == "84912345678"
    assert normalise_phone("84912345678", "e164") == "+84912345678"
    for bad in ("12345", "09123", "+1 650 253 0000", ""):
        with pytest.raises(ValueError):
            normalise_phone(bad)


@pytest.mark.parametrize("template", SMS_TEMPLATES)
def test_every_sms_is_one_gsm_part_without_diacritics(template):
    subject, text = rendering.render(template, "sms", {**FACTS, "code": "482913"} if template == "code" else FACTS)
    assert subject == ""
    assert is_gsm(text) and text == unaccent(text), text
    assert sms_parts(text) == 1, (len(text), text)
    assert "\n" not in text and "  " not in text


@pytest.mark.parametrize("delivery", ["counter", "post", "online"])
def test_the_result_sms_fits_whatever_the_delivery(delivery):
    _, text = rendering.render("result_ready", "sms", {**FACTS, "delivery": delivery})
    assert sms_parts(text) == 1 and CODE in text


@pytest.mark.parametrize("template", [*SMS_TEMPLATES, "submitted", "payment_received"])
def test_every_email_keeps_its_vietnamese(template):
    subject, body = rendering.render(template, "email", FACTS)
    assert subject and "\n" not in subject and len(subject) < 120
    assert body.startswith("Kính gửi Ông/Bà")
    assert unicodedata.is_normalized("NFC", body)
    assert "Cổng Dịch vụ công tỉnh Cà Mau" in body  # the site's name, with its marks
    assert "\n\n\n" not in body and not body.endswith("\n\n")
    assert "{{" not in body and "{%" not in body


def test_text_is_not_html_escaped():
    _, body = rendering.render("refused", "email", {**FACTS, "reason": "Thiếu <tờ khai> & \"ảnh\" 3x4"})
    assert 'Lý do: Thiếu <tờ khai> & "ảnh" 3x4' in body


def test_sms_may_keep_diacritics_when_the_gateway_takes_unicode(settings):
    settings.MOTCUA_SMS_UNACCENT = False
    _, text = rendering.render("late", "sms", FACTS)
    assert text.startswith("Xin lỗi Ông/Bà: HS") and sms_parts(text) == 2  # what diacritics cost


def test_sms_text_folds_lines_and_spaces():
    assert sms_text("  Hồ sơ\n\n  đã   nhận \n") == "Ho so da nhan"
    assert sms_text("Giá: 5€ → ok…") == "Gia: 5€ -> ok..."


def test_send_queues_a_message_from_any_template(db, mailoutbox):
    message = services.send("email", " an@example.vn ", "received", FACTS)
    assert (message.state, message.recipient, message.body) == ("queued", "an@example.vn", "")
    drain()
    message.refresh_from_db()
    assert message.state == "sent" and message.subject == f"Hồ sơ {CODE} đã được tiếp nhận"
    assert mailoutbox[0].body == message.body and "Trần Thị Đào" in message.body
    assert mailoutbox[0].extra_headers["X-Motcua-Reference"] == f"motcua-{message.pk}"
    assert message.provider_id == mailoutbox[0].extra_headers["Message-ID"]


def test_send_refuses_what_it_could_never_send(db):
    with pytest.raises(ValueError, match="template"):
        services.send("sms", "0912345678", "submitted", FACTS)  # e-mail only
    with pytest.raises(ValueError, match="e-mail"):
        services.send("email", "not-an-address", "received", FACTS)
    with pytest.raises(ValueError):
        services.send("sms", "12345", "received", FACTS)
    with pytest.raises(ValueError, match="channel"):
        services.send("zalo", "0912345678", "received", FACTS)
    with pytest.raises(ValueError, match="JSON"):
        services.send("email", "an@example.vn", "received", {"when": object()})
    assert Message.objects.count() == 0


def test_send_code_reaches_every_contact_and_forgets_the_code(people, mailoutbox, sms_outbox):
    user = people.citizen
    user.email, user.phone = "congdan@example.vn", "0987654321"
    user.save()
    link = f"{PUBLIC_URL}/tai-khoan/dat-lai-mat-khau?code=482913&u=7"
    messages = services.send_code(user, "password_reset", "482913", link=link)
    assert sorted(m.channel for m in messages) == ["email", "sms"]
    assert all(m.sensitive and m.user == user and m.max_attempts == 3 for m in messages)
    drain()
    email = mailoutbox[0]
    assert email.subject == "Mã đặt lại mật khẩu trên Cổng Dịch vụ công tỉnh Cà Mau"
    assert "\n    482913\n" in email.body and f"Hoặc mở đường dẫn sau để nhập sẵn mã: {link}\n" in email.body
    assert sms_outbox[0].text == (
        "482913 la ma dat lai mat khau tren Cong Dich vu cong tinh Ca Mau, hieu luc 10 phut. "
        "Khong cung cap ma cho bat ky ai."
    )
    for message in Message.objects.all():  # sent: the code is gone from the database
        assert message.state == "sent" and "482913" not in message.body and "tai-khoan" not in message.body
        assert message.context["code"] == "******" and message.context["link"] == ""
    assert services.resend(Message.objects.all()) == 0  # never re-sent by hand: ask for a new code


def test_send_code_to_one_address_or_channel(people, sms_outbox):
    [sms] = services.send_code("+84912345678", "verify_phone", "1234")
    assert (sms.channel, sms.recipient) == ("sms", "0912345678")
    people.citizen.email, people.citizen.phone = "congdan@example.vn", "0987654321"
    [only] = services.send_code(people.citizen, "login", "777777", channel="email")
    assert only.channel == "email"
    with pytest.raises(ValueError):
        services.send_code("an@example.vn", "unknown_purpose", "1234")
    with pytest.raises(ValueError):
        services.send_code("an@example.vn", "login", "12 34")


def test_an_expired_code_is_not_sent(people, sms_outbox):
    [sms] = services.send_code("0912345678", "verify_phone", "1234", valid_minutes=5)
    Message.objects.filter(pk=sms.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    drain()
    sms.refresh_from_db()
    assert sms.state == "failed" and "hết hạn" in sms.last_error and sms_outbox == []


def test_the_electronic_result_message_says_where_to_download():
    facts = {**FACTS, "delivery": "online", "returned_at": "14:00 ngày 27/11/2026",
             "download_url": f"{PUBLIC_URL}/ho-so-cua-toi/{CODE}/"}
    subject, body = rendering.render("result_delivered", "email", facts)
    assert subject == f"Hồ sơ {CODE} đã trả kết quả điện tử"
    assert "«Cấp Phiếu lý lịch tư pháp»" in body and f"{PUBLIC_URL}/ho-so-cua-toi/{CODE}/" in body
    assert "Kết quả điện tử đã sẵn sàng" in body and "đánh giá mức độ hài lòng" in body
    assert "ký nhận" not in body
    _, text = rendering.render("result_delivered", "sms", facts)
    assert is_gsm(text) and sms_parts(text) == 1 and text == unaccent(text), (len(text), text)
    assert text == f"HS {CODE} da co ket qua dien tu (ky so). Tai ve: {PUBLIC_URL}/ho-so-cua-toi/{CODE}/"


def test_the_apology_sms_names_the_late_agency_in_one_part():
    """#17: the SMS names the agency that apologises (as form 04 does), cut short to stay one part."""
    long_name = "Chi nhánh Văn phòng Đăng ký đất đai huyện Trần Văn Thời tỉnh Cà Mau"
    _, text = rendering.render("late", "sms", {**FACTS, "late_agency": long_name})
    assert "Chi nhanh Van phong Dang ky dat dai" in text and sms_parts(text) == 1, (len(text), text)
