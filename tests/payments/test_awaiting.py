"""Level 4, fee due at submission (issue #17): the "chờ nộp phí" sub-state (status code stays 1),
the agency's payment deadline in working time, the reminder sent once, and what happens when the
deadline passes (the counter decides, or an automatic refusal by the system with form 03)."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.agencies.actions import update_fee_settings
from motcua.dossiers.models import Event, FormNumber, Status
from motcua.notify.models import Message
from motcua.payments import awaiting, services
from motcua.payments.awaiting import FeeState, Terms, deadline_of, reminder_of, sub_state, terms
from motcua.payments.models import FeeReminder
from motcua.payments.providers import get_provider
from motcua.worktime.services import calendar_for

from .conftest import COPY, MARRIAGE, fresh, gateway_params, online_dossier

TZ = dt.timezone(dt.timedelta(hours=7))
MONDAY = dt.datetime(2026, 3, 9, 9, 15, tzinfo=TZ)  # an ordinary week: Mon 9–Fri 13 March 2026
FRIDAY_LATE = dt.datetime(2026, 3, 13, 16, 0, tzinfo=TZ)


def at(day, hour, minute=0):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=TZ)


# --- the rules ---------------------------------------------------------------------------------------


def test_the_province_defaults_and_the_agencys_own_terms(settings):
    settings.MOTCUA_FEE_DEADLINE_WORKING_HOURS = 16
    settings.MOTCUA_FEE_REMINDER_WORKING_HOURS = 4
    settings.MOTCUA_FEE_EXPIRY_ACTION = "counter"
    blank = type("A", (), {"fee_deadline_amount": None, "fee_deadline_unit": "working_hours",
                           "fee_reminder_hours": None, "fee_expiry_action": ""})()
    assert terms(blank) == Terms(16, "working_hours", 4, "counter")
    own = type("A", (), {"fee_deadline_amount": 2, "fee_deadline_unit": "working_days", "fee_reminder_hours": 0,
                         "fee_expiry_action": "refuse"})()
    assert terms(own) == Terms(2, "working_days", 0, "refuse")


@pytest.mark.django_db
def test_the_deadline_counts_working_time_only():
    calendar = calendar_for(None)
    t16 = Terms(16, "working_hours", 4, "counter")
    # Mon 09:15 + 16 working hours (07–11, 13–17): Mon 5h45, Tue 8h, Wed 2h15 -> Wed 09:15.
    assert deadline_of(MONDAY, t16, calendar) == at(11, 9, 15)
    # Reminder 4 working hours before: Tue 15:15.
    assert reminder_of(MONDAY, t16, calendar) == at(10, 15, 15)
    # Friday 16:00 + 4 working hours: 1 h on Friday, the weekend skipped, 3 h on Monday.
    assert deadline_of(FRIDAY_LATE, Terms(4, "working_hours", 0, "counter"), calendar) == at(16, 10, 0)
    assert reminder_of(FRIDAY_LATE, Terms(4, "working_hours", 0, "counter"), calendar) is None
    # Two working days from Monday morning: the close of Tuesday... counted as the engine's days.
    two_days = deadline_of(MONDAY, Terms(2, "working_days", 1, "counter"), calendar)
    assert two_days.date() in (dt.date(2026, 3, 11), dt.date(2026, 3, 10))
    # A reminder longer than the whole deadline is sent at once.
    assert reminder_of(MONDAY, Terms(2, "working_hours", 5, "counter"), calendar) == MONDAY


@pytest.mark.parametrize(("waiting", "paid", "now", "expected"), [
    (True, False, at(10, 9), FeeState.AWAITING),
    (True, False, at(11, 9, 15), FeeState.OVERDUE),
    (False, True, at(11, 10), FeeState.PAID),
    (False, False, at(11, 10), None),
])
def test_the_sub_state(waiting, paid, now, expected):
    assert sub_state(awaiting=waiting, paid_before_reception=paid, deadline=at(11, 9, 15), now=now) == expected


# --- on dossiers -------------------------------------------------------------------------------------


def _pay(dossier, citizen):
    payment = services.start_payment(dossier, actor=citizen, now=at(9, 10))
    answer = services.receive_callback(get_provider("sandbox"), gateway_params(payment), remote_addr="127.0.0.1",
                                       now=at(9, 10, 5))
    assert answer.body["RspCode"] == "00"
    return payment


def test_a_level4_dossier_with_a_fee_awaits_it_then_shows_paid(people):
    dossier = online_dossier(people, COPY, when=MONDAY, fee_inputs={"copies": 2})
    assert dossier.status == Status.SUBMITTED
    assert services.awaiting_fee(dossier)
    assert awaiting.state(dossier, at(10, 9)) == FeeState.AWAITING
    assert awaiting.shown(dossier, at(10, 9)).deadline == at(11, 9, 15)
    _pay(dossier, people.citizen)
    dossier = fresh(dossier)
    assert dossier.status == Status.SUBMITTED  # the national status does not change
    assert not services.awaiting_fee(dossier)
    assert awaiting.state(dossier) == FeeState.PAID
    assert dossier.fee_collected == 16_000


def test_no_sub_state_for_a_free_or_level3_procedure(people):
    assert awaiting.state(online_dossier(people, MARRIAGE, when=MONDAY)) is None
    assert not services.awaiting_fee(online_dossier(people, "1.001193", when=MONDAY))


def test_the_counter_and_the_citizen_see_the_sub_state(people, client):
    from django.utils import timezone

    now = timezone.now()
    waiting = online_dossier(people, COPY, when=now - dt.timedelta(minutes=1))
    overdue = online_dossier(people, COPY, when=MONDAY)
    paid = online_dossier(people, COPY, when=MONDAY)
    _pay(paid, people.citizen)
    client.force_login(people.receptionist)
    page = client.get("/can-bo/cho-tiep-nhan/").content.decode()
    assert page.count('data-fee-state') == 3
    assert "Chờ nộp phí" in page and "Đã nộp phí" in page and "Quá hạn nộp phí" in page
    assert awaiting.state(overdue) == FeeState.OVERDUE
    check = client.get(f"/can-bo/cho-tiep-nhan/{paid.code}/").content.decode()
    assert "Đã nộp phí" in check and "8.000 đ" in check
    detail = client.get(f"/can-bo/ho-so/{paid.code}/").content.decode()
    assert "Đã nộp phí" in detail and "Phí cấp bản sao trích lục hộ tịch" in detail
    client.force_login(people.citizen)
    mine = client.get(f"/ho-so-cua-toi/{waiting.code}/").content.decode()
    end = timezone.localtime(awaiting.deadline(waiting))
    assert "Chờ nộp phí" in mine and f"Hạn nộp lệ phí: {end:%H:%M %d/%m/%Y}" in mine
    listed = client.get("/ho-so-cua-toi/").content.decode()
    assert listed.count("data-fee-state") == 3 and "Cần nộp lệ phí để hồ sơ được tiếp nhận" in listed
    track = client.get(f"/tra-cuu/{waiting.code}?key={waiting.tracking_key}").content.decode()
    assert "Chờ nộp phí" in track


def test_the_reminder_is_sent_once(people):
    dossier = online_dossier(people, COPY, when=MONDAY)
    assert awaiting.run(now=at(10, 15, 0)) == {"reminded": 0, "refused": 0, "overdue": 0}  # not yet
    assert awaiting.run(now=at(10, 15, 20))["reminded"] == 1
    sent = Message.objects.filter(dossier=dossier, template="fee_reminder")
    assert sorted(sent.values_list("channel", flat=True)) == ["email", "sms"]
    assert sent.get(channel="email").context["deadline"] == "09:15 ngày 11/03/2026"
    from motcua.notify.services import deliver

    for message in sent:
        deliver(message.pk)
    email, sms = sent.get(channel="email"), sent.get(channel="sms")
    email.refresh_from_db()
    sms.refresh_from_db()
    assert "nhắc nộp lệ phí" in email.subject and "8.000 đồng" in email.body and "09:15 ngày 11/03/2026" in email.body
    assert f"/ho-so-cua-toi/{dossier.code}/" in email.body and "Bộ phận Một cửa" in email.body
    assert dossier.code in sms.body and "11/03/2026" in sms.body
    assert awaiting.run(now=at(10, 16))["reminded"] == 0
    assert awaiting.run(now=at(11, 8))["reminded"] == 0
    assert Message.objects.filter(dossier=dossier, template="fee_reminder").count() == 2
    assert FeeReminder.objects.get(dossier=dossier).channels == ["email", "sms"]


def test_a_paid_dossier_is_not_reminded(people):
    dossier = online_dossier(people, COPY, when=MONDAY)
    _pay(dossier, people.citizen)
    assert awaiting.run(now=at(10, 16)) == {"reminded": 0, "refused": 0, "overdue": 0}
    assert not FeeReminder.objects.exists()


def test_past_the_deadline_the_counter_decides(people, client):
    dossier = online_dossier(people, COPY, when=MONDAY)
    assert awaiting.run(now=at(11, 9, 20))["overdue"] == 1
    dossier = fresh(dossier)
    assert dossier.status == Status.SUBMITTED
    assert awaiting.state(dossier, at(11, 9, 20)) == FeeState.OVERDUE
    client.force_login(people.receptionist)
    assert "Quá hạn nộp phí" in client.get("/can-bo/cho-tiep-nhan/").content.decode()


def test_past_the_deadline_the_system_refuses_when_the_agency_chose_so(people, client, tmp_path):
    update_fee_settings(people.commune, actor=people.receptionist,
                        values={"fee_deadline_amount": 1, "fee_deadline_unit": "working_days",
                                "fee_reminder_hours": 2, "fee_expiry_action": "refuse"})
    unpaid = online_dossier(people, COPY, when=MONDAY)
    paid = online_dossier(people, COPY, when=MONDAY)
    _pay(paid, people.citizen)
    end = awaiting.deadline(unpaid)
    assert awaiting.run(now=end - dt.timedelta(minutes=1))["refused"] == 0
    assert awaiting.run(now=end + dt.timedelta(minutes=1))["refused"] == 1
    unpaid, paid = fresh(unpaid), fresh(paid)
    assert (unpaid.status, paid.status) == (Status.REFUSED, Status.SUBMITTED)
    event = Event.objects.get(dossier=unpaid, kind="refused")
    assert event.actor_id is None
    assert "chưa nộp phí, lệ phí" in event.note and "không được tiếp nhận" in event.note
    assert FormNumber.objects.filter(event=event).exists()  # form 03 takes its number
    assert awaiting.run(now=end + dt.timedelta(hours=1))["refused"] == 0  # once
    # Form 03 prints the reason; no officer signed it (a blank line, not a name).
    import shutil
    import subprocess

    client.force_login(people.receptionist)
    pdf = client.get(f"/can-bo/ho-so/{unpaid.code}/mau/03.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        (tmp_path / "03.pdf").write_bytes(pdf.content)
        text = " ".join(subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / "03.pdf"), "-"],
                                       check=True, capture_output=True).stdout.decode().split())
        assert "chưa nộp phí, lệ phí phải nộp khi nộp hồ sơ trong thời hạn" in text


def test_the_system_waits_for_a_payment_under_way_at_the_deadline(people):
    """A citizen on the bank's page when the deadline passes: no automatic refusal while the payment
    is open at the gateway; once it has expired unpaid, the next run refuses (review of #17)."""
    update_fee_settings(people.commune, actor=people.receptionist,
                        values={"fee_deadline_amount": 1, "fee_deadline_unit": "working_days",
                                "fee_reminder_hours": 0, "fee_expiry_action": "refuse"})
    dossier = online_dossier(people, COPY, when=MONDAY)
    end = awaiting.deadline(dossier)
    payment = services.start_payment(dossier, actor=people.citizen, now=end - dt.timedelta(minutes=2))
    assert payment.is_open and payment.deadline > end + dt.timedelta(minutes=1)
    assert awaiting.run(now=end + dt.timedelta(minutes=1))["refused"] == 0
    assert fresh(dossier).status == Status.SUBMITTED
    assert awaiting.run(now=payment.deadline + dt.timedelta(minutes=1))["refused"] == 1
    assert fresh(dossier).status == Status.REFUSED


def test_the_kiosk_shows_the_sub_state_without_an_amount(people, client):
    from django.utils import timezone

    dossier = online_dossier(people, COPY, when=timezone.now() - dt.timedelta(minutes=1), fee_inputs={"copies": 5})
    page = client.get("/kiosk/ho-so/", {"ma": f"/tra-cuu/{dossier.code}?key={dossier.tracking_key}"})
    text = page.content.decode()
    assert page.status_code == 200 and "Chờ nộp phí" in text and "40.000" not in text
    _pay(dossier, people.citizen)
    assert "Đã nộp phí" in client.get("/kiosk/ho-so/", {"ma": dossier.code}).content.decode()


def test_the_online_queue_reads_the_sub_states_in_a_fixed_number_of_queries(people, client,
                                                                              django_assert_max_num_queries):
    online_dossier(people, COPY, when=MONDAY)
    client.force_login(people.receptionist)
    client.get("/can-bo/cho-tiep-nhan/")  # warm the session and the calendar cache
    with django_assert_max_num_queries(14) as few:
        client.get("/can-bo/cho-tiep-nhan/")
    for _ in range(12):
        online_dossier(people, COPY, when=MONDAY)
    _pay(online_dossier(people, COPY, when=MONDAY), people.citizen)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/can-bo/cho-tiep-nhan/").content.decode()
    assert page.count("data-fee-state") == 14 and page.count("Đã nộp phí") == 1


def test_the_list_and_the_dossier_page_agree(people):
    from django.utils import timezone

    rows = [online_dossier(people, COPY, when=MONDAY), online_dossier(people, COPY, when=timezone.now()),
            online_dossier(people, MARRIAGE, when=MONDAY)]
    _pay(rows[0], people.citizen)
    rows = [fresh(d) for d in rows]
    many = awaiting.shown_many(rows)
    assert {pk: s.state for pk, s in many.items()} == {
        d.pk: awaiting.shown(d).state for d in rows if awaiting.shown(d) is not None}
    assert many[rows[1].pk].deadline == awaiting.deadline(rows[1])
