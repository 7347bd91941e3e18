"""The words that explain a box are the words on the box: the inbox legend uses the badges' own
words (drawn from the same entries), and the checklists show the word their instructions name
(«Có» at the counter, «Đạt» on the online check)."""

from __future__ import annotations

import datetime as dt
import re

from motcua.backoffice import display

from .conftest import BIRTH, CRIMINAL_RECORD, TZ, counter_dossier, fresh, online_dossier

BADGE = re.compile(r'<span class="due-badge due--[a-z-]+">'
                   r'<span class="due-badge__symbol" aria-hidden="true">[^<]*</span> ([^<]+)</span>')


def badge_words(html: str) -> list[str]:
    return [w.strip() for w in BADGE.findall(html)]


def test_the_inbox_legend_says_what_the_badges_say(people, login):
    waiting = online_dossier(people, BIRTH)
    page = login(people.receptionist).get("/can-bo/").content.decode()
    legend = page[page.index('class="bo-legend'):]
    legend = legend[: legend.index("</p>")]
    words = badge_words(legend)
    assert words == ["Quá hạn", "Sắp đến hạn", "Trong hạn", "Tạm dừng tính giờ", "Chờ tiếp nhận", "Xong đúng hạn",
                     "Xong quá hạn", "Đã kết thúc"]
    assert words == [t.label for t in display.legend()]
    # The row's badge is one of the legend's, word for word.
    row = re.search(r'<tr class="bo-row[^"]*">(?:(?!</tr>).)*' + re.escape(waiting.code) + r".*?</tr>", page,
                    re.S).group(0)
    assert set(badge_words(row)) <= set(words) and badge_words(row)


def test_every_badge_a_dossier_can_get_is_in_the_legend(people):
    from motcua.dossiers.models import Dossier, Status

    now = dt.datetime(2026, 3, 9, 10, 0, tzinfo=dt.UTC)
    shown = set()
    for status in Status:
        for paused in (None, now):
            for late in (False, True):
                d = Dossier(status=status, paused_at=paused, counts_as_late=late, due_at=None)
                shown.add(display.dossier_timeliness(d, now).label)
    assert shown <= {t.label for t in display.legend()}


def test_open_dossiers_on_time_due_soon_and_late_get_legend_words(people):
    """Real dossiers received at a fixed time, looked at every quarter of an hour from their
    reception to a day past their due time: the rows' and the steps' badges go through "Trong
    hạn", "Sắp đến hạn" and "Quá hạn", and every word shown is one of the legend's."""
    received = dt.datetime(2026, 3, 9, 8, 15, tzinfo=TZ)  # a Monday in a month without holidays
    legend = {t.label for t in display.legend()}
    row_words, step_words = set(), set()
    for code in (BIRTH, CRIMINAL_RECORD):  # same day, and several days over two agencies
        dossier = fresh(counter_dossier(people, code, when=received))
        assert dossier.received_at == received and dossier.due_at is not None and dossier.step_due_at
        rows = []
        now = received
        while now <= dossier.due_at + dt.timedelta(days=1):
            rows.append(display.dossier_timeliness(dossier, now).label)
            step = display.step_timeliness(dossier, now)
            step_words.add(step.label if step else None)
            now += dt.timedelta(minutes=15)
        # On time first, late at the end, and never on time again once late.
        assert rows[0] == "Trong hạn" and rows[-1] == "Quá hạn"
        assert "Trong hạn" not in rows[rows.index("Quá hạn"):]
        row_words |= set(rows)
    assert {"Trong hạn", "Sắp đến hạn", "Quá hạn"} == row_words <= legend
    assert {"Trong hạn", "Sắp đến hạn", "Quá hạn"} == step_words <= legend


def test_the_online_check_boxes_show_the_word_the_instructions_name(people, login):
    dossier = online_dossier(people, BIRTH)
    page = login(people.receptionist).get(f"/can-bo/cho-tiep-nhan/{dossier.code}/").content.decode()
    assert "đánh dấu «Đạt»" in page and "chưa đánh dấu «Đạt»" in page
    boxes = re.findall(r'<label class="form-check-label" for="present-\d+">(.*?)</label>', page, re.S)
    assert boxes and all('<span class="bo-component__tick">Đạt:</span>' in b for b in boxes)
    assert "visually-hidden\">Đạt" not in page


def test_the_counter_boxes_show_the_word_the_instructions_name(people, login):
    page = login(people.receptionist).get(f"/can-bo/tiep-nhan/{BIRTH}/").content.decode()
    assert "Đánh dấu «Có»" in page
    boxes = re.findall(r'<label class="form-check-label" for="present-\d+">(.*?)</label>', page, re.S)
    assert boxes and all('<span class="bo-component__tick">Có:</span>' in b for b in boxes)
