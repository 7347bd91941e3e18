"""The citizen's journey read in English (the site's language switch, the `motcua_language`
cookie): no line of the pages is a Vietnamese interface text that has an English translation,
weekdays are English, quotes are English quotes, and the sign-in page keeps the portal's name."""

from __future__ import annotations

import html
import re

import pytest
from django.conf import settings
from django.utils import translation

from motcua.core.dates import TZ
from tests.core.test_the_citizen_journey_speaks_english import CATALOGUES, po_entries

from .helpers import completed

WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@pytest.fixture(autouse=True)
def _language_kept():
    with translation.override(translation.get_language()):
        yield


def visible_lines(page: str) -> list[str]:
    body = page[page.index("<body"):]
    body = re.sub(r"(?s)<(script|style|svg)[^>]*>.*?</\1>", " ", body)
    lines = (html.unescape(line).strip() for line in re.sub(r"(?s)<[^>]+>", "\n", body).splitlines())
    return [line for line in lines if line]


def interface_texts() -> set[str]:
    """The Vietnamese interface texts of the journey that English writes differently."""
    out = set()
    for path in CATALOGUES:
        for e in po_entries(path):
            if e["msgid"] and "%" not in e["msgid"] and e["strings"].get("msgstr", e["msgid"]) != e["msgid"]:
                out.add(e["msgid"])
    return out


def english(client, url: str) -> str:
    client.cookies["motcua_language"] = "en"
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.content.decode()
    assert '<html lang="en"' in page, url
    return page


def untranslated(page: str) -> list[str]:
    """Lines that are interface texts, except the catalogue's data that happens to read the same
    (a workflow step named "Tiếp nhận hồ sơ" is the agency's wording, not ours)."""
    from motcua.catalog.models import WorkflowStep

    texts = interface_texts() - set(WorkflowStep.objects.values_list("name", flat=True))
    return [line for line in visible_lines(page) if line in texts]


@pytest.fixture
def dossier(people):
    return completed(people, delivery="online")


def test_the_public_pages_have_no_vietnamese_interface_text(client, dossier):
    for url in ("/", "/thu-tuc/?q=khai+sinh", "/thu-tuc/1.001193/", "/thu-tuc/2.000488/", "/co-quan/", "/tra-cuu/",
                f"/tra-cuu/{dossier.code}?key={dossier.tracking_key}", "/xac-thuc/", "/dang-nhap/", "/dang-ky/",
                "/quen-mat-khau/", "/gop-y/"):
        assert untranslated(english(client, url)) == [], url


def test_the_signed_in_pages_have_no_vietnamese_interface_text(client, people, dossier):
    client.force_login(people.citizen)
    for url in ("/ho-so-cua-toi/", f"/ho-so-cua-toi/{dossier.code}/", "/tai-khoan/",
                f"/gop-y/danh-gia/{dossier.code}/"):
        assert untranslated(english(client, url)) == [], url


def test_the_check_finds_a_leftover_vietnamese_text(db):
    assert untranslated("<body><p>Tra cứu hồ sơ</p><p>Nguyễn Văn An</p></body>") == ["Tra cứu hồ sơ"]


def test_weekdays_and_quotes_are_english(client, people, dossier):
    due = dossier.due_at.astimezone(TZ)
    expected = f"{WEEKDAYS_EN[due.weekday()]}, {due:%d/%m/%Y %H:%M}"
    assert expected in english(client, f"/tra-cuu/{dossier.code}?key={dossier.tracking_key}")
    client.force_login(people.citizen)
    page = english(client, f"/ho-so-cua-toi/{dossier.code}/")
    assert expected in page
    assert "Completed step “Tiếp nhận hồ sơ”" in page and "«" not in page
    assert re.search(r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d\d/\d\d/\d{4} \d\d:\d\d",
                     english(client, "/thu-tuc/2.000488/"))


def test_the_sign_in_page_keeps_the_portals_name(client, db):
    page = english(client, "/dang-nhap/")
    assert page.count(settings.MOTCUA_SITE_NAME) >= 2  # title, header (and footer)
    assert "testserver" not in page
