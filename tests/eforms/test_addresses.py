"""The address list: the shipped one, and the national one in either format."""

from __future__ import annotations

import json

import pytest

from motcua.eforms import addresses
from motcua.eforms.schema import clean_data


def test_the_shipped_list_has_34_provinces_and_the_communes_of_ca_mau():
    book = addresses.shipped_book()
    assert len(book.provinces) == 34
    ca_mau = book.province("96")
    assert ca_mau.name == "Tỉnh Cà Mau"
    assert len(ca_mau.communes) == 64
    assert ca_mau.communes["32025"].name == "Phường Tân Thành"
    assert book.province("79").communes is None  # typed commune
    assert [p.name for p in book.province_list()][:2] == ["Tỉnh An Giang", "Tỉnh Bắc Ninh"]


def test_it_finds_province_and_commune_in_text():
    book = addresses.shipped_book()
    province, commune, rest = book.find_in_text("Ấp Tân Hòa, xã dam doi, CA MAU")
    assert (province.code, commune.code, rest) == ("96", "32152", "Ấp Tân Hòa")
    assert book.find_in_text("") == (None, None, "")


def test_it_loads_the_vietnam_provinces_format(tmp_path, settings):
    national = [{"name": "Cà Mau", "code": 96, "division_type": "tỉnh",
                 "wards": [{"name": "Phường An Xuyên", "code": 32002}]},
                {"name": "Thành phố Hà Nội", "code": 1, "division_type": "thành phố trung ương",
                 "wards": [{"name": "Phường Hoàn Kiếm", "code": 70}]}]
    path = tmp_path / "nested-divisions.json"
    path.write_text(json.dumps(national, ensure_ascii=False), encoding="utf-8")
    settings.MOTCUA_ADDRESS_FILE = str(path)
    book = addresses.address_book()
    assert book.province("01").communes["00070"].name == "Phường Hoàn Kiếm"
    assert book.province("96").name == "Tỉnh Cà Mau"
    schema = [{"key": "a", "label": "Địa chỉ", "type": "address", "required": True}]
    cleaned, errors = clean_data(schema, {"a": {"province": "01", "commune": "00070"}})
    assert errors == {} and cleaned["a"]["commune_name"] == "Phường Hoàn Kiếm"


def test_a_province_without_a_list_takes_a_typed_commune():
    schema = [{"key": "a", "label": "Địa chỉ", "type": "address", "required": True}]
    cleaned, errors = clean_data(schema, {"a": {"province": "79", "commune": "Phường Sài Gòn"}})
    assert errors == {}
    assert cleaned["a"]["commune_name"] == "Phường Sài Gòn"
    _c, errors = clean_data(schema, {"a": {"province": "96"}})
    assert errors["a"] == "«Địa chỉ»: hãy chọn xã, phường."
    _c, errors = clean_data(schema, {"a": {"province": "00", "commune": "x"}})
    assert errors["a"] == "«Địa chỉ»: hãy chọn tỉnh, thành phố."


def test_a_broken_file_is_refused():
    with pytest.raises(ValueError):
        addresses.parse({"provinces": "x"})
    with pytest.raises(ValueError):
        addresses.parse([{"name": "no code"}])
