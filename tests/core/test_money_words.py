"""Amounts in Vietnamese words ("Bằng chữ: …" on receipts)."""

import pytest

from motcua.core.money import number_words, vnd_words


@pytest.mark.parametrize(("n", "words"), [
    (0, "không"),
    (1, "một"),
    (5, "năm"),
    (10, "mười"),
    (11, "mười một"),
    (15, "mười lăm"),
    (20, "hai mươi"),
    (21, "hai mươi mốt"),
    (24, "hai mươi bốn"),
    (25, "hai mươi lăm"),
    (100, "một trăm"),
    (105, "một trăm linh năm"),
    (110, "một trăm mười"),
    (1000, "một nghìn"),
    (1005, "một nghìn không trăm linh năm"),
    (8000, "tám nghìn"),
    (10_500, "mười nghìn năm trăm"),
    (75_000, "bảy mươi lăm nghìn"),
    (200_000, "hai trăm nghìn"),
    (1_000_005, "một triệu không trăm linh năm"),
    (1_250_000, "một triệu hai trăm năm mươi nghìn"),
    (2_000_000_000, "hai tỷ"),
    (2_000_001_000, "hai tỷ không trăm linh một nghìn"),
    (10**12, "một nghìn tỷ"),
])
def test_number_words(n, words):
    assert number_words(n) == words


def test_vnd_words_is_capitalised_in_dong():
    assert vnd_words(200_000) == "Hai trăm nghìn đồng"
    assert vnd_words(0) == "Không đồng"


@pytest.mark.parametrize("bad", [-1, 1.5, True, "5"])
def test_bad_numbers_are_refused(bad):
    with pytest.raises(ValueError):
        number_words(bad)
