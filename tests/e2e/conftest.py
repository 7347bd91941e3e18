"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live_server."""

from __future__ import annotations

import functools
import io
import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls are safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


@functools.lru_cache(maxsize=1)
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8") + "\n;0"  # a script, evaluated for its side effect
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
SCREENSHOT_DIR = Path(os.environ.get("MOTCUA_SCREENSHOT_DIR", "/tmp"))


@pytest.fixture(scope="session")
def chromium(browser_executable):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=browser_executable, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium):
    """new_page(**context_options) -> a page in Vietnamese (unless told otherwise); closed after."""
    contexts = []
    csp_violations: list[str] = []

    def watch(message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            csp_violations.append(message.text)

    def make(**options):
        options = {"locale": "vi-VN", "accept_downloads": True, **options}
        context = chromium.new_context(**options)
        context.set_default_timeout(15_000)
        context.on("console", watch)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    # Every page runs under the real Content-Security-Policy; a blocked script or style is a bug.
    assert not csp_violations, csp_violations[:5]


def make_docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(text, level=1)
    document.add_paragraph("Họ, chữ đệm, tên người yêu cầu: ....................")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def site(transactional_db, live_server, catalog, settings, tmp_path):
    """The sample catalogue on a live server, with a real .docx behind the criminal-record form."""
    from django.core.files.base import ContentFile

    from motcua.catalog.models import FormTemplate

    settings.MEDIA_ROOT = tmp_path / "media"
    form = FormTemplate.objects.get(filename="to-khai-ly-lich-tu-phap.docx")
    form.file.save(form.filename, ContentFile(make_docx("Tờ khai lý lịch tư pháp")), save=True)
    return live_server


def run_axe(page) -> list[dict]:
    """axe-core on the current page; the violations of impact serious or critical."""
    # Evaluated through the DevTools protocol, not injected as a <script>: the pages' Content-
    # Security-Policy forbids inline scripts, and the tests run under that policy.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    # Colours measured mid-transition (a focus or hover fading in) are neither the start nor the
    # end state: wait for the finite CSS transitions and animations to end first.
    page.evaluate(
        """async () => await Promise.all(document.getAnimations()
               .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
               .map(a => a.finished.catch(() => null)))"""
    )
    result = page.evaluate(
        """async () => await axe.run(document, {
               runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
               resultTypes: ['violations'],
           })"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def open_part(page, target) -> None:
    """On the wizard's page to fill (one part open at a time), open the part that holds `target`
    (a selector or a locator), as a person taps its header."""
    inner = page.locator(target) if isinstance(target, str) else target
    part = page.locator("[data-fill-section]").filter(has=inner)
    if part.locator("[data-fill-body]").is_hidden():
        part.locator("[data-fill-toggle]").click()
