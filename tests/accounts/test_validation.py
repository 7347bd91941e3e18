"""Plain rules for what people type: phones, e-mails, ID numbers, names."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from motcua.accounts import validation as v


@pytest.mark.parametrize(
    ("typed", "phone"),
    [("0912345678", "0912345678"), ("0912 345 678", "0912345678"), ("+84 912.345.678", "0912345678"),
     ("84912345678", "0912345678"), ("(091) 234-5678", "0912345678"), ("0387654321", "0387654321")],
)
def test_it_normalises_mobile_numbers(typed, phone):
    assert v.clean_mobile(typed) == phone


@pytest.mark.parametrize("typed", ["091234567", "09123456789", "0212345678", "1912345678", "09123abc78", "", "🙂"])
def test_it_refuses_what_is_not_a_mobile_number(typed):
    with pytest.raises(ValidationError) as error:
        v.clean_mobile(typed)
    assert "10 chữ số" in error.value.messages[0]


def test_it_recognises_a_phone_or_an_email():
    assert v.parse_contact(" An.Nguyen@Example.VN ") == v.Contact("email", "an.nguyen@example.vn")
    assert v.parse_contact("+84987654321") == v.Contact("phone", "0987654321")
    with pytest.raises(ValidationError):
        v.parse_contact("nguyen van an")
    with pytest.raises(ValidationError):
        v.parse_contact("an@")


def test_the_id_number_has_12_digits_and_its_birth_year():
    assert v.clean_id_number("096 090 001 234") == "096090001234"
    assert v.id_number_birth_year("096090001234") == 1990
    assert v.id_number_birth_year("001305000001") == 2005  # digit 4 = 3: a woman born in the 2000s
    with pytest.raises(ValidationError):
        v.clean_id_number("09609000123")
    with pytest.raises(ValidationError) as error:
        v.clean_id_number("096090001234", dt.date(1991, 1, 1))
    assert "1990" in error.value.messages[0]
    assert v.clean_id_number("096090001234", dt.date(1990, 12, 31)) == "096090001234"


@pytest.mark.parametrize("name", ["Nguyễn Văn An", "Đặng Thị Ánh-Tuyết", "H'Hen Niê", "  Lê   Văn  Tám "])
def test_names_with_vietnamese_letters_pass(name):
    assert v.clean_name(name) == " ".join(name.split())


@pytest.mark.parametrize("name", ["Nguyễn 🙂", "An1", "<script>", "' OR 1=1 --", "...", "a" * 101])
def test_names_with_digits_signs_or_emoji_are_refused(name):
    with pytest.raises(ValidationError):
        v.clean_name(name)


def test_a_birth_date_cannot_be_in_the_future():
    today = dt.date(2026, 11, 27)
    with pytest.raises(ValidationError):
        v.clean_date_of_birth(dt.date(2026, 11, 28), today)
    assert v.clean_date_of_birth(today, today) == today


def test_destinations_are_masked():
    assert v.mask_destination("0912345678") == "091*****78"
    assert v.mask_destination("an.nguyen@example.vn") == "a*******n@example.vn"
    assert v.mask_destination("ab@x.vn") == "a*@x.vn"
