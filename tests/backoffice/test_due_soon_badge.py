"""#17: the inbox's "Sắp đến hạn" badge and its list need the last share of the dossier's working time
too: a same-day dossier received this morning is "Trong hạn" until its last quarter."""

from __future__ import annotations

import datetime as dt

from motcua.dossiers import actions

from .conftest import BIRTH, TZ, counter_dossier
from .test_inbox import row_of


def test_a_same_day_dossier_is_due_soon_only_in_its_last_quarter(people, login, monkeypatch):
    received = dt.datetime(2026, 3, 9, 9, 15, tzinfo=TZ)
    d = counter_dossier(people, BIRTH, when=received)
    actions.handover(d, actor=people.receptionist, to_user=people.officer, at=received + dt.timedelta(minutes=5))
    c = login(people.officer)
    for now, css, word, listed in [
        (dt.datetime(2026, 3, 9, 9, 30, tzinfo=TZ), "due--ok", "Trong hạn", "ok"),  # due in 7.5 h: not yet
        (dt.datetime(2026, 3, 9, 16, 0, tzinfo=TZ), "due--soon", "Sắp đến hạn", "soon"),
    ]:
        monkeypatch.setattr("motcua.staff.pages.current_time", lambda now=now: now)
        row = row_of(c.get("/can-bo/").content.decode(), d.code)
        assert css in row and word in row, now
        assert d.code in c.get(f"/can-bo/?due={listed}").content.decode(), now
        other = "soon" if listed == "ok" else "ok"
        assert d.code not in c.get(f"/can-bo/?due={other}").content.decode(), now


def test_the_step_badge_and_the_inbox_follow_the_steps_quota(people, login, monkeypatch):
    """#17: the officer's step has 1 working hour (09:20 → 10:20): the dossier is "Trong hạn" at
    09:50 (half the quota), "Sắp đến hạn" at 10:10 (the last quarter), and after 10:20 the step's
    own badge says late while the dossier (due 17:00) is in time again."""
    import re

    received = dt.datetime(2026, 3, 9, 9, 15, tzinfo=TZ)
    d = counter_dossier(people, BIRTH, when=received)
    actions.handover(d, actor=people.receptionist, to_user=people.officer, at=received + dt.timedelta(minutes=5))
    c = login(people.officer)
    for (hour, minute), row_css, step_word in [((9, 50), "due--ok", "Trong hạn"),
                                               ((10, 10), "due--soon", "Sắp đến hạn"),
                                               ((11, 0), "due--ok", "Quá hạn")]:
        now = dt.datetime(2026, 3, 9, hour, minute, tzinfo=TZ)
        monkeypatch.setattr("motcua.staff.pages.current_time", lambda now=now: now)
        assert row_css in row_of(c.get("/can-bo/").content.decode(), d.code), now
        page = c.get(f"/can-bo/ho-so/{d.code}/").content.decode()
        step = re.search(r"Hạn của bước</dt><dd>(.*?)</dd>", page, re.S).group(1)
        assert step_word in step, (now, step)
