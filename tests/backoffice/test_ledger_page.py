"""The ledger page and form 07 (#17): the page names the agency whose book it shows, lets the user
choose among theirs, and the print carries exactly its rows, numbers and columns."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import unicodedata
from zoneinfo import ZoneInfo

import pytest

from motcua.accounts.models import Membership

from .conftest import BIRTH, counter_dossier

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def at(day: int, hour: int = 9, minute: int = 15) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=TZ)


def pdf_text(pdf: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    path = tmp_path / "ledger.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True)
    return unicodedata.normalize("NFC", out.stdout.decode())


def test_the_page_and_the_print_show_the_same_book(login, people, tmp_path):
    second = counter_dossier(people, BIRTH, when=at(10))
    first = counter_dossier(people, BIRTH, when=at(9))  # typed in later: number 2, listed first
    counter_dossier(people, BIRTH, when=at(20), actor=people.receptionist)  # number 3
    client = login(people.receptionist)
    page = client.get("/can-bo/so-theo-doi/", {**MARCH, "to": "2026-03-15"})
    html = page.content.decode()
    assert "Sổ của <strong>Ủy ban nhân dân phường Tân Thành</strong>" in html
    rows = re.findall(r'<td data-label="STT">(\d+)</td>\s*<td data-label="Mã hồ sơ"><a class="bo-code" '
                      r'href="[^"]+">([^<]+)</a>', html)
    assert rows == [("2", first.code), ("1", second.code)]
    pdf_link = re.search(r'href="(/can-bo/so-theo-doi\.pdf\?[^"]+)"', html).group(1).replace("&amp;", "&")
    assert f"agency={people.commune.pk}" in pdf_link
    text = pdf_text(client.get(pdf_link).content, tmp_path)
    printed = re.findall(r"^(\d+) (\S+-\d{6}-\d{4})", text, flags=re.M)
    assert printed == [(n, code) for n, code in rows]
    for column in ("Tên TTHC", "Cơ quan chủ trì", "Hẹn trả kết quả", "Ghi chú"):
        assert column in html


def test_the_user_chooses_among_their_agencies(login, people):
    Membership.objects.create(user=people.receptionist, agency=people.other_commune, role="receptionist")
    mine = counter_dossier(people, BIRTH, when=at(9))
    client = login(people.receptionist)
    html = client.get("/can-bo/so-theo-doi/", MARCH).content.decode()
    assert 'id="l-agency"' in html
    assert f'<option value="{people.commune.pk}" selected>' in html
    assert f'<option value="{people.other_commune.pk}">' in html
    assert f'<option value="{people.centre.pk}"' not in html  # not one of theirs
    other = client.get("/can-bo/so-theo-doi/", {**MARCH, "agency": people.other_commune.pk}).content.decode()
    assert "Sổ của <strong>Ủy ban nhân dân xã Lý Văn Lâm</strong>" in other and mine.code not in other
    # Another agency's book is never shown: the user's own instead.
    stranger = client.get("/can-bo/so-theo-doi/", {**MARCH, "agency": people.centre.pk}).content.decode()
    assert "Sổ của <strong>Ủy ban nhân dân phường Tân Thành</strong>" in stranger and mine.code in stranger


def test_a_superuser_is_asked_to_choose_a_book(login, people):
    from motcua.accounts.models import User

    counter_dossier(people, BIRTH, when=at(9))
    client = login(User.objects.create_superuser("sieu_quan_tri_so", password=None))
    html = client.get("/can-bo/so-theo-doi/", MARCH).content.decode()
    assert "Chọn cơ quan để xem và in sổ" in html and "so-theo-doi.pdf" not in html
    chosen = client.get("/can-bo/so-theo-doi/", {**MARCH, "agency": people.commune.pk}).content.decode()
    assert "so-theo-doi.pdf" in chosen and "Sổ của <strong>Ủy ban nhân dân phường Tân Thành</strong>" in chosen
