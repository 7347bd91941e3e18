"""The words that explain a box are the words on the box: the inbox legend uses the badges' own
words (drawn from the same entries), and the checklists show the word their instructions name
(“Có” at the counter, “Đạt” on the online check)."""

from __future__ import annotations

import datetime as dt
import re

from motcua.backoffice import display

from .conftest import BIRTH, online_dossier

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


def test_the_online_check_boxes_show_the_word_the_instructions_name(people, login):
    dossier = online_dossier(people, BIRTH)
    page = login(people.receptionist).get(f"/can-bo/cho-tiep-nhan/{dossier.code}/").content.decode()
    assert "đánh dấu “Đạt”" in page and "chưa đánh dấu “Đạt”" in page
    boxes = re.findall(r'<label class="form-check-label" for="present-\d+">(.*?)</label>', page, re.S)
    assert boxes and all('<span class="bo-component__tick">Đạt:</span>' in b for b in boxes)
    assert "visually-hidden\">Đạt" not in page


def test_the_counter_boxes_show_the_word_the_instructions_name(people, login):
    page = login(people.receptionist).get(f"/can-bo/tiep-nhan/{BIRTH}/").content.decode()
    assert "Đánh dấu “Có”" in page
    boxes = re.findall(r'<label class="form-check-label" for="present-\d+">(.*?)</label>', page, re.S)
    assert boxes and all('<span class="bo-component__tick">Có:</span>' in b for b in boxes)
