"""The dossier code prints as a Code128 barcode and the tracking URL as a QR code, both readable by zbar."""

from __future__ import annotations

from dataclasses import replace

import pytest

from motcua.documents.codes import build_tracking_url, code128_modules
from motcua.documents.forms import render_control_sheet, render_receipt
from tests.documents import samples


@pytest.mark.parametrize("layout", ["a4", "80mm"])
def test_it_prints_a_barcode_of_the_code_and_a_qr_code_of_the_tracking_url(layout, reader):
    pdf = render_receipt(samples.receipt(), layout=layout)
    found = reader.symbols(pdf, dpi=200)
    assert found.get("CODE-128") == [samples.CODE]
    assert found.get("QR-Code") == [samples.URL]
    assert samples.URL == "https://dichvucong.thanhhoa.gov.vn/tra-cuu/000.00.25.H12-261127-0007?key=K7XQ2M"


@pytest.mark.parametrize("code", ["000.00.04.G18-250512-0001", "G09.20-20260609-0092637", "H56-1"])
def test_it_reads_back_other_code_patterns_on_the_narrow_receipt(code, reader):
    form = replace(
        samples.receipt(),
        dossier_code=code,
        tracking_url=build_tracking_url("https://dvc.example.gov.vn/", code, "AB12CD"),
    )
    found = reader.symbols(render_receipt(form, layout="80mm"), dpi=200)
    assert found.get("CODE-128") == [code]
    assert found.get("QR-Code") == [f"https://dvc.example.gov.vn/tra-cuu/{code}?key=AB12CD"]


def test_it_leaves_the_qr_code_out_when_there_is_no_tracking_url(reader):
    form = replace(samples.receipt(), tracking_url="", tracking_key="")
    found = reader.symbols(render_receipt(form), dpi=200)
    assert found.get("CODE-128") == [samples.CODE]
    assert "QR-Code" not in found


def test_it_prints_the_code_as_a_barcode_on_the_control_sheet(reader):
    found = reader.symbols(render_control_sheet(samples.control_sheet()), dpi=200)
    assert found.get("CODE-128") == [samples.CODE]


def test_it_builds_tracking_urls_with_the_code_as_a_path_segment():
    assert build_tracking_url("https://a.gov.vn", "X/Y Z", "k&1") == "https://a.gov.vn/tra-cuu/X%2FY%20Z?key=k%261"


def test_it_encodes_code128_with_start_checksum_and_stop():
    modules = code128_modules(samples.CODE)
    assert set(modules) == {"0", "1"}
    assert modules.endswith("1100011101011")  # the stop pattern
    assert len(modules) % 11 == 2  # 11 modules a symbol, 13 for the stop
