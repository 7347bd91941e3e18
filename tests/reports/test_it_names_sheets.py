"""XLSX exports: Excel-valid sheet names shortened at a word boundary and unique in a workbook,
and the rows straight under the header (no blank row)."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from urllib.parse import urlencode

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from motcua.reports import exports
from motcua.reports.exports import MAX_SHEET_TITLE, Table, sheet_name
from motcua.reports.metrics import DASHBOARD_METRICS, METRIC_LABELS
from motcua.reports.views import (
    INDICATORS_BY_AGENCY_TITLE,
    INDICATORS_TITLE,
    TABLE_TITLES,
)

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
    assert first == "Hồ sơ đang xử lý theo bước"  # not "… theo bước của": "của" cannot end a name
    assert second == "Hồ sơ đang xử lý theo bước (2)"
    assert third == "HỒ SƠ ĐANG XỬ LÝ THEO BƯỚC (3)"  # Excel compares names without case


# Every title the exports give a sheet: the tables' own and the figures' labels (a drill-down
# list is titled by its figure). Their sheets are named in Vietnamese, the language of the files.
REAL_TITLES = [*TABLE_TITLES, *(label for label, _indicator in METRIC_LABELS.values())]


def _parentheticals(title: str) -> list[str]:
    return re.findall(r"\([^()]*\)", title)


def test_every_real_title_gets_a_whole_short_name():
    with translation.override("vi"):
        titles = [str(t) for t in REAL_TITLES]
        for title in titles:
            for reserve in ("", " (2)", " (10)"):
                used = {sheet_name(title, set()).casefold()} if reserve else set()
                if reserve == " (10)":
                    used |= {f"{sheet_name(title, set())} ({n})".casefold() for n in range(2, 10)}
                name = sheet_name(title, used)
                assert len(name) <= MAX_SHEET_TITLE, name
                assert name.count("(") == name.count(")") and _open(name) == 0, name
                assert not re.search(r"[\s,;:\-–(]$", name), name
                stem = re.sub(r" \(\d+\)$", "", name) if reserve else name
                # A bracketed part of the title is either whole in the name or not there at all:
                # never "… (phần", "… (chờ bổ", "… (kết thúc".
                for part in _parentheticals(title):
                    inner = part[1:-1].split()[0]
                    assert part in stem or f"({inner}" not in stem, (title, name)
                # A name is the beginning of its title (nothing invented), made of whole syllables.
                clean = title.replace("/", "-")
                assert clean.startswith(stem) or _without_brackets(clean).startswith(stem), (title, name)
                rest = (_without_brackets(clean) if not clean.startswith(stem) else clean)[len(stem):]
                assert rest == "" or rest[0] in " ,(", (title, name)


def _open(name: str) -> int:
    depth = 0
    for ch in name:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        assert depth >= 0, name
    return depth


def _without_brackets(title: str) -> str:
    return re.sub(r"\s*\([^()]*\)", "", title)


def test_the_reviewers_examples_end_at_a_phrase():
    assert names("Đang xử lý, sắp đến hạn (phần cuối định mức của bước)") == ["Đang xử lý, sắp đến hạn"]
    assert names("Đang tạm dừng tính giờ (chờ bổ sung, nghĩa vụ tài chính)") == ["Đang tạm dừng tính giờ"]
    assert names("Tiếp nhận trong kỳ, thủ tục có phí") == ["Tiếp nhận trong kỳ"]
    assert names("Hồ sơ tính chỉ số 2.1 (kết thúc trong kỳ hoặc đang xử lý cuối kỳ)") == ["Hồ sơ tính chỉ số 2.1"]
    # A bracketed part that fits stays, and a short one before the cut is not dropped.
    assert names("Hồ sơ đúng hạn (chỉ số 2.1)") == ["Hồ sơ đúng hạn (chỉ số 2.1)"]
    assert names("Sổ (mẫu 07) theo dõi hồ sơ của bộ phận một cửa") == ["Sổ (mẫu 07) theo dõi hồ sơ"]


def test_a_cut_that_would_leave_too_little_is_not_taken():
    (name,) = names("a'b " + "x" * 40)
    assert name == ("a'b " + "x" * 40)[:MAX_SHEET_TITLE]
    (name,) = names("Sổ " + "x" * 40)
    assert len(name) == MAX_SHEET_TITLE


def test_the_sheets_of_one_export_have_different_names():
    with translation.override("vi"):
        for workbook in ([str(t) for t in TABLE_TITLES[:5]],
                         [str(INDICATORS_TITLE), str(INDICATORS_BY_AGENCY_TITLE)],
                         [str(t) for t in TABLE_TITLES]):
            plain = [sheet_name(t, set()) for t in workbook]
            assert len({n.casefold() for n in plain}) == len(plain), plain
        # The drill-down lists (one sheet each) are named apart too, but for one pair whose
        # distinguishing words do not fit: "Tiếp nhận trong kỳ, thủ tục có phí" (the full title is
        # the sheet's first row).
        figures = {k: sheet_name(str(label), set()) for k, (label, _i) in METRIC_LABELS.items()}
        assert set(DASHBOARD_METRICS) <= set(figures)
        by_name: dict[str, list[str]] = {}
        for key, name in figures.items():
            by_name.setdefault(name.casefold(), []).append(key)
        assert [keys for keys in by_name.values() if len(keys) > 1] == [["received", "i_fee"]]


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
