"""/gop-y/: anyone sends a PAKN (honeypot, rate limit); staff answer in the admin; answers are
published with the sender's name masked and contact details redacted, paginated."""

from __future__ import annotations

import pytest

from motcua.feedback import services
from motcua.feedback.indicators import feedback_counts
from motcua.feedback.models import Feedback
from tests.citizen.helpers import online_dossier

GOOD = {
    "name": "Trần Thị Bình", "phone": "0987654321", "email": "binh@example.invalid", "dossier_code": "",
    "category": "progress", "title": "Hồ sơ chậm", "content": "Hồ sơ của tôi quá hạn hai ngày. Gọi 0987 654 321.",
    "website": "",
}


def post(client, **overrides):
    return client.post("/gop-y/", {**GOOD, **overrides})


def test_anyone_sends_feedback(client, db):
    response = post(client)
    assert response.status_code == 302 and response["Location"] == "/gop-y/"
    item = Feedback.objects.get()
    assert (item.name, item.phone, item.category, item.user) == ("Trần Thị Bình", "0987654321", "progress", None)
    html = client.get("/gop-y/").content.decode()
    assert f"Đã nhận phản ánh, kiến nghị số PAKN-{item.pk:06d}" in html
    # Not public before it is answered.
    assert "Hồ sơ chậm" not in html.split("đã được trả lời")[1]


def test_a_signed_in_citizen_is_linked_and_prefilled(client, people):
    people.citizen.full_name, people.citizen.phone = "Lê Văn Cường", "0901234567"
    people.citizen.save()
    client.force_login(people.citizen)
    html = client.get("/gop-y/").content.decode()
    assert 'value="Lê Văn Cường"' in html and 'value="0901234567"' in html
    post(client)
    assert Feedback.objects.get().user == people.citizen


def test_a_dossier_code_links_the_dossier_without_telling(client, people):
    d = online_dossier(people)
    post(client, dossier_code=f" {d.code.lower()} ")
    post(client, dossier_code="000.00.00.X00-260101-9999")
    linked, unknown = Feedback.objects.order_by("id")
    assert linked.dossier == d and linked.agency == d.agency and linked.dossier_code == d.code
    assert unknown.dossier is None and unknown.dossier_code == "000.00.00.X00-260101-9999"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"name": "  "}, "Cần nhập họ và tên."),
    ({"phone": "", "email": ""}, "Cần số điện thoại hoặc thư điện tử"),
    ({"phone": "12345"}, "Số điện thoại gồm 10 chữ số"),
    ({"email": "not-an-email"}, "Địa chỉ thư điện tử không hợp lệ"),
    ({"category": "spam"}, "Phân loại không hợp lệ."),
    ({"title": ""}, "Cần nhập tiêu đề."),
    ({"content": "x" * 5001}, "Nội dung dài quá 5000 ký tự"),
    ({"dossier_code": "<>!!"}, "Mã hồ sơ chỉ gồm chữ, số"),
])
def test_it_explains_what_to_fix(client, db, overrides, message):
    response = post(client, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Feedback.objects.exists()


def test_hostile_input_never_fails(client, db):
    for overrides in ({"content": "\x00\x01"}, {"title": "\x00"}, {"name": "🙂" * 500}, {"dossier_code": "x" * 5000},
                      {"category": ["a", "b"]}):
        assert post(client, **overrides).status_code in (302, 400)
    for query in ("?page=abc", "?page=-1", "?page=99999", "?loai=<script>", "?loai=conduct&page=2"):
        assert client.get("/gop-y/" + query).status_code == 200


def test_a_robot_filling_the_honeypot_is_thanked_and_ignored(client, db):
    response = post(client, website="http://spam.example")
    assert response.status_code == 302
    assert not Feedback.objects.exists()
    assert "Cảm ơn bạn" in client.get("/gop-y/").content.decode()


def test_it_limits_submissions_per_client(client, db, settings):
    settings.MOTCUA_FEEDBACK_LIMIT = 3
    for _ in range(3):
        assert post(client).status_code == 302
    response = post(client)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "Vui lòng thử lại sau" in response.content.decode()
    assert Feedback.objects.count() == 3


def test_the_limit_is_per_address(client, db, settings):
    settings.MOTCUA_FEEDBACK_LIMIT = 1
    assert client.post("/gop-y/", GOOD, REMOTE_ADDR="10.0.0.1").status_code == 302
    assert client.post("/gop-y/", GOOD, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.post("/gop-y/", GOOD, REMOTE_ADDR="10.0.0.2").status_code == 302


def test_the_limit_uses_the_trusted_proxy_address(client, db, settings):
    settings.MOTCUA_FEEDBACK_LIMIT = 1
    settings.MOTCUA_TRUSTED_PROXIES = 1
    assert client.post("/gop-y/", GOOD, HTTP_X_FORWARDED_FOR="1.1.1.1, 10.0.0.1").status_code == 302
    # A client cannot escape by forging the left part of the header.
    assert client.post("/gop-y/", GOOD, HTTP_X_FORWARDED_FOR="9.9.9.9, 10.0.0.1").status_code == 429
    assert client.post("/gop-y/", GOOD, HTTP_X_FORWARDED_FOR="10.0.0.2").status_code == 302


# --- answering and publishing ------------------------------------------------------------------------


def answered(n: int = 1, **extra) -> list[Feedback]:
    items = []
    for i in range(n):
        item = services.submit_feedback(name="Trần Thị Bình", phone="0987654321", email="binh@example.invalid",
                                        category="progress", title=f"Câu hỏi {i:02d}",
                                        content=f"Nội dung {i:02d}, CCCD 096090001234, thư binh@example.invalid",
                                        **extra)
        services.answer_feedback(item, by=None, answer=f"Trả lời {i:02d}: đã xử lý. Liên hệ 0296 3831 234.")
        items.append(item)
    return items


def test_answers_are_published_with_a_masked_name_and_no_contact_details(client, db):
    answered(1)
    html = client.get("/gop-y/").content.decode()
    assert "Câu hỏi 00" in html and "Trả lời 00: đã xử lý." in html
    assert "T*** T** B***" in html
    assert "Trần Thị Bình" not in html
    for secret in ("0987654321", "096090001234", "binh@example.invalid", "0296 3831 234"):
        assert secret not in html, secret


def test_staff_may_keep_an_answer_private_or_edit_the_public_text(client, db):
    hidden, edited = answered(2)
    hidden.publish = False
    services.stamp_publication(hidden)
    hidden.save()
    edited.public_content = "Nội dung đã biên tập"
    edited.save()
    html = client.get("/gop-y/").content.decode()
    assert "Câu hỏi 00" not in html
    assert "Nội dung đã biên tập" in html and "Nội dung 01" not in html


def test_the_public_list_is_paginated_and_filtered(client, db):
    answered(12)
    first = client.get("/gop-y/").content.decode()
    assert "12 phản ánh, kiến nghị đã trả lời" in first
    assert first.count('class="pakn"') == 10 and "page=2" in first
    second = client.get("/gop-y/?page=2").content.decode()
    assert second.count('class="pakn"') == 2
    assert client.get("/gop-y/?loai=conduct").content.decode().count('class="pakn"') == 0


def test_the_admin_answer_stamps_publishes_and_tells_the_sender(admin_client, db, mailoutbox):
    item = services.submit_feedback(name="Trần Thị Bình", email="binh@example.invalid", category="other",
                                    title="Hỏi", content="Nội dung")
    url = f"/quan-tri-he-thong/feedback/feedback/{item.pk}/change/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"agency": "", "answer": "Đã trả lời", "publish": "on", "public_content": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    item.refresh_from_db()
    assert item.answered_at and item.published_at and item.answered_by.is_superuser
    assert_told(item, mailoutbox)
    assert "Hỏi" in admin_client.get("/gop-y/").content.decode()
    assert feedback_counts()["other"] == {"received": 1, "answered": 1, "published": 1}


def assert_told(item, mailoutbox):
    """The sender hears of the answer: a queued notify message."""
    from motcua.notify.models import Message
    from motcua.notify.rendering import render

    message = Message.objects.get(template="feedback_answered")
    assert message.recipient == item.email and message.channel == "email"
    subject, body = render(message.template, message.channel, message.context)
    assert subject == f"Trả lời phản ánh, kiến nghị {item.reference}"
    assert "Đã trả lời" in body and "/gop-y/" in body


def test_redaction_keeps_dossier_codes_and_dates():
    text = "Hồ sơ 000.00.01.H12-261127-0007 ngày 12/03/2026, gọi +84 912 345 678 hoặc a.b@x.vn, CCCD 096090001234"
    redacted = services.redact(text)
    assert "000.00.01.H12-261127-0007" in redacted and "12/03/2026" in redacted
    assert "912 345 678" not in redacted and "a.b@x.vn" not in redacted and "096090001234" not in redacted
