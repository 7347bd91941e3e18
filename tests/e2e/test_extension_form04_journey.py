"""An extension whose form 04 names the head of the agency responsible for the late step (#17).

A criminal-record dossier received at the centre has sat at Sở Tư pháp's officer step past its
quota (the step is late, the dossier not yet); the officer who holds it extends with a reason on
a desktop. Form 04 is signed by the head of Sở Tư pháp from its settings, never by the officer;
the letter, the e-mail and the SMS name the same agency. Axe: no serious or critical violation on
desktop and phone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.dossiers.conftest import PASSWORD, applicant, people  # noqa: F401  (fixture)

from .conftest import DESKTOP, PHONE, SCREENSHOT_DIR, run_axe
from .test_supplement_items_journey import layout_text

pytestmark = pytest.mark.browser

HEAD, TITLE = "Đỗ Minh Giám", "Giám đốc"
REASON = "Chờ kết quả xác minh của Công an tỉnh"


def late_step_dossier(people, now: dt.datetime):  # noqa: F811
    """Received at the centre and handed to Sở Tư pháp's officer so long ago that the officer's
    step (its quota of working hours) is over while the dossier's own time is not."""
    from motcua.catalog.models import Procedure
    from motcua.dossiers import actions, deadlines
    from motcua.dossiers.queries import steps_of

    version = Procedure.objects.get(code="2.000488").published
    case = version.cases.order_by("order", "id").first()
    step = steps_of(case.pk)[1]
    for days in range(4, 30):  # the first start that leaves the step late and the dossier in time
        handed = now - dt.timedelta(days=days)
        received = handed - dt.timedelta(hours=1)
        if deadlines.step_due(people.justice, handed, step.quota_hours) < now - dt.timedelta(hours=1) \
                and deadlines.case_due(people.centre, case, received) > now + dt.timedelta(hours=2):
            break
    else:
        pytest.skip("no start leaves the step late and the dossier in time around today (holidays)")
    d = actions.create_dossier(actor=people.centre_receptionist, version=version, case=case, channel=1,
                               applicant=applicant(), at=received).dossier
    d = actions.handover(d, actor=people.centre_receptionist, to_user=people.justice_officer, at=handed).dossier
    assert d.handling_agency_id == people.justice.pk and d.step_due_at < now < d.due_at
    return d


def test_the_officer_extends_a_late_step_and_form_04_names_the_head_of_that_agency(site, people, new_page,  # noqa: F811
                                                                                  tmp_path):
    from motcua.agencies.models import Agency
    from motcua.notify.models import Message

    Agency.objects.filter(pk=people.justice.pk).update(head_name=HEAD, head_title=TITLE, abbreviation="STP")
    now = timezone.now()
    d = late_step_dossier(people, now)
    base = site.url

    officer = new_page(**DESKTOP)
    officer.goto(base + "/dang-nhap/?next=/can-bo/")
    officer.get_by_label("Tên đăng nhập").fill(people.justice_officer.username)
    officer.get_by_label("Mật khẩu").fill(PASSWORD)
    officer.get_by_role("button", name="Đăng nhập").click()
    officer.wait_for_url(re.compile(r"/can-bo/$"))
    officer.goto(f"{base}/can-bo/ho-so/{d.code}/")
    assert "Quá hạn" in officer.locator("main").inner_text()  # the step's badge: its quota is over
    panel = officer.locator("#thao-tac-extend")
    panel.locator("summary").click()
    new_due = timezone.localtime(d.due_at + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    panel.get_by_label("Thời hạn trả kết quả mới").fill(new_due)
    panel.get_by_label("Lý do chậm và lời xin lỗi").fill(REASON)
    assert run_axe(officer) == []
    panel.get_by_role("button", name="Gia hạn").click()
    officer.wait_for_load_state()
    assert "Đã gia hạn hồ sơ" in officer.locator(".bo-messages").inner_text()
    officer.screenshot(path=str(SCREENSHOT_DIR / "k4-extension-desktop.png"), full_page=True)
    assert run_axe(officer) == []

    href = officer.locator('a[data-form="04"]').get_attribute("href")
    flat = " ".join(layout_text(officer.request.get(base + href).body(), tmp_path).split())
    assert "SỞ TƯ PHÁP" in flat and "Sở Tư pháp thành thật xin lỗi" in flat
    assert TITLE.upper() in flat and HEAD in flat
    assert people.justice_officer.full_name not in flat  # never the officer who clicked
    assert re.search(r"Số: \d+/STP", flat) and REASON in flat

    # The applicant is told by e-mail and SMS, naming the same agency.
    from motcua.notify import rendering

    told = {m.channel: m for m in Message.objects.filter(dossier=d, template="late")}
    assert set(told) == {"email", "sms"}, told
    assert told["email"].context["late_agency"] == "Sở Tư pháp"
    _subject, email = rendering.render("late", "email", told["email"].context)  # as the sender renders it
    assert "Sở Tư pháp" in email and people.justice_officer.full_name not in email
    _none, sms = rendering.render("late", "sms", told["sms"].context)
    assert "So Tu phap" in sms

    # The same dossier page on a phone.
    phone = new_page(**PHONE)
    phone.context.add_cookies(officer.context.cookies())
    phone.goto(f"{base}/can-bo/ho-so/{d.code}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert run_axe(phone) == []
