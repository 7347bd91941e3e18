"""The pure normalisation of search (catalog/normalize.py): direct and property tests."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.catalog import normalize
from motcua.catalog.normalize import Rules, iy, key, parse_query, syllables
from motcua.core.text import fold

RULES = Rules.from_pairs([
    ("cccd", "thẻ căn cước"), ("sổ đỏ", "giấy chứng nhận quyền sử dụng đất"), ("tnhh", "trách nhiệm hữu hạn"),
    ("cải chính hộ tịch", "cải chính, thông tin hộ tịch"), ("xin phép xây nhà", "giấy phép xây dựng"),
])


def plain(text: str) -> tuple:
    """The first reading: what was typed, without synonyms."""
    return parse_query(text, RULES).readings[0]


@pytest.mark.parametrize(("syllable", "expected"), [
    ("ly", "li"), ("ky", "ki"), ("my", "mi"), ("quy", "qui"), ("hy", "hi"), ("sy", "si"), ("ty", "ti"),
    ("y", "y"), ("thuy", "thuy"), ("tuy", "tuy"), ("huy", "huy"), ("hay", "hay"), ("quyen", "quyen"),
    ("ky", "ki"), ("nghy", "nghi"),
])
def test_a_syllable_ending_in_consonant_y_is_read_with_i(syllable, expected):
    assert iy(syllable) == expected


@pytest.mark.parametrize(("a", "b"), [
    ("Đăng ký khai sinh", "dang ki khai sinh"), ("lý lịch tư pháp", "lí lịch tư pháp"), ("kỹ thuật", "kĩ thuật"),
    ("Mỹ", "mĩ"), ("quy định", "qui dinh"), ("ĐĂNG KÝ", "đăng kí"),
    ("công ty TNHH 1 thành viên", "cong ty tnhh mot thanh vien"),
    ("09 số", "9 so"),
])
def test_both_spellings_read_the_same(a, b):
    assert key(a) == key(b)


def test_it_drops_stop_phrases_and_splits_there():
    assert plain("thủ tục đăng ký khai sinh cho con mất bao lâu") == (("dang", "ki", "khai", "sinh"),)
    assert plain("cấp phiếu lý lịch tư pháp cần giấy tờ gì") == (("cap", "phieu", "li", "lich", "tu", "phap"),)
    assert plain("đăng ký tạm trú online được không") == (("dang", "ki", "tam", "tru"),)
    assert plain("khai sinh cho con") == (("khai", "sinh"),)


@pytest.mark.parametrize("text", ["giấy khai sinh bị mất", "nhận con nuôi", "đăng ký nhận cha, mẹ, con",
                                  "nhà ở xã hội", "vay vốn", "căn cước", "di chúc"])
def test_it_never_drops_a_single_syllable_from_the_middle(text):
    assert plain(text) == (tuple(syllables(text)),)


def test_places_are_dropped_only_at_the_end():
    assert plain("làm di chúc ở xã") == (("di", "chuc"),)
    assert plain("nhà ở xã hội") == (("nha", "o", "xa", "hoi"),)


def test_it_reads_chat_spelling():
    assert plain("dang ky tam tru online dc ko") == (("dang", "ki", "tam", "tru"),)
    assert plain("xin giay phep xay dung can j") == (("giay", "phep", "xay", "dung"),)
    assert plain("ly lich tu phap lam o dau z") == (("li", "lich", "tu", "phap"),)
    assert plain("lam ho chieu mat bn ngay") == (("ho", "chieu"),)
    assert plain("dk ket hon") == (("dang", "ki", "ket", "hon"),)


def test_synonyms_make_a_second_reading_of_their_own_segments():
    readings = parse_query("cap lai cccd", RULES).readings
    assert readings[0] == (("cap", "lai", "cccd"),)
    assert readings[1] == (("cap", "lai"), ("the", "can", "cuoc"))
    assert parse_query("cải chính hộ tịch", RULES).readings[1] == (("cai", "chinh"), ("thong", "tin", "ho", "tich"))
    # A synonym that opens with a filler verb is still found ("xin" is dropped only otherwise).
    assert parse_query("xin phép xây nhà", RULES).readings[1] == (("giay", "phep", "xay", "dung"),)


def test_a_query_of_stop_phrases_is_empty_and_one_of_function_words_is_vacuous():
    assert parse_query("thủ tục", RULES).empty and not parse_query("thủ tục", RULES).vacuous
    assert parse_query("xin việc", RULES).vacuous


def test_the_catalogue_side_reads_abbreviations_and_optional_words():
    readings = normalize.index_readings("Đăng ký thành lập công ty TNHH một thành viên", RULES)
    assert ["dang", "ki", "thanh", "lap", "cong", "ti", "tnhh", "mot", "thanh", "vien"] in readings
    assert ["dang", "ki", "thanh", "lap", "cong", "ti", "trach", "nhiem", "huu", "han", "mot", "thanh",
            "vien"] in readings
    # without the optional words
    assert ["cong", "ti", "trach", "nhiem", "huu", "han", "mot", "thanh", "vien"] in readings
    # An official name gets abbreviations only, never colloquial rewrites.
    assert normalize.index_readings("Cấp giấy chứng nhận quyền sử dụng đất", Rules.from_pairs([("cấp", "xin")])) == [
        ["cap", "giay", "chung", "nhan", "quyen", "su", "dung", "dat"]]


def _osa(a: str, b: str) -> int:
    """Reference optimal string alignment distance (dynamic programming)."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


words = st.text(alphabet="abcdghnotu", min_size=0, max_size=8)


@given(words, words)
@settings(max_examples=400, deadline=None)
def test_edit_distance_one_agrees_with_the_reference(a, b):
    assert normalize.osa_distance_at_most_one(a, b) == (_osa(a, b) <= 1)


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_parsing_any_text_is_bounded_and_never_fails(text):
    query = parse_query(text, RULES)
    assert len(query.words) <= normalize.MAX_QUERY_SYLLABLES * 3
    for reading in query.readings:
        for segment in reading:
            assert segment and all(w == w.strip() and w for w in segment)


LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ "
vietnamese = st.text(alphabet=LETTERS, max_size=60)


@given(vietnamese)
@settings(max_examples=300, deadline=None)
def test_normalising_ignores_diacritics_and_is_idempotent(text):
    assert key(text) == key(fold(text))
    assert key(key(text)) == key(text)
    assert key(text.upper()) == key(text)


@given(vietnamese)
@settings(max_examples=200, deadline=None)
def test_the_plain_reading_keeps_the_order_of_the_words(text):
    query = parse_query(text, Rules())
    if query.readings:
        flat = [w for seg in query.readings[0] for w in seg]
        typed = syllables(text)
        # every kept word is a typed word, in the typed order (a subsequence)
        it = iter(normalize._chat(typed))
        assert all(any(w == t for t in it) for w in flat)
