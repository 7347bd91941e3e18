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
    table = page[page.index('<table class="table rp-table rp-public rp-stack" role="table">'):page.index("</table>")]
    # The caption names the table for screen readers; the lead sentence says it for the eye.
    assert '<caption class="visually-hidden">' in table
    cells = re.findall(r'<td role="cell" class="num"(?: data-label="([^"]+)")?>', table)
    assert len(cells) == 10  # one agency and the province's total, five figures each
    assert cells[:5] == ["Tháng này – Tiếp nhận", "Tháng này – Đúng hạn", "Năm nay – Tiếp nhận",
                         "Năm nay – Đúng hạn", "Mức độ hài lòng"]
    assert cells[5:] == cells[:5]
    # display:block on a phone drops the native table roles: every part says its role itself.
    assert len(re.findall(r"<tr\b", table)) == len(re.findall(r'<tr role="row"', table)) == 4
    assert re.findall(r"<t(?:head|body|foot)\b[^>]*>", table) == ['<thead role="rowgroup">', '<tbody role="rowgroup">',
                                                                 '<tfoot role="rowgroup">']
    assert len(re.findall(r'<th role="columnheader"', table)) == 8
    assert len(re.findall(r'<th role="rowheader" scope="row"', table)) == 2
    assert "<td" not in re.sub(r'<td role="cell"', "", table)
    # No focusable scroll region any more: the table fits from 768 px and is cards below.
    assert 'tabindex="0"' not in page[page.index("<main"):page.index("</main>")]
