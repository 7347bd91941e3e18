"""Which dossier events queue which messages, to whom, and in which transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from motcua.dossiers import actions
from motcua.dossiers.models import Event
from motcua.jobs.models import Job
from motcua.notify.models import Message
from motcua.notify.text import is_gsm
from tests.answers import valid_answers
from tests.dossiers.conftest import (
    BIRTH,
    CRIMINAL_RECORD,
    T0,
    applicant,
    at,
    counter_dossier,
    fresh,
    online_dossier,
    result_file,
    version_of,
)

from .conftest import PUBLIC_URL, drain


def sent(dossier) -> list[tuple[str, str]]:
    return list(Message.objects.filter(dossier=dossier).order_by("id").values_list("template", "channel"))


def walk_birth_to_completed(people, dossier):
    actions.handover(dossier, actor=people.receptionist, at=at(9, 9, 45))
    actions.handover(dossier, actor=people.officer, at=at(9, 10, 30))
    actions.handover(dossier, actor=people.leader, at=at(9, 11, 0))
    result_file(dossier, people.clerk, at(9, 13, 35))
    return actions.complete(dossier, actor=people.clerk, at=at(9, 14, 0))


def test_it_queues_an_email_and_an_sms_when_a_dossier_is_received(people, mailoutbox, sms_outbox):
    dossier = counter_dossier(people, BIRTH, T0)
    event = Event.objects.get(dossier=dossier)
    messages = list(Message.objects.order_by("channel"))
    assert [(m.channel, m.recipient, m.template, m.state) for m in messages] == [
        ("email", "an@example.invalid", "received", "queued"),
        ("sms", "0912345678", "received", "queued"),
    ]
    assert all(m.event_id == event.pk and m.dossier_id == dossier.pk for m in messages)
    assert messages[0].context["due_at"] == "17:00 ngày 09/03/2026"
    # Queued with their jobs, in the action's transaction; nothing is sent before the worker runs.
    jobs = Job.objects.filter(kind="notify.send")
    assert sorted(j.payload["message"] for j in jobs) == sorted(m.pk for m in messages)
    assert mailoutbox == [] and sms_outbox == []

    assert drain() == {"done": 2}
    assert set(Message.objects.values_list("state", flat=True)) == {"sent"}
    [email] = mailoutbox
    assert email.to == ["an@example.invalid"]
    assert email.subject == f"Hồ sơ {dossier.code} đã được tiếp nhận"
    assert "Kính gửi Ông/Bà Nguyễn Văn An," in email.body
    assert "Ngày hẹn trả kết quả: 17:00 ngày 09/03/2026" in email.body
    assert f"{PUBLIC_URL}/tra-cuu/{dossier.code}?key={dossier.tracking_key}" in email.body
    [sms] = sms_outbox
    assert sms.to == "0912345678"
    assert sms.text == (
        f"HS {dossier.code} da tiep nhan, hen tra 17:00 09/03/2026. "
        f"Tra cuu: {PUBLIC_URL}/tra-cuu/{dossier.code}?key={dossier.tracking_key}"
    )
    assert len(sms.text) <= 160 and is_gsm(sms.text)


def test_an_online_submission_gets_an_email_then_the_reception_both(people, mailoutbox):
    dossier = online_dossier(people, BIRTH, T0)
    assert sent(dossier) == [("submitted", "email")]
    actions.receive(dossier, actor=people.receptionist, at=at(9, 10))
    assert sent(dossier)[1:] == [("received", "email"), ("received", "sms")]
    assert all(m.user_id == people.citizen.pk for m in Message.objects.all())
    drain()
    assert [m.subject for m in mailoutbox] == [
        f"Hồ sơ {dossier.code} đã được nộp trực tuyến", f"Hồ sơ {dossier.code} đã được tiếp nhận",
    ]


def test_it_falls_back_on_the_owner_accounts_contacts(people, sms_outbox):
    people.citizen.email, people.citizen.phone = "congdan@example.vn", "+84987654321"
    people.citizen.save()
    dossier = actions.create_dossier(
        actor=people.citizen, version=version_of(BIRTH), channel=2, applicant=applicant(email="", phone=""), at=T0,
        form_data=valid_answers(version_of(BIRTH)),
    ).dossier
    actions.receive(dossier, actor=people.receptionist, at=at(9, 10))
    recipients = set(Message.objects.filter(template="received").values_list("channel", "recipient"))
    assert recipients == {("email", "congdan@example.vn"), ("sms", "0987654321")}


def test_it_sends_nothing_to_an_applicant_without_contacts(people):
    actions.create_dossier(
        actor=people.receptionist, version=version_of(BIRTH), channel=1, applicant=applicant(email="", phone=""), at=T0,
    )
    assert Message.objects.count() == 0 and Job.objects.count() == 0


def test_a_refusal_tells_the_reason(people, mailoutbox, sms_outbox):
    dossier = online_dossier(people, BIRTH, T0)
    actions.refuse(dossier, actor=people.receptionist, reason="Không thuộc thẩm quyền của UBND phường", at=at(9, 10))
    assert sent(dossier)[1:] == [("refused", "email"), ("refused", "sms")]
    drain()
    refusal = mailoutbox[-1]
    assert refusal.subject == f"Hồ sơ {dossier.code} không được tiếp nhận"
    assert "Lý do: Không thuộc thẩm quyền của UBND phường" in refusal.body
    assert sms_outbox[-1].text == (
        f"HS {dossier.code} khong duoc tiep nhan. Ly do: Khong thuoc tham quyen cua UBND phuong"
    )


def test_a_supplement_request_lists_what_is_missing_and_where_to_bring_it(people, mailoutbox, sms_outbox):
    dossier = online_dossier(people, BIRTH, T0)
    missing = ["Giấy chứng sinh (bản chính)", "Văn bản ủy quyền có chứng thực"]
    actions.request_supplement(dossier, actor=people.receptionist, missing=missing, note="Ảnh chụp bị mờ", at=T0)
    assert sent(dossier)[1:] == [("supplement_requested", "email"), ("supplement_requested", "sms")]
    drain()
    body = mailoutbox[-1].body
    assert "  1. Giấy chứng sinh (bản chính)\n  2. Văn bản ủy quyền có chứng thực\n" in body
    assert "Ghi chú của cán bộ: Ảnh chụp bị mờ" in body
    assert "nộp bổ sung trực tuyến" in body and "Ủy ban nhân dân phường Tân Thành" in body
    assert "tạm dừng" not in body  # at reception there is no clock yet
    text = sms_outbox[-1].text
    assert text.startswith(f"HS {dossier.code} can bo sung: Giay chung sinh (ban chinh); Van ban")
    assert text.endswith("Nop bo sung truc tuyen hoac tai noi da nop ho so.") and len(text) <= 160


def test_a_supplement_during_processing_says_the_clock_stops(people, mailoutbox):
    dossier = counter_dossier(people, CRIMINAL_RECORD, T0)
    actions.handover(dossier, actor=people.centre_receptionist, at=at(9, 10))
    actions.request_supplement(dossier, actor=people.justice_officer, missing=["Bản sao CCCD"], at=at(10))
    drain()
    body = mailoutbox[-1].body
    assert "Thời gian giải quyết hồ sơ tạm dừng từ 09:15 ngày 10/03/2026" in body
    assert "nộp bổ sung trực tuyến" not in body  # a counter dossier: bring it to the counter


def test_a_payment_pause_asks_for_the_amount_and_other_pauses_say_nothing(people, mailoutbox, sms_outbox):
    dossier = counter_dossier(people, CRIMINAL_RECORD, T0)
    actions.handover(dossier, actor=people.centre_receptionist, at=at(9, 10))
    actions.pause(dossier, actor=people.justice_officer, reason="Nộp phí cung cấp thông tin", kind="payment", at=at(10))
    assert sent(dossier)[2:] == [("payment_due", "email"), ("payment_due", "sms")]
    actions.resume(dossier, actor=people.centre_receptionist, at=at(10, 13, 0))
    actions.pause(dossier, actor=people.justice_head, reason="Niêm yết công khai", at=at(10, 14))
    assert len(sent(dossier)) == 4  # neither the resume nor a plain pause notifies
    drain()
    body = mailoutbox[-1].body
    assert "Số tiền phải nộp: 200.000 đồng" in body and "Nội dung: Nộp phí cung cấp thông tin" in body
    url = f"{PUBLIC_URL}/tra-cuu/{dossier.code}?key={dossier.tracking_key}"
    assert sms_outbox[-1].text == f"HS {dossier.code} cho nop 200.000 dong. Thanh toan: {url}"


def test_an_extension_sends_the_apology_with_the_new_date(people, mailoutbox, sms_outbox):
    dossier = counter_dossier(people, CRIMINAL_RECORD, T0)
    actions.handover(dossier, actor=people.centre_receptionist, at=at(9, 10))
    actions.extend(dossier, actor=people.justice_leader, new_due_at=at(27, 17, 0), reason="Cần xác minh", at=at(18))
    assert sent(dossier)[2:] == [("late", "email"), ("late", "sms")]
    drain()
    email = mailoutbox[-1]
    assert email.subject == f"Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ {dossier.code}"
    assert "thành thật xin lỗi" in email.body and "đúng hẹn (09:15 ngày 23/03/2026)" in email.body
    assert "Ngày hẹn trả kết quả mới: 17:00 ngày 27/03/2026" in email.body and "Lý do: Cần xác minh" in email.body
    # #17: the SMS names the agency that apologises, as the letter (form 04) and the e-mail do.
    assert sms_outbox[-1].text == (f"Xin loi Ong/Ba: HS {dossier.code} cham tra ket qua, hen lai 17:00 27/03/2026. "
                                   "So Tu phap")
    assert "Sở Tư pháp thành thật xin lỗi" in email.body


def test_a_stop_notice_gives_the_reason(people, mailoutbox):
    dossier = counter_dossier(people, BIRTH, T0)
    actions.handover(dossier, actor=people.receptionist, at=at(9, 9, 30))
    actions.stop(dossier, actor=people.leader, reason="Người nộp không đủ điều kiện", at=at(9, 10))
    assert sent(dossier)[-2:] == [("stopped", "email"), ("stopped", "sms")]
    drain()
    assert "Lý do: Người nộp không đủ điều kiện" in mailoutbox[-1].body


def test_the_whole_journey_notifies_at_the_right_steps_only(people, mailoutbox, sms_outbox):
    dossier = counter_dossier(people, BIRTH, T0)
    walk_birth_to_completed(people, dossier)
    actions.return_result(
        dossier, actor=people.receptionist, originals_checked=True, applicant_signed=True, at=at(9, 15),
    )
    # Hand-overs and the result file are internal: no message for them.
    assert sent(dossier) == [
        ("received", "email"), ("received", "sms"),
        ("result_ready", "email"), ("result_ready", "sms"),
        ("returned", "email"), ("returned", "sms"),
    ]
    drain()
    ready, returned = mailoutbox[1], mailoutbox[2]
    assert ready.subject == f"Hồ sơ {dossier.code} đã có kết quả"
    assert "Mời Ông/Bà đến Ủy ban nhân dân phường Tân Thành" in ready.body
    assert returned.subject == f"Hồ sơ {dossier.code} đã trả kết quả"
    assert "lúc 15:15 ngày 09/03/2026" in returned.body
    texts = [s.text for s in sms_outbox]
    assert texts[1] == f"HS {dossier.code} da co ket qua. Moi Ong/Ba den Uy ban nhan dan phuong Tan Thanh de nhan."
    assert texts[2] == f"HS {dossier.code} da tra ket qua luc 15:15 09/03/2026. Cam on Ong/Ba da su dung dich vu."
    assert all(len(t) <= 160 and is_gsm(t) for t in texts)


def test_an_online_result_is_announced_as_a_download(people, mailoutbox, sms_outbox):
    dossier = online_dossier(people, BIRTH, T0)
    actions.receive(dossier, actor=people.receptionist, at=at(9, 9, 30))
    assert fresh(dossier).delivery == "online"
    walk_birth_to_completed(people, dossier)
    drain()
    assert "Kết quả điện tử đã sẵn sàng" in mailoutbox[-1].body
    assert "da co ket qua dien tu" in sms_outbox[-1].text


def test_a_rolled_back_action_queues_nothing(people):
    dossier = counter_dossier(people, BIRTH, T0)
    before = (Message.objects.count(), Job.objects.count())
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.handover(dossier, actor=people.receptionist, at=at(9, 9, 30))
        actions.stop(dossier, actor=people.leader, reason="Không đủ điều kiện", at=at(9, 10))
        assert Message.objects.filter(template="stopped").count() == 2
        raise RuntimeError("the request failed after the action")
    assert (Message.objects.count(), Job.objects.count()) == before
    assert not Message.objects.filter(template="stopped").exists()


def test_a_failing_context_does_not_block_the_action_and_is_visible(people, monkeypatch):
    from motcua.notify import events, services

    def broken(template, event):
        raise KeyError("due_at")

    monkeypatch.setattr(events, "context_for", broken)
    dossier = counter_dossier(people, BIRTH, T0)  # the dossier is still received
    assert fresh(dossier).status == 2
    assert set(Message.objects.values_list("state", flat=True)) == {"failed"}
    assert "KeyError" in Message.objects.first().last_error
    assert services.failed_count() == 2 and Job.objects.count() == 0
    # Once the bug is fixed, "gửi lại" rebuilds the facts from the event.
    monkeypatch.undo()
    assert services.resend(Message.objects.all()) == 2
    drain()
    assert set(Message.objects.values_list("state", flat=True)) == {"sent"}
    assert Message.objects.filter(channel="email").get().context["code"] == dossier.code


def test_a_request_of_items_tells_what_to_supplement_for_each(people, mailoutbox, sms_outbox):
    dossier = online_dossier(people, BIRTH, T0)
    component = dossier.procedure_version.components.order_by("order", "id")[1]
    actions.request_supplement(dossier, actor=people.receptionist, note="Gọi bộ phận một cửa nếu cần", at=T0, items=[
        {"component": component, "reason": "Ảnh chụp bị mờ"}, {"text": "Giấy xác nhận cư trú", "reason": "Còn thiếu"}])
    drain()
    body = mailoutbox[-1].body
    assert f"  1. {component.name} — cần bổ sung: Ảnh chụp bị mờ\n" in body
    assert "  2. Giấy xác nhận cư trú — cần bổ sung: Còn thiếu\n" in body
    assert "Ghi chú của cán bộ: Gọi bộ phận một cửa nếu cần" in body
    assert sms_outbox[-1].text.startswith(f"HS {dossier.code} can bo sung: Giay chung sinh")


def test_the_supplement_sms_names_each_item_with_a_short_reason_in_one_part(people, sms_outbox):
    """#17: the SMS of a request of items names every item with its reason, shortened to fit one
    GSM part whatever their length."""
    from motcua.notify.text import is_gsm, sms_parts

    dossier = online_dossier(people, BIRTH, T0)
    component = dossier.procedure_version.components.order_by("order", "id")[1]
    actions.request_supplement(dossier, actor=people.receptionist, at=T0, items=[
        {"component": component, "reason": "Bản chụp mờ, không đọc được số giấy chứng sinh"},
        {"text": "Giấy xác nhận thông tin về cư trú do công an cấp", "reason": "Còn thiếu, cần nộp bản chính"}])
    drain()
    text = sms_outbox[-1].text
    assert is_gsm(text) and sms_parts(text) == 1, (len(text), text)
    assert f"HS {dossier.code} can bo sung: Giay chung sinh" in text and "(Ban chup" in text, text
    assert "; Giay xac nhan" in text and "(Con thieu" in text


def test_short_items_fit_their_room_for_any_items():
    from motcua.notify.events import SMS_ITEMS_CHARS, short_items

    assert short_items([{"text": "Tờ khai", "reason": "sai tên"}]) == "Tờ khai (sai tên)"
    for n in range(1, 11):
        for name, reason in (("A" * 300, "B" * 300), ("Giấy tờ " * 20, ""), ("X", "lý do " * 50)):
            text = short_items([{"text": name, "reason": reason}] * n)
            assert len(text) + 2 * text.count("…") <= SMS_ITEMS_CHARS, (n, text)
