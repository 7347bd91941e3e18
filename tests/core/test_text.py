import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.core.text import fold, lower_words, query_words


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Lý lịch Tư pháp", "ly lich tu phap"),
        ("ĐĂNG KÝ KHAI SINH", "dang ky khai sinh"),
        ("Đất đai", "dat dai"),
        ("Giấy chứng nhận quyền sử dụng đất", "giay chung nhan quyen su dung dat"),
        ("Chứng thực bản sao (từ bản chính)", "chung thuc ban sao tu ban chinh"),
        ("Nghị định 123/2015/NĐ-CP", "nghi dinh 123 2015 nd cp"),
        ("  nhiều   khoảng   trắng ", "nhieu khoang trang"),
        ("hộ kinh doanh 🏪", "ho kinh doanh"),
        ("", ""),
        (None, ""),
    ],
)
def test_it_folds_vietnamese(text, folded):
    assert fold(text) == folded


def test_it_folds_decomposed_input_like_precomposed():
    # Some keyboards send combining marks (NFD); the result must be the same.
    import unicodedata

    assert fold(unicodedata.normalize("NFD", "Hộ tịch")) == fold("Hộ tịch") == "ho tich"


def test_it_keeps_diacritics_in_lower_words():
    assert lower_words("Cấp Phiếu LÝ LỊCH tư pháp!") == "cấp phiếu lý lịch tư pháp"


def test_it_caps_absurd_queries():
    words = query_words("a " * 10_000)
    assert words == ["a"]
    many = query_words(" ".join(f"w{i}" for i in range(100)))
    assert len(many) == 12


@given(st.text())
def test_it_folds_to_ascii_words_only(text):
    folded = fold(text)
    assert folded == fold(folded)
    assert all(ch.isascii() and (ch.isalnum() or ch == " ") for ch in folded)
