"""Form 01's number is stable (#17): a back-dated import takes the next free number of its year
and keeps its own date; a reprint of an earlier receipt shows the number it had (pdftotext). The
domain part runs on both databases (`test_the_numbers_in_the_domain`); the browser part reprints
from the counter's dossier page and checks the counter reception page (with its supplement
items) on a phone and a desktop with axe."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from motcua.dossiers import actions, paperwork
from tests.dossiers.conftest import BIRTH, PASSWORD, applicant, people, version_of  # noqa: F401  (fixture)

from .conftest import DESKTOP, PHONE, SCREENSHOT_DIR, run_axe
from .test_supplement_items_journey import layout_text


def two_receptions(people, now: dt.datetime):  # noqa: F811
    """A dossier received now, then a paper one received last week typed in after it."""
    version = version_of(BIRTH)
    today = actions.create_dossier(actor=people.receptionist, version=version, channel=1, applicant=applicant(),
                                   at=now).dossier
    earlier_at = now - dt.timedelta(days=7)
    if timezone.localtime(earlier_at).year != timezone.localtime(now).year:  # the first days of January
        earlier_at = now - dt.timedelta(hours=2)
    earlier = actions.create_dossier(actor=people.receptionist, version=version, channel=1,
                                     applicant=applicant(name="Trần Thị Bình"), at=earlier_at).dossier
    return today, earlier, earlier_at


def number_on(pdf: bytes, tmp_path) -> int:
    return int(re.search(r"Số: (\d+)/TNHS", layout_text(pdf, tmp_path)).group(1))


def test_the_numbers_in_the_domain(people, tmp_path):  # noqa: F811
    from tests.dossiers.conftest import at

    today, earlier, earlier_at = two_receptions(people, at(16, 9, 30))
    assert earlier.reception_number == today.reception_number + 1  # the next free number
    assert earlier.received_at == earlier_at  # its own date
    assert number_on(paperwork.render(today, "01"), tmp_path) == today.reception_number  # the reprint
    text = " ".join(layout_text(paperwork.render(earlier, "01"), tmp_path).split())
    assert f"Số: {earlier.reception_number}/TNHS" in text
    assert timezone.localtime(earlier_at).strftime("ngày %d/%m/%Y") in text or \
        timezone.localtime(earlier_at).strftime("%d/%m/%Y") in text


@pytest.mark.browser
def test_a_reprint_after_a_back_dated_import_keeps_its_number(site, people, new_page, tmp_path):  # noqa: F811
    now = timezone.now()
    today, earlier, _earlier_at = two_receptions(people, now - dt.timedelta(minutes=30))
    base = site.url
    page = new_page(**DESKTOP)
    page.goto(base + "/dang-nhap/?next=/can-bo/")
    page.get_by_label("Tên đăng nhập").fill(people.receptionist.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/can-bo/$"))
    page.goto(f"{base}/can-bo/ho-so/{today.code}/")
    href = page.locator('a[data-form="01"]').get_attribute("href")
    assert number_on(page.request.get(base + href).body(), tmp_path) == today.reception_number
    assert run_axe(page) == []
    page.goto(f"{base}/can-bo/ho-so/{earlier.code}/")
    href = page.locator('a[data-form="01"]').get_attribute("href")
    assert number_on(page.request.get(base + href).body(), tmp_path) == today.reception_number + 1

    # The counter's reception page: a reason box under each component and free rows with reasons.
    page.goto(f"{base}/can-bo/tiep-nhan/{BIRTH}/")
    assert page.locator("input[name^=reason-]").count() == len(version_of(BIRTH).components.all())
    assert page.locator("[name=free1_text]").count() == 1 and page.locator("[name=free1_reason]").count() == 1
    assert run_axe(page) == []
    phone = new_page(**PHONE)
    phone.context.add_cookies(page.context.cookies())
    phone.goto(f"{base}/can-bo/tiep-nhan/{BIRTH}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(SCREENSHOT_DIR / "k4-counter-reception-phone.png"), full_page=True)
    assert run_axe(phone) == []
