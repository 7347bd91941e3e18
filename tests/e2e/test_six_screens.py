"""From the home page to "Đã nộp" in at most 6 screens signed out and 5 signed in (issue #18), on a
phone (390×844), for birth registration (1.001193) and the criminal record certificate (2.000488).

A screen is a page load (a new document in the tab) or a script replacing content ANYWHERE inside
<main> (the observer watches the whole subtree): an element removed from <main> that holds a
heading (h1–h3), a form or a part of the page (a <section>) counts as a screen. Small things a
script takes away in place are not screens: the options of a list (the communes of a province), a
file's progress line, an error message.

Opening the next part of the page to fill is NOT a screen, by design: the page is an accordion,
every part's header stays in view and the next part's body is shown in place (its `hidden`
removed; nothing is replaced). The test counts those openings separately and asserts that there is
exactly one per «Tiếp tục» pressed, so that a script that opened parts on its own (or re-rendered
them) would show up. The rule is described in docs/eforms.md («Counting screens»).

Besides the count, each test asserts the exact list of page loads. The journey, signed out:

    1 home → 2 search results ("Nộp trực tuyến" on the result) → 3 sign-in (returns to the
    wizard) → 4 the page to fill (intro, sections, documents, delivery) → 5 review (the application
    as page images, the pledge) → 6 "Đã nộp"

and signed in the same without the sign-in. Each test prints `SCREENS <journey> screens=<n>
inputs=<n> parts=<n>`: inputs are the fields a person fills or ticks (the test counts its own
actions), parts the openings of the next part."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import unquote

import pytest
from playwright.sync_api import expect

from tests.submissions.conftest import PDF, PNG

from .conftest import PHONE, SCREENSHOT_DIR, run_axe

pytestmark = pytest.mark.browser

PASSWORD = "motcua-e2e-pw-2026"
BIRTH, RECORD = "1.001193", "2.000488"
LIMIT = {"out": 6, "in": 5}

# Counts, in this tab across page loads: content replaced by a script anywhere inside <main>
# ("swaps", see the module's doc), and parts of the page to fill opened in place ("openings").
SWAP_COUNTER = """
document.addEventListener("DOMContentLoaded", function () {
  var main = document.querySelector("main");
  if (!main) { return; }
  function bump(name) {
    sessionStorage.setItem(name, String(Number(sessionStorage.getItem(name) || 0) + 1));
  }
  function isContent(node) {
    if (node.nodeType !== 1) { return false; }
    if (node.matches("h1, h2, h3, form, section")) { return true; }
    return !!node.querySelector("h1, h2, h3, form, section");
  }
  new MutationObserver(function (records) {
    var swapped = false;
    for (var i = 0; i < records.length; i++) {
      var r = records[i];
      if (r.type === "childList") {
        for (var j = 0; j < r.removedNodes.length; j++) { if (isContent(r.removedNodes[j])) { swapped = true; } }
      } else if (r.type === "attributes" && r.target.hasAttribute("data-fill-body") &&
                 r.oldValue !== null && !r.target.hasAttribute("hidden")) {
        bump("openings");
      }
    }
    if (swapped) { bump("swaps"); }
  }).observe(main, {childList: true, subtree: true, attributes: true, attributeFilter: ["hidden"],
                    attributeOldValue: true});
});
"""

class Person:
    """Drives the page as a person would, counting the screens they see and the inputs they fill."""

    def __init__(self, page, name: str):
        self.page, self.name = page, name
        self.loads: list[str] = []
        self.inputs = 0
        self.parts = 0  # «Tiếp tục» pressed: each opens the next part in place
        page.add_init_script(SWAP_COUNTER)
        page.on("domcontentloaded", lambda p: self.loads.append(p.url))

    def counted(self, name: str) -> int:
        return int(self.page.evaluate(f"Number(sessionStorage.getItem('{name}') || 0)"))

    def screens(self) -> int:
        return len(self.loads) + self.counted("swaps")

    def shot(self, step: str) -> None:
        self.page.screenshot(path=str(SCREENSHOT_DIR / f"six-screens-{self.name}-{step}.png"), full_page=True)

    def fill(self, selector: str, value: str) -> None:
        self.page.locator(selector).fill(value)
        self.inputs += 1

    def pick(self, selector: str) -> None:
        self.page.locator(selector).check()
        self.inputs += 1

    def choose(self, selector: str, value: str, wait_option: bool = False) -> None:
        if wait_option:
            self.page.wait_for_selector(f"{selector} option[value='{value}']", state="attached")
        self.page.locator(selector).select_option(value)
        self.inputs += 1

    def upload(self, slot_text: str, path) -> None:
        slot = self.page.locator("[data-slot]").filter(has_text=slot_text)
        slot.locator("input[type=file]").set_input_files(str(path))
        expect(slot.locator(".file-item.is-done")).to_have_count(1)
        self.inputs += 1

    def next_section(self) -> None:
        self.page.locator(".fill-section.is-open [data-fill-next]").click()
        self.parts += 1


def make_citizen(**extra):
    from motcua.accounts.models import User
    from motcua.eforms.services import load_demo_eforms

    load_demo_eforms()
    return User.objects.create_user(
        "congdan", password=PASSWORD, full_name="Nguyễn Văn Công Dân", id_number="096090001234",
        date_of_birth=dt.date(1990, 5, 17), address="Khóm 2, Phường Tân Thành, tỉnh Cà Mau",
        phone="0912345678", email="congdan@example.invalid", **extra,
    )


def sign_in(page) -> None:
    page.get_by_label("Tên đăng nhập").fill("congdan")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def no_serious_a11y(page, where: str, *, desktop_too: bool = False) -> None:
    assert run_axe(page) == [], where
    if desktop_too:
        page.set_viewport_size({"width": 1280, "height": 900})
        assert run_axe(page) == [], f"{where} (desktop)"
        page.set_viewport_size(PHONE["viewport"])


def journey_to_form(person: Person, base: str, query: str, code: str, signed: str) -> None:
    page = person.page
    page.goto(f"{base}/")
    page.get_by_label("Bạn cần làm thủ tục gì?").fill(query)
    person.inputs += 1
    page.get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_url(re.compile(r"/thu-tuc/\?q="))
    person.shot("1-results")
    result = page.locator(".result").filter(has=page.locator(".code", has_text=code)).first
    result.get_by_role("link", name=re.compile("^Nộp trực tuyến")).click()
    if signed == "out":
        page.wait_for_url(re.compile(r"/dang-nhap/\?next="))
        sign_in(page)
        person.inputs += 2
    page.wait_for_url(re.compile(rf"/nop-ho-so/{re.escape(code)}/$"))  # back where they were going
    expect(page.locator(".fill-section.is-open")).to_have_count(1)


def review_and_submit(person: Person, code: str, *, axe: bool) -> None:
    from motcua.dossiers.models import Dossier

    page = person.page
    page.get_by_role("button", name="Xem lại hồ sơ").click()
    page.wait_for_url(re.compile(r"/xem-lai/$"))
    image = page.locator(".preview-pages img").first
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert page.locator(".preview-pages").is_visible()
    # The pledge comes after the application's images.
    assert page.evaluate("""() => {
        const img = document.querySelector('.preview-pages');
        const pledge = document.getElementById('confirm');
        return !!(img.compareDocumentPosition(pledge) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""")
    assert page.locator("input[name=delivery]").count() == 0  # asked once, on the page to fill
    if axe:
        no_serious_a11y(page, "review", desktop_too=True)
    person.shot("3-review")
    person.pick("#confirm")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url(re.compile(r"/nop-ho-so/da-nop/"))
    assert page.locator("h1").inner_text() == "Đã nộp hồ sơ"
    person.shot("4-done")
    dossier = Dossier.objects.get(procedure_version__procedure__code=code)
    assert dossier.status == 1 and page.locator("[data-dossier-code]").inner_text() == dossier.code


def expected_loads(base: str, code: str, signed: str) -> list[str]:
    """The page loads of the journey, in order (patterns of their full addresses)."""
    base = re.escape(base)
    loads = [rf"{base}/", rf"{base}/thu-tuc/\?q=.+"]
    if signed == "out":
        loads.append(rf"{base}/dang-nhap/\?next=/nop-ho-so/{re.escape(code)}/")
    return loads + [rf"{base}/nop-ho-so/{re.escape(code)}/", rf"{base}/nop-ho-so/nhap/[0-9a-f-]{{36}}/xem-lai/",
                    rf"{base}/nop-ho-so/da-nop/[^/]+/"]


def finish(person: Person, signed: str, base: str, code: str) -> None:
    screens = person.screens()
    openings = person.counted("openings")
    print(f"SCREENS {person.name} screens={screens} inputs={person.inputs} parts={openings} "
          f"target={LIMIT[signed]}")
    expected = expected_loads(base, code, signed)
    assert len(person.loads) == len(expected) and all(
        re.fullmatch(pattern, unquote(url)) for pattern, url in zip(expected, person.loads, strict=True)), person.loads
    assert person.counted("swaps") == 0, "a script replaced content inside <main>"
    assert openings == person.parts, (openings, person.parts)  # the accordion, one part per «Tiếp tục»
    assert screens <= LIMIT[signed], person.loads


@pytest.mark.parametrize("signed", ["out", "in"])
def test_birth_registration(site, new_page, tmp_path, signed):
    from django.utils import timezone

    make_citizen(identity_verified_at=timezone.now(),  # signed in with the national identity
                 identity_fields=["id_number", "full_name", "date_of_birth"])
    page = new_page(**PHONE)
    person = Person(page, f"birth-{signed}")
    if signed == "in":
        page.goto(f"{site.url}/dang-nhap/")
        sign_in(page)
        page.wait_for_url(re.compile(r"/$"))
        person.loads.clear()
    journey_to_form(person, site.url, "đăng ký khai sinh", BIRTH, signed)

    # Part 1: the requester, prefilled; what the identity sign-in proved is marked.
    requester = page.locator("[data-field='f-requester_name']")
    assert page.locator("#id-f-requester_name").input_value() == "Nguyễn Văn Công Dân"
    assert "Đã xác thực qua định danh điện tử" in requester.inner_text()
    if signed == "out":
        no_serious_a11y(page, "page to fill", desktop_too=True)
        person.shot("2-form")
    person.pick("#id-f-relationship-1")  # Cha: the father's part is prefilled from the profile
    person.next_section()
    # Part 2: the child.
    person.fill("#id-f-child_name", "Nguyễn Ngọc Hân")
    person.fill("#id-f-child_dob", "2026-03-01")
    person.pick("#id-f-child_gender-1")
    person.pick("#id-f-birth_place_kind-0")
    person.fill("#id-f-birth_facility", "Bệnh viện Sản Nhi Cà Mau")
    person.choose("#id-f-birth_place-province", "96")
    person.choose("#id-f-birth_place-commune", "32002", wait_option=True)
    person.next_section()
    # Part 3: the mother; her address is the requester's (one tick instead of three fields).
    person.fill("#id-f-mother_name", "Trần Thị Mai")
    person.fill("#id-f-mother_birth_year", "1995")
    person.pick("#id-f-mother_address-same")
    assert page.locator("#id-f-mother_address-province").is_hidden()
    person.next_section()
    # Part 4: the father, prefilled because the requester is the father; still editable.
    person.pick("#id-f-has_father-yes")
    assert page.locator("#id-f-father_name").input_value() == "Nguyễn Văn Công Dân"
    assert page.locator("#id-f-father_birth_year").input_value() == "1990"
    assert page.locator("#id-f-father_name").is_editable()
    expect(page.locator("#id-f-father_address-commune")).to_have_value("32025")  # the profile's address
    person.next_section()
    person.pick("#id-f-want_copies-no")
    person.next_section()
    # Part 6: the documents (each file goes up as it is picked) and how to receive the result.
    certificate = tmp_path / "giấy chứng sinh.pdf"
    certificate.write_bytes(PDF)
    person.upload("Giấy chứng sinh", certificate)
    review_and_submit(person, BIRTH, axe=signed == "out")
    finish(person, signed, site.url, BIRTH)

    from motcua.dossiers.models import Dossier

    data = Dossier.objects.get().form_data
    assert data["father_name"] == "Nguyễn Văn Công Dân" and data["father_birth_year"] == 1990
    assert data["mother_address"]["commune_name"] == "Phường Tân Thành"  # copied from the requester's
    assert data["father_address"]["detail"] == "Khóm 2"  # the father's from the profile


@pytest.mark.parametrize("signed", ["in", "out"])
def test_criminal_record_certificate(site, new_page, tmp_path, signed):
    make_citizen()
    page = new_page(**PHONE)
    person = Person(page, f"record-{signed}")
    if signed == "in":
        page.goto(f"{site.url}/dang-nhap/")
        sign_in(page)
        page.wait_for_url(re.compile(r"/$"))
        person.loads.clear()
    journey_to_form(person, site.url, "lý lịch tư pháp", RECORD, signed)
    # Part 1: the fee (students pay less); nothing to change here.
    assert "Lệ phí" in page.locator(".fill-section.is-open").inner_text()
    if signed == "in":
        no_serious_a11y(page, "page to fill (fees)", desktop_too=True)
        person.shot("2-form")
    person.next_section()
    # Part 2: the requester, mostly prefilled from the profile.
    assert page.locator("#id-f-full_name").input_value() == "Nguyễn Văn Công Dân"
    person.pick("#id-f-gender-0")
    person.fill("#id-f-birth_place", "Phường Tân Thành, tỉnh Cà Mau")
    person.fill("#id-f-id_issued_on", "2021-04-01")
    person.next_section()
    person.fill("#id-f-father_name", "Nguyễn Văn Cha")
    person.fill("#id-f-mother_name", "Trần Thị Mẹ")
    person.next_section()
    person.fill("#id-f-residence_history-0-from_month", "05/2004")
    person.fill("#id-f-residence_history-0-to_month", "nay")
    person.fill("#id-f-residence_history-0-place", "Phường Tân Thành, tỉnh Cà Mau")
    person.next_section()
    person.pick("#id-f-certificate_kind-0")
    person.pick("#id-f-ban_confirmation-no")
    person.fill("#id-f-purpose", "Bổ sung hồ sơ xin việc")
    person.next_section()
    card = tmp_path / "can-cuoc.png"
    card.write_bytes(PNG)
    person.upload("giấy tờ tùy thân", card)
    review_and_submit(person, RECORD, axe=signed == "in")
    finish(person, signed, site.url, RECORD)
