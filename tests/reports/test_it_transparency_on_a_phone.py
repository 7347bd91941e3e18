"""The public transparency page on a phone: every figure carries its column's label, so that the
table reads as one card per agency below 576 px (reports.css, .rp-stack) instead of scrolling
sideways (issue #18; the browser test measures the width)."""

from __future__ import annotations

import re

from .conftest import at, counter_dossier


def test_every_figure_of_the_transparency_table_has_its_label(people, client):
    import time_machine

    with time_machine.travel(at(10), tick=False):
        counter_dossier(people)
    with time_machine.travel(at(20), tick=True):
        page = client.get("/minh-bach/").content.decode()
    table = page[page.index('<table class="table rp-table rp-public rp-stack">'):page.index("</table>")]
    assert "<caption>" in table  # a visible caption names the table
    cells = re.findall(r'<td class="num"(?: data-label="([^"]+)")?>', table)
    assert len(cells) == 10  # one agency and the province's total, five figures each
    assert cells[:5] == ["Tháng này – Tiếp nhận", "Tháng này – Đúng hạn", "Năm nay – Tiếp nhận",
                         "Năm nay – Đúng hạn", "Mức độ hài lòng"]
    assert cells[5:] == cells[:5]
