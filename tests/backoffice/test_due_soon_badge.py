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
