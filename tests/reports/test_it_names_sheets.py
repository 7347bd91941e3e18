"""XLSX exports: Excel-valid sheet names shortened at a word boundary and unique in a workbook,
and the rows straight under the header (no blank row)."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from motcua.reports import exports
from motcua.reports.exports import MAX_SHEET_TITLE, Table, sheet_name

from .conftest import MARCH

FORBIDDEN = set('[]:*?/\\')


def names(*titles: str) -> list[str]:
    used: set[str] = set()
    return [sheet_name(t, used) for t in titles]


def test_a_long_title_is_cut_at_a_word_boundary():
    assert names("Tổng hợp tình hình giải quyết hồ sơ") == ["Tổng hợp tình hình giải quyết"]


def test_a_slash_becomes_a_dash_instead_of_vanishing():
    assert names("Chỉ số QĐ 766/QĐ-TTg") == ["Chỉ số QĐ 766-QĐ-TTg"]


def test_other_forbidden_characters_are_replaced_readably():
    assert names("Kỳ: tháng 3", "[Nháp] bảng*", "Có quá hạn?") == ["Kỳ - tháng 3", "(Nháp) bảng", "Có quá hạn"]


def test_a_short_title_is_kept_as_it_is():
    assert names("Theo thủ tục") == ["Theo thủ tục"]


def test_repeats_get_a_number_and_stay_within_the_limit():
    title = "Hồ sơ đang xử lý theo bước của từng cán bộ"
    first, second, third = names(title, title, title.upper())
    assert first == "Hồ sơ đang xử lý theo bước của"
    assert second == "Hồ sơ đang xử lý theo bước (2)"
    assert third == "HỒ SƠ ĐANG XỬ LÝ THEO BƯỚC (3)"  # Excel compares names without case


def test_one_long_word_is_cut_hard_and_an_empty_title_gets_a_name():
    assert names("x" * 40, "", "  ///  ") == ["x" * 31, "Bảng", "---"]


def test_decomposed_vietnamese_counts_as_composed():
    title = "Tiếp nhận trực tuyến theo tháng"  # 31 characters composed, 39 decomposed
    assert names(unicodedata.normalize("NFD", title)) == [title]


@given(st.lists(st.text(max_size=80), max_size=12))
def test_any_titles_give_valid_unique_names(titles):
    result = names(*titles)
    assert len({n.casefold() for n in result}) == len(result)
    for name in result:
        assert 1 <= len(name) <= MAX_SHEET_TITLE
        assert not FORBIDDEN & set(name)
        assert not name.startswith("'") and not name.endswith("'")
        assert name == name.strip()


words = st.text(alphabet="abcdeghiklmnopqrstuvxyàáảãạăâđêôơưốờ", min_size=1, max_size=12)


@given(st.lists(words, min_size=1, max_size=10))
def test_a_title_of_words_is_never_cut_inside_a_word(parts):
    title = " ".join(parts)
    (name,) = names(title)
    if len(title) <= MAX_SHEET_TITLE:
        assert name == title
    elif len(parts[0]) <= MAX_SHEET_TITLE:
        # A prefix made of whole words.
        assert title.startswith(name) and title[len(name)] == " "


def test_the_workbook_has_no_blank_row_under_the_header():
    book = load_workbook(io.BytesIO(exports.to_xlsx([
        Table("Tổng hợp tình hình giải quyết hồ sơ", ["Chỉ tiêu", "Số hồ sơ"], [["Tiếp nhận", 4], ["Xong", 2]],
              ["Kỳ: 03/2026"]),
        Table("Tổng hợp tình hình giải quyết hồ sơ", ["Ngày", "Tổng"], [[dt.date(2026, 3, 2), 1]]),
    ])))
    assert book.sheetnames == ["Tổng hợp tình hình giải quyết", "Tổng hợp tình hình giải (2)"]
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows == [("Tổng hợp tình hình giải quyết hồ sơ", None), ("Kỳ: 03/2026", None),
                    ("Chỉ tiêu", "Số hồ sơ"), ("Tiếp nhận", 4), ("Xong", 2)]
    assert book.worksheets[0].freeze_panes == "A4"
    second = list(book.worksheets[1].iter_rows(values_only=True))
    assert second[1] == ("Ngày", "Tổng") and second[2] == (dt.datetime(2026, 3, 2), 1)


def test_an_official_form_lays_out_its_own_sheet():
    def form(sheet, table):
        sheet.append(["Mẫu số 07"])
        sheet.merge_cells("A1:C1")

    book = load_workbook(io.BytesIO(exports.to_xlsx([Table("Sổ theo dõi", ["a"], [], xlsx_layout=form)])))
    assert list(book.worksheets[0].iter_rows(values_only=True)) == [("Mẫu số 07", None, None)]


def test_the_indicator_export_names_its_sheets_readably(histories, people, login):
    response = login(people.leader).get(f"/can-bo/thong-ke/chi-so/?{urlencode({**MARCH, 'format': 'xlsx'})}")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Chỉ số QĐ 766-QĐ-TTg", "Chỉ số theo cơ quan tiếp nhận"]
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "Chỉ số")
    assert rows[header + 1][0] and rows[header + 1][0] != "Chỉ số"  # the first indicator, not a blank


def test_the_dashboard_export_has_no_blank_row_and_whole_words(histories, people, login):
    response = login(people.leader).get(f"/can-bo/thong-ke/?{urlencode({**MARCH, 'format': 'xlsx'})}")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "Tổng hợp tình hình giải quyết"
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "Chỉ tiêu")
    assert rows[header + 1][0] == "Tiếp nhận trong kỳ"
