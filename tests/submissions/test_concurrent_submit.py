"""Two submits of the same review page at the same moment (a double tap on a slow phone): one
dossier, and both answers lead to it. Real threads, real transactions (both databases)."""

from __future__ import annotations

import threading

from django.db import connection
from django.test import Client

from motcua.dossiers.models import Dossier
from motcua.submissions.models import Draft

from .conftest import ready_birth_draft, submit_key


def test_it_makes_one_dossier_from_two_simultaneous_submits(transactional_db, web, citizen):
    draft = ready_birth_draft(web)
    key = submit_key(web, draft)
    url = f"/nop-ho-so/nhap/{draft.pk}/xem-lai/"
    barrier = threading.Barrier(2)
    answers: list = []

    def tap():
        client = Client()
        client.force_login(citizen)
        try:
            barrier.wait(timeout=10)
            answers.append(client.post(url, {"submit_key": key, "confirm": "yes"}))
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert [a.status_code for a in answers] == [302, 302]
    dossier = Dossier.objects.get()
    assert {a["Location"] for a in answers} == {f"/nop-ho-so/da-nop/{dossier.code}/"}
    assert dossier.files.count() == 3
    assert not Draft.objects.exists()


def test_two_simultaneous_first_saves_with_one_token_make_one_draft(transactional_db, eforms, citizen):
    """A double tap on the page to fill before its draft exists (no script): one draft."""
    import uuid

    from .conftest import BIRTH, BIRTH_ANSWERS

    token = str(uuid.uuid4())
    barrier = threading.Barrier(2)
    answers: list = []

    def tap():
        client = Client()
        client.force_login(citizen)
        try:
            barrier.wait(timeout=10)
            answers.append(client.post(f"/nop-ho-so/{BIRTH}/", {**BIRTH_ANSWERS, "_fill": "page",
                                                                 "_save_exit": "1", "_token": token}))
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert [a.status_code for a in answers] == [302, 302]
    assert Draft.objects.filter(owner=citizen).count() == 1
