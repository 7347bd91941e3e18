"""The page to fill says why a part was not saved when the server refuses it (a 4xx answer),
instead of «mất kết nối» (issue #18 review), and says the draft limit before any typing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, SCREENSHOT_DIR, run_axe
from .test_six_screens import make_citizen, sign_in

pytestmark = pytest.mark.browser

COPY = "2.000635"  # 8.000 đồng a copy: the first part asks how many


def test_a_refused_fee_input_shows_the_servers_reason(site, new_page):
    make_citizen()
    page = new_page(**PHONE)
    page.goto(f"{site.url}/dang-nhap/?next=/nop-ho-so/{COPY}/")
    sign_in(page)
    page.wait_for_url(re.compile(rf"/nop-ho-so/{re.escape(COPY)}/$"))
    page.locator("#fee-copies").fill("0")
    page.locator(".fill-section.is-open [data-fill-next]").click()
    status = page.locator("[data-saved-status]")
    expect(status).to_contain_text("Số bản phải là số nguyên từ 1 đến 1000")
    assert "mất kết nối" not in status.inner_text()
    assert status.get_attribute("role") == "alert"
    # Said in the part it is about too, which stays open (not the next one).
    refused = page.locator(".fill-section.is-open [data-fill-refusal]")
    expect(refused).to_contain_text("Số bản phải là số nguyên từ 1 đến 1000")
    assert page.locator(".fill-section.is-open #fee-copies").count() == 1
    page.screenshot(path=str(SCREENSHOT_DIR / "fee-refused.png"))


def test_at_the_draft_limit_the_page_says_so_before_any_typing(site, new_page):
    from motcua.submissions import services
    from motcua.submissions.models import Draft

    user = make_citizen()
    from motcua.catalog.models import Procedure

    other = Procedure.objects.get(code="2.000488").published
    Draft.objects.bulk_create([Draft(owner=user, version=other) for _ in range(services.MAX_DRAFTS_PER_USER)])
    page = new_page(**PHONE)
    page.goto(f"{site.url}/dang-nhap/?next=/nop-ho-so/{COPY}/")
    sign_in(page)
    page.wait_for_url(re.compile(rf"/nop-ho-so/{re.escape(COPY)}/$"))
    expect(page.locator("h1")).to_have_text("Đã đủ số hồ sơ nháp")
    assert page.locator("input[name^='f-']").count() == 0
    assert run_axe(page) == []
    page.screenshot(path=str(SCREENSHOT_DIR / "draft-limit.png"), full_page=True)
    page.get_by_role("link", name="Xem hồ sơ nháp").click()
    page.wait_for_url(re.compile(r"/nop-ho-so/nhap/$"))
