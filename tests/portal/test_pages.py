"""The public portal's pages with the sample catalogue: home, catalogue, procedure, agencies."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LLTP = "2.000488"  # Cấp Phiếu lý lịch tư pháp…: 200.000 đ, 10 working days, a form
KHAI_SINH = "1.001193"  # Đăng ký khai sinh: free, same day with a 15:00 cut-off


def html(response) -> str:
    return response.content.decode()


def result_titles(response) -> list[str]:
    return re.findall(r'class="result__title"><a href="[^"]+">([^<]+)</a>', html(response))


# --- Home -------------------------------------------------------------------------------------


def test_it_renders_the_home_page_with_search_sectors_agencies_and_levels(client, catalog):
    response = client.get("/")
    assert response.status_code == 200
    page = html(response)
    assert '<html lang="vi">' in page
    assert 'href="#noi-dung"' in page and 'id="noi-dung"' in page  # skip link and its target
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in page
    # One search box with a label, a GET form to the catalogue: it works without JavaScript.
    assert f'action="{reverse("portal:procedures")}" method="get"' in page
    assert '<label class="search-form__label" for="q">' in page
    assert 'name="q"' in page
    # Sectors with their counts, agencies, the service levels explained.
    assert "Hộ tịch" in page and "?sector=HT" in page
    assert re.search(r"3 thủ tục</span><span aria-hidden=\"true\">3</span>", page)  # Hộ tịch: 3
    assert "Sở Tư pháp" in page and reverse("portal:agency", args=["000.00.15.H12"]) in page
    for level in range(1, 5):
        assert f"level-badge--{level}" in page
    assert "Nghị định 42/2022" in page
    assert "Cổng Dịch vụ công" in page  # site name in the header


def test_it_sorts_sectors_and_agencies_the_vietnamese_way_and_counts_each_procedure_once(client, catalog):
    page = html(client.get("/"))
    # "Đất đai" goes with D, before "Giải quyết…"; "Ủy ban…" with U, before "Văn phòng…".
    assert page.index(">Đất đai<") < page.index(">Giải quyết khiếu nại, tố cáo<")
    assert page.index(">Ủy ban nhân dân phường Tân Thành<") < page.index(">Văn phòng Đăng ký đất đai")
    # The ward implements and receives its 4 procedures: 4, not 8.
    tan_thanh = page[page.index(">Ủy ban nhân dân phường Tân Thành<"):]
    assert re.search(r'<span aria-hidden="true">4</span>', tan_thanh[:600])


def test_it_links_static_assets_from_the_repository(client, catalog):
    page = html(client.get("/"))
    assert "/static/vendor/bootstrap/bootstrap.min.css" in page
    assert "/static/vendor/bootstrap/bootstrap.bundle.min.js" in page
    assert "/static/core/css/motcua.css" in page
    assert "cdn" not in page.lower()
    assert "<script>" not in page  # no inline scripts: CSP-friendly


# --- Catalogue --------------------------------------------------------------------------------


def test_it_lists_published_procedures_with_code_level_agency_and_time(client, catalog):
    response = client.get(reverse("portal:procedures"))
    assert response.status_code == 200
    page = html(response)
    assert len(result_titles(response)) == len(catalog["procedures"])
    assert LLTP in page and "level-badge--4" in page
    assert "Sở Tư pháp" in page
    assert "10 ngày làm việc" in page and "Trong ngày" in page


def test_it_finds_the_criminal_record_procedure_first_without_diacritics(client, catalog):
    response = client.get(reverse("portal:procedures"), {"q": "ly lich tu phap"})
    assert response.status_code == 200
    titles = result_titles(response)
    assert titles, "no result"
    assert titles[0].startswith("Cấp Phiếu lý lịch tư pháp")
    assert "ly lich tu phap" in html(response)  # the query is shown back in the box


def test_it_ranks_with_diacritics_too(client, catalog):
    titles = result_titles(client.get(reverse("portal:procedures"), {"q": "Đăng ký kết hôn"}))
    assert titles[0] == "Đăng ký kết hôn"


@pytest.mark.parametrize(
    ("params", "expected", "absent"),
    [
        ({"sector": "HT"}, "Đăng ký khai sinh", "Cấp Phiếu lý lịch tư pháp"),
        ({"level": "1"}, "Giải quyết khiếu nại lần đầu", "Đăng ký khai sinh"),
        ({"subject": "business"}, "Đăng ký thành lập doanh nghiệp tư nhân", "Đăng ký khai sinh"),
        ({"agency": "000.00.01.H12"}, "Cấp Phiếu lý lịch tư pháp", "Đăng ký khai sinh"),
        ({"agency": "000.00.15.H12"}, "Cấp Phiếu lý lịch tư pháp", "Đăng ký kết hôn"),
    ],
)
def test_it_filters_the_catalogue(client, catalog, params, expected, absent):
    titles = " | ".join(result_titles(client.get(reverse("portal:procedures"), params)))
    assert expected in titles
    assert absent not in titles


def test_it_keeps_the_chosen_filters_in_the_form(client, catalog):
    page = html(client.get(reverse("portal:procedures"), {"sector": "HT", "level": "4", "subject": "citizen"}))
    assert '<option value="HT" selected>' in page
    assert '<option value="4" selected>' in page
    assert 'id="f-subject-citizen" value="citizen" checked' in page
    assert "Bộ lọc (3 đang áp dụng)" in page  # the summary says so even when folded on a phone


def test_it_paginates_by_20_and_keeps_query_and_filters_in_page_links(client, many_procedures):
    url = reverse("portal:procedures")
    # ("thủ tục" alone is a stop phrase since #18: it would list the whole sector.)
    first = client.get(url, {"q": "thu nghiem", "sector": "HT", "subject": "citizen"})
    assert len(result_titles(first)) == 20
    page = html(first)
    assert 'href="?q=thu+nghiem&amp;sector=HT&amp;subject=citizen&amp;page=2"' in page
    assert 'rel="next"' in page
    second = client.get(url, {"q": "thu nghiem", "sector": "HT", "subject": "citizen", "page": "2"})
    assert len(result_titles(second)) == 5
    assert set(result_titles(first)).isdisjoint(result_titles(second))
    assert 'aria-current="page"><span class="visually-hidden">Trang </span>2<' in html(second)
    assert 'href="?q=thu+nghiem&amp;sector=HT&amp;subject=citizen&amp;page=1"' in html(second)


@pytest.mark.parametrize(("page_param", "expected_page"), [("999999", 2), ("abc", 1), ("-1", 2), ("0", 2),
                                                            ("1e9", 1), ("", 1), ("2.5", 1)])
def test_it_clamps_odd_page_numbers(client, many_procedures, page_param, expected_page):
    response = client.get(reverse("portal:procedures"), {"page": page_param})
    assert response.status_code == 200
    assert response.context["page"].number == expected_page


EVIL = [
    "x" * 10_240,
    "<script>alert('xss')</script>",
    "' OR 1=1 --",
    "\"; DROP TABLE catalog_procedure; --",
    "ly lich 😀🇻🇳 tư pháp",
    "%_%\\",
    "\x00\x01 null",
    "a" * 300 + " " + "b " * 500,
]


@pytest.mark.parametrize("query", EVIL, ids=["10kB", "script", "sql-or", "sql-drop", "emoji", "like-wildcards",
                                             "control-chars", "many-words"])
def test_it_answers_absurd_queries_normally_and_escaped(client, catalog, query):
    response = client.get(reverse("portal:procedures"), {"q": query})
    assert response.status_code == 200
    page = html(response)
    assert "<script>alert" not in page
    if "<script>" in query:
        assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in page
    assert len(page) < 200_000


def test_it_shows_a_helpful_page_when_nothing_matches(client, catalog):
    response = client.get(reverse("portal:procedures"), {"q": "<b>zzqx</b>", "sector": "HT"})
    assert response.status_code == 200
    page = html(response)
    assert "Không tìm thấy thủ tục «&lt;b&gt;zzqx&lt;/b&gt;»" in page
    assert "<b>zzqx</b>" not in page
    assert 'href="/thu-tuc/?q=%3Cb%3Ezzqx%3C%2Fb%3E"' in page  # remove the filters, keep the words
    assert "Kiểm tra chính tả" in page
    assert "?sector=LLTP" in page  # browse by sector


@pytest.mark.parametrize(
    "params",
    [
        {"agency": "\x00"},
        {"agency": "' OR 1=1 --"},
        {"sector": "<script>"},
        {"level": "9"},
        {"level": "abc"},
        {"subject": "alien"},
        {"page": "9" * 40},
    ],
)
def test_it_ignores_unknown_filters(client, catalog, params):
    response = client.get(reverse("portal:procedures"), params)
    assert response.status_code == 200
    assert len(result_titles(response)) == len(catalog["procedures"])


# --- Procedure page ---------------------------------------------------------------------------


def test_it_shows_everything_a_citizen_needs_on_the_procedure_page(client, catalog):
    response = client.get(reverse("portal:procedure", args=[LLTP]))
    assert response.status_code == 200
    page = html(response)
    assert "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam" in page
    assert LLTP in page and "Lý lịch tư pháp" in page  # code and sector
    assert "Mức độ 4" in page and "Dịch vụ công trực tuyến toàn trình" in page  # level, 2022 class
    assert "Công dân" in page
    assert "10 ngày làm việc" in page
    assert "200.000 đ" in page and "Sinh viên, người có công: 100.000 đồng" in page
    # Where to submit: the receiving agency, linked, with its address; and the implementing one.
    assert reverse("portal:agency", args=["000.00.01.H12"]) in page
    assert "Trung tâm Phục vụ hành chính công tỉnh Cà Mau" in page
    assert "Sở Tư pháp" in page
    # Components as a table with headers.
    assert '<th scope="col" role="columnheader">Tên giấy tờ</th>' in page
    assert "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp theo mẫu" in page
    assert "Bản chụp giấy tờ tùy thân" in page and "Bản sao" in page
    assert "Bắt buộc" in page
    # Legal basis as a list, result, workflow steps as a timeline.
    assert "<li>Luật Lý lịch tư pháp 2009</li>" in page
    assert "<li>Thông tư 244/2016/TT-BTC</li>" in page
    assert "Phiếu lý lịch tư pháp số 1 hoặc số 2" in page
    assert '<ol class="timeline">' in page
    assert "Thẩm định hồ sơ" in page and "Chuyên viên" in page and "56 giờ làm việc" in page
    # The form has no file yet: no download link.
    assert "Mẫu đang cập nhật" in page
    assert "/bieu-mau/" not in page


def test_it_shows_free_fees_and_the_cutoff_note(client, catalog):
    page = html(client.get(reverse("portal:procedure", args=[KHAI_SINH])))
    assert "Miễn phí" in page
    assert "Trong ngày" in page
    assert "Hồ sơ nhận sau 15:00 được tính từ ngày làm việc tiếp theo." in page


@pytest.mark.parametrize(("code", "amount"), [("2.000635", "8.000 đ"), ("1.009974", "75.000 đ"),
                                              ("2.001610", "100.000 đ"), ("2.000815", "2.000 đ")])
def test_it_formats_fees_the_vietnamese_way(client, catalog, code, amount):
    assert amount in html(client.get(reverse("portal:procedure", args=[code])))


def test_it_estimates_the_due_date_when_the_working_calendar_is_there(client, catalog, monkeypatch):
    import datetime as dt
    from types import SimpleNamespace

    from django.utils import timezone

    from motcua.catalog import deadlines as services

    due = timezone.make_aware(dt.datetime(2026, 12, 3, 9, 15))
    monkeypatch.setattr(services, "due_for_case", lambda case, start=None: SimpleNamespace(due=due, confirmed=True))
    page = html(client.get(reverse("portal:procedure", args=[LLTP])))
    assert "Nếu nộp hồ sơ bây giờ, hạn trả kết quả dự kiến: <strong>Thứ Năm, 03/12/2026 09:15</strong>" in page
    assert "chưa được cơ quan xác nhận" not in page


def test_it_says_when_the_calendar_is_not_confirmed(client, catalog, monkeypatch):
    import datetime as dt
    from types import SimpleNamespace

    from django.utils import timezone

    from motcua.catalog import deadlines as services

    due = timezone.make_aware(dt.datetime(2026, 12, 6, 17, 0))
    monkeypatch.setattr(services, "due_for_case", lambda case, start=None: SimpleNamespace(due=due, confirmed=False))
    page = html(client.get(reverse("portal:procedure", args=[LLTP])))
    assert "Chủ nhật, 06/12/2026 17:00" in page
    assert "chưa được cơ quan xác nhận" in page


def test_it_keeps_the_page_when_the_estimate_fails(client, catalog, monkeypatch):
    from motcua.catalog import deadlines as services


    def broken(case, start=None):
        raise RuntimeError("calendar table missing")

    monkeypatch.setattr(services, "due_for_case", broken)
    response = client.get(reverse("portal:procedure", args=[LLTP]))
    assert response.status_code == 200
    assert "Nếu nộp hồ sơ bây giờ" not in html(response)


def test_it_shows_guides_videos_and_faqs(client, catalog, media_root):
    from django.core.files.base import ContentFile

    from motcua.catalog.models import FAQ, Guide, Procedure

    version = Procedure.objects.get(code=LLTP).published
    clip = Guide(version=version, order=0, title="Cách điền tờ khai", body="Điền đủ các mục.\nKý tên.")
    clip.video.save("huong-dan.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42fake"), save=True)
    Guide.objects.create(version=version, order=1, title="Video trên mạng", video_url="https://example.org/v")
    Guide.objects.create(version=version, order=2, title="Liên kết xấu", video_url="javascript:alert(1)")
    FAQ.objects.create(version=version, question="Bao lâu có kết quả?", answer="Trong 10 ngày làm việc.")
    page = html(client.get(reverse("portal:procedure", args=[LLTP])))
    video_url = reverse("portal:guide_video", args=[clip.pk])
    assert f'<video controls preload="metadata" src="{video_url}"' in page
    assert 'href="https://example.org/v"' in page
    assert "javascript:" not in page
    assert "<details>" in page and "<summary>Bao lâu có kết quả?</summary>" in page
    assert "Điền đủ các mục.<br>Ký tên." in page
    video = client.get(video_url)
    assert video.status_code == 200
    assert video["Content-Type"] == "video/mp4"
    assert b"".join(video.streaming_content).endswith(b"fake")


def test_it_answers_404_in_vietnamese_for_an_unknown_procedure(client, catalog):
    response = client.get(reverse("portal:procedure", args=["9.999999"]))
    assert response.status_code == 404
    page = html(response)
    assert "Không tìm thấy trang" in page
    assert '<html lang="vi">' in page
    assert 'name="q"' in page  # offers a search


@pytest.mark.parametrize("code", ["<script>", "x" * 500, "' OR 1=1 --", "😀"])
def test_it_answers_404_for_odd_codes(client, catalog, code):
    response = client.get(f"/thu-tuc/{code}/")
    assert response.status_code == 404
    assert "<script>" not in html(response).split("</head>")[1]


def test_it_hides_a_procedure_without_a_published_version(client, catalog):
    from motcua.catalog.actions import retire_version
    from motcua.catalog.models import Procedure

    retire_version(Procedure.objects.get(code=LLTP).published)
    assert client.get(reverse("portal:procedure", args=[LLTP])).status_code == 404
    assert "lý lịch tư pháp cho công dân" not in html(client.get(reverse("portal:procedures")))


# --- Forms ------------------------------------------------------------------------------------


def test_it_offers_and_serves_a_form_as_an_attachment(client, form_with_file):
    page = html(client.get(reverse("portal:procedure", args=[LLTP])))
    url = form_with_file.get_absolute_url()
    assert f'href="{url}"' in page
    assert "Tải biểu mẫu (1)" in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response["Content-Disposition"] == 'attachment; filename="to-khai-ly-lich-tu-phap.docx"'
    body = b"".join(response.streaming_content)
    assert body.startswith(b"PK")  # a .docx is a zip


def test_it_refuses_a_form_with_the_wrong_name_or_no_file(client, form_with_file):
    from motcua.catalog.models import FormTemplate

    wrong = reverse("portal:form_download", args=[form_with_file.pk, "other.docx"])
    assert client.get(wrong).status_code == 404
    assert client.get(reverse("portal:form_download", args=[99999, "x.docx"])).status_code == 404
    empty = FormTemplate.objects.get(filename="to-khai-dang-ky-khai-sinh.docx")
    assert client.get(empty.get_absolute_url()).status_code == 404
    # The file went missing from storage: 404, not 500.
    form_with_file.file.storage.delete(form_with_file.file.name)
    assert client.get(form_with_file.get_absolute_url()).status_code == 404


# --- Agencies ---------------------------------------------------------------------------------


def test_it_lists_agencies_as_a_tree(client, catalog):
    response = client.get(reverse("portal:agencies"))
    assert response.status_code == 200
    page = html(response)
    assert page.count('class="tile"') == len(catalog["agencies"])
    province = page.index("Ủy ban nhân dân tỉnh Cà Mau")
    assert province < page.index("Sở Tư pháp")
    assert page.count("<ul") >= 2  # nested list under the province


def test_it_shows_an_agency_with_contact_and_its_procedures(client, catalog):
    from motcua.agencies.models import Agency

    Agency.objects.filter(unit_code="000.00.01.H12").update(phone="0290 3 123 456", email="tthcc@camau.gov.vn")
    response = client.get(reverse("portal:agency", args=["000.00.01.H12"]))
    assert response.status_code == 200
    page = html(response)
    assert "Trung tâm Phục vụ hành chính công tỉnh Cà Mau" in page
    assert 'href="tel:02903123456"' in page and "mailto:tthcc@camau.gov.vn" in page
    titles = " | ".join(result_titles(response))
    assert "Cấp Phiếu lý lịch tư pháp" in titles  # received there
    assert "Đăng ký khai sinh" not in titles


def test_it_paginates_an_agencys_procedures(client, many_procedures):
    url = reverse("portal:agency", args=["000.21.01.H12"])
    first = client.get(url)
    assert len(result_titles(first)) == 20
    assert 'href="?page=2"' in html(first)
    assert len(result_titles(client.get(url, {"page": "2"}))) == 4 + 25 - 20


def test_it_answers_404_for_an_unknown_agency(client, catalog):
    response = client.get(reverse("portal:agency", args=["999.99.99.X"]))
    assert response.status_code == 404
    assert "Không tìm thấy trang" in html(response)


# --- Language -------------------------------------------------------------------------------


def test_it_switches_to_english_and_back(client, catalog):
    response = client.get("/ngon-ngu/en/", {"next": "/thu-tuc/"})
    assert response.status_code == 302
    assert response["Location"] == "/thu-tuc/"
    page = html(client.get("/"))
    assert '<html lang="en">' in page
    assert "Find an administrative procedure" in page
    assert "Skip to main content" in page
    assert "Procedures by sector" in page
    detail = html(client.get(reverse("portal:procedure", args=[KHAI_SINH])))
    assert "Documents to submit" in detail
    assert "Free of charge" in detail
    assert "Applications received after 15:00 are counted from the next working day." in detail
    missing = html(client.get(reverse("portal:procedure", args=["0.000000"])))
    assert "Page not found" in missing
    client.get("/ngon-ngu/vi/", {"next": "/"})
    assert "Tra cứu thủ tục hành chính" in html(client.get("/"))


def test_it_has_a_language_switch_made_of_links(client, catalog):
    page = html(client.get("/thu-tuc/?q=a"))
    assert 'href="/ngon-ngu/en/?next=/thu-tuc/%3Fq%3Da"' in page
    assert 'href="/ngon-ngu/vi/?next=/thu-tuc/%3Fq%3Da"' in page
    # No form in the header: public pages set no CSRF cookie and stay cacheable.
    assert "csrftoken" not in client.get("/").cookies


def test_it_speaks_vietnamese_to_an_english_browser(client, catalog):
    page = html(client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"))
    assert '<html lang="vi">' in page


def test_it_refuses_to_redirect_elsewhere_after_switching(client, db):
    response = client.get("/ngon-ngu/en/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"
    response = client.get("/ngon-ngu/xx/", {"next": "/thu-tuc/"})
    assert response["Location"] == "/thu-tuc/"
    assert "motcua_language" not in response.cookies


# --- Queries ----------------------------------------------------------------------------------


def test_it_keeps_the_catalogue_to_a_few_queries(client, many_procedures, django_assert_max_num_queries):
    # The search index is built once per process and catalogue version (a few queries); then a
    # search reads the version (one query) and loads its page.
    client.get(reverse("portal:procedures"), {"q": "khai sinh"})
    with django_assert_max_num_queries(6):
        response = client.get(reverse("portal:procedures"), {"q": "thu nghiem", "sector": "HT"})
    assert len(result_titles(response)) == 20


def test_it_keeps_the_home_page_to_a_few_queries(client, many_procedures, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        client.get("/")


def test_it_keeps_the_procedure_page_to_a_few_queries(client, catalog, form_with_file, monkeypatch,
                                                       django_assert_max_num_queries):
    from motcua.catalog.models import FAQ, Guide, Procedure

    version = Procedure.objects.get(code=LLTP).published
    for i in range(5):
        Guide.objects.create(version=version, order=i, title=f"Hướng dẫn {i}")
        FAQ.objects.create(version=version, order=i, question=f"Câu hỏi {i}?", answer="Trả lời.")
    from motcua.catalog import deadlines as services

    monkeypatch.setattr(services, "due_for_case", lambda case, start=None: None)  # the page's own queries
    with django_assert_max_num_queries(8):
        response = client.get(reverse("portal:procedure", args=[LLTP]))
    assert response.status_code == 200


def test_it_keeps_the_procedure_page_cheap_with_the_due_estimate(client, catalog, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        response = client.get(reverse("portal:procedure", args=[LLTP]))
    assert response.status_code == 200


def test_it_keeps_agency_pages_to_a_few_queries(client, many_procedures, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        client.get(reverse("portal:agencies"))
    client.get(reverse("portal:procedures"), {"q": "khai sinh"})  # the search index, built once
    with django_assert_max_num_queries(6):
        client.get(reverse("portal:agency", args=["000.21.01.H12"]))
