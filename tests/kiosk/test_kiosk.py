"""The kiosk: lookup by the receipt's barcode (code only) or QR (URL with key) showing no personal
data at all, rate limited per address; the catalogue; no inline script; bad input never fails."""

from __future__ import annotations

import re

import pytest

from motcua.dossiers import actions
from motcua.kiosk.lookup import parse_scan
from tests.citizen.helpers import APPLICANT_ID, APPLICANT_NAME, APPLICANT_PHONE, fresh, received

PERSONAL = (APPLICANT_NAME, APPLICANT_ID, APPLICANT_PHONE, "an@example.invalid", "Phường Tân Thành, Cà Mau",
            "N***** V** A*", "Nguy")


@pytest.fixture
def dossier(people):
    d = received(people)
    actions.handover(d, actor=people.receptionist)
    actions.request_supplement(d, actor=people.officer, missing=["Giấy chứng sinh của Nguyễn Văn An"],
                               note="Ông Nguyễn Văn An cần nộp bản chính")
    return fresh(d)


def html_of(response) -> str:
    return response.content.decode()


def assert_no_personal_data(html: str) -> None:
    for secret in PERSONAL:
        assert secret not in html, secret


def test_the_start_screen_is_a_kiosk(client, db):
    response = client.get("/kiosk/")
    html = html_of(response)
    assert response.status_code == 200
    assert 'lang="vi"' in html and 'name="ma"' in html and "autofocus" in html
    assert 'data-idle-seconds="60"' in html and 'data-home-url="/kiosk/"' in html
    assert "kiosk/kiosk.js" in html
    # No inline script or style attribute (a strict CSP later), no link out of the kiosk.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " style=" not in html and "onclick" not in html
    assert "/dang-nhap/" not in html and "/ngon-ngu/" not in html
    assert response["X-Robots-Tag"].startswith("noindex")


def test_the_idle_time_is_a_setting(client, db, settings):
    settings.MOTCUA_KIOSK_IDLE_SECONDS = 2
    assert 'data-idle-seconds="2"' in html_of(client.get("/kiosk/"))


def test_a_code_without_key_shows_status_steps_and_due_but_no_personal_data(client, dossier):
    response = client.get("/kiosk/ho-so/", {"ma": dossier.code})
    html = html_of(response)
    assert response.status_code == 200
    assert dossier.code in html and "Yêu cầu bổ sung giấy tờ" in html and "Đăng ký khai sinh" in html
    assert "Tiếp nhận hồ sơ" in html and "Thẩm tra, xử lý" in html and "Hẹn trả kết quả" in html
    assert_no_personal_data(html)
    assert dossier.tracking_key not in html
    assert "cần nộp bản chính" not in html  # reasons may name people: never shown


def test_the_qr_url_with_key_shows_the_same(client, dossier):
    url = f"http://127.0.0.1:8000/tra-cuu/{dossier.code}?key={dossier.tracking_key}"
    by_qr = client.get("/kiosk/ho-so/", {"ma": url})
    by_code = client.get("/kiosk/ho-so/", {"ma": dossier.code})
    assert by_qr.status_code == 200
    assert_no_personal_data(html_of(by_qr))
    strip = lambda r: re.sub(r'value="[^"]*"', "", html_of(r))  # noqa: E731
    assert strip(by_qr) == strip(by_code)


def test_a_qr_url_with_a_wrong_key_is_not_found(client, dossier):
    response = client.get("/kiosk/ho-so/", {"ma": f"/tra-cuu/{dossier.code}?key=WRONG1"})
    assert response.status_code == 404 and "Không tìm thấy hồ sơ" in html_of(response)


def test_a_lower_case_or_padded_code_is_found(client, dossier):
    assert client.get("/kiosk/ho-so/", {"ma": f"  {dossier.code.lower()}\t"}).status_code == 200


def test_an_unknown_code_is_not_found(client, db):
    response = client.get("/kiosk/ho-so/", {"ma": "000.00.00.X00-260101-9999"})
    assert response.status_code == 404 and "000.00.00.X00-260101-9999" in html_of(response)


@pytest.mark.parametrize("raw", ["", "   ", "<script>alert(1)</script>", "x" * 5000, "' OR 1=1 --", "🙂", "%00",
                                 "\x00\x01", "http://evil.example/", "/tra-cuu/", "../../etc/passwd"])
def test_bad_input_never_fails(client, db, raw):
    response = client.get("/kiosk/ho-so/", {"ma": raw})
    assert response.status_code in (400, 404)
    assert "<script>alert" not in html_of(response)


def test_lookups_are_rate_limited_per_address(client, dossier, settings):
    settings.MOTCUA_KIOSK_LOOKUPS = 3
    for _ in range(3):
        assert client.get("/kiosk/ho-so/", {"ma": dossier.code}).status_code == 200
    limited = client.get("/kiosk/ho-so/", {"ma": dossier.code})
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1
    assert "Vui lòng chờ một chút" in html_of(limited) and "Yêu cầu bổ sung giấy tờ" not in html_of(limited)
    # Unknown codes count too (a scraper walking the sequence), and other kiosks are not affected.
    assert client.get("/kiosk/ho-so/", {"ma": "000.00.00.X00-260101-9999"}).status_code == 429
    assert client.get("/kiosk/ho-so/", {"ma": dossier.code}, REMOTE_ADDR="10.1.1.2").status_code == 200


def test_keyless_lookups_can_be_kept_to_the_kiosks_network(client, dossier, settings):
    settings.MOTCUA_KIOSK_NETWORKS = "10.20.0.0/24, 192.168.5.7"
    assert client.get("/kiosk/ho-so/", {"ma": dossier.code}, REMOTE_ADDR="10.20.0.15").status_code == 200
    refused = client.get("/kiosk/ho-so/", {"ma": dossier.code}, REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 403 and "Cần mã tra cứu" in html_of(refused)
    assert "Yêu cầu bổ sung giấy tờ" not in html_of(refused)
    qr = f"/tra-cuu/{dossier.code}?key={dossier.tracking_key}"
    assert client.get("/kiosk/ho-so/", {"ma": qr}, REMOTE_ADDR="203.0.113.9").status_code == 200


def test_it_reads_what_scanners_type():
    assert parse_scan("000.00.01.H12-261127-0007") == ("000.00.01.H12-261127-0007", "")
    assert parse_scan("https://dvc.example.vn/tra-cuu/000.00.01.H12-261127-0007?key=ab12cd") == (
        "000.00.01.H12-261127-0007", "AB12CD")
    assert parse_scan("/tra-cuu/000.00.01.H12-261127-0007") == ("000.00.01.H12-261127-0007", "")
    assert parse_scan("https://x/other/path?key=1") == ("", "1")


# --- catalogue ---------------------------------------------------------------------------------------


def test_it_browses_sectors_procedures_and_a_simple_procedure_page(client, catalog):
    sectors = html_of(client.get("/kiosk/linh-vuc/"))
    assert "Hộ tịch" in sectors and "/kiosk/linh-vuc/HT/" in sectors
    sector = html_of(client.get("/kiosk/linh-vuc/HT/"))
    assert "Đăng ký khai sinh" in sector and "/kiosk/thu-tuc/1.001193/" in sector
    page = client.get("/kiosk/thu-tuc/2.000488/")
    html = html_of(page)
    assert page.status_code == 200
    for text in ("Cấp Phiếu lý lịch tư pháp", "Nơi nộp hồ sơ", "Giấy tờ cần nộp", "Tờ khai yêu cầu cấp Phiếu",
                 "200.000 đ", "Thời gian giải quyết", "10 ngày làm việc", "<svg"):
        assert text in html, text
    assert "/dang-nhap/" not in html


def test_the_catalogue_pages_by_eight_with_big_buttons(client, many_procedures):
    first = html_of(client.get("/kiosk/linh-vuc/HT/"))
    assert first.count('class="tile-k tile-k--row"') == 8
    assert "Trang 1/4" in first and 'href="?trang=2"' in first
    last = html_of(client.get("/kiosk/linh-vuc/HT/?trang=4"))
    assert 0 < last.count('class="tile-k tile-k--row"') <= 8 and 'href="?trang=3"' in last


@pytest.mark.parametrize("url", ["/kiosk/linh-vuc/NOPE/", "/kiosk/thu-tuc/9.999999/", "/kiosk/linh-vuc/HT/?trang=abc",
                                 "/kiosk/linh-vuc/HT/?trang=-5", "/kiosk/thu-tuc/%3Cb%3E/",
                                 "/kiosk/thu-tuc/%00/", "/kiosk/linh-vuc/%00/", "/kiosk/ho-so/?ma=%00"])
def test_unknown_catalogue_pages_stay_in_the_kiosk(client, catalog, url):
    response = client.get(url)
    assert response.status_code in (200, 400, 404)
    assert "/dang-nhap/" not in html_of(response) and "kiosk/kiosk.js" in html_of(response)


def test_kiosk_pages_are_vietnamese_even_with_an_english_cookie(client, catalog, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = html_of(client.get("/kiosk/linh-vuc/"))
    assert "Chọn lĩnh vực" in html


def test_the_due_time_names_its_weekday_the_vietnamese_way(client, dossier):
    from motcua.core.dates import TZ

    html = html_of(client.get("/kiosk/ho-so/", {"ma": dossier.code}))
    due = dossier.due_at.astimezone(TZ)
    day = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"][due.weekday()]
    assert f"{day}, {due:%d/%m/%Y %H:%M}" in html


def test_the_kiosk_searches_like_the_portal(client, catalog):
    """#18: matches, or «Không tìm thấy thủ tục …» with the closest procedures as suggestions."""
    found = html_of(client.get("/kiosk/tim-thu-tuc/", {"q": "lam giay khai sinh"}))
    assert re.search(r"Tìm thấy \d+ thủ tục cho «lam giay khai sinh»", found)
    assert re.findall(r'href="/kiosk/thu-tuc/([^/]+)/"', found)[0] == "1.001193"  # first
    missing = client.get("/kiosk/tim-thu-tuc/", {"q": "<b>dang ky khai tu</b>"})
    assert missing.status_code == 200
    page = html_of(missing)
    assert "Không tìm thấy thủ tục «&lt;b&gt;dang ky khai tu&lt;/b&gt;»" in page
    assert "Gợi ý: thủ tục gần giống" in page
    assert "<b>dang" not in page
    for bad in ("\x00", "a" * 5000, "🙂"):
        assert client.get("/kiosk/tim-thu-tuc/", {"q": bad}).status_code == 200
    assert 'action="/kiosk/tim-thu-tuc/"' in html_of(client.get("/kiosk/linh-vuc/"))

