"""/can-bo/dong-bo/: supervisors and agency admins see failed messages of their scope and re-send them."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from motcua.accounts.models import Membership, User
from motcua.sync.models import SyncMessage
from tests.dossiers.conftest import BIRTH, T0, counter_dossier

URL = "/can-bo/dong-bo/"


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def failed_message(people, portal, clock):
    portal.fail("500")
    dossier = counter_dossier(people, BIRTH, T0)
    clock.drain()
    message = SyncMessage.objects.get(dossier=dossier)
    assert message.state == "failed"
    return message


def test_a_supervisor_sees_the_failed_message_and_resends_it(people, portal, clock):
    message = failed_message(people, portal, clock)
    assert reverse("sync:status") == URL
    browser = signed_in(people.supervisor)
    page = browser.get(URL)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Đồng bộ: đang bật." in text and message.dossier.code in text and "HTTP 500" in text
    assert f'name="message" value="{message.pk}"' in text
    portal.recover()
    done = browser.post(URL, {"message": [str(message.pk)]}, follow=True)
    assert "Đã đưa 1 tin vào hàng đợi gửi lại." in done.content.decode()
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("pending", 0)
    clock.drain()
    message.refresh_from_db()
    assert message.state == "sent"


def test_bad_or_foreign_choices_change_nothing_and_never_fail(people, portal, clock):
    message = failed_message(people, portal, clock)
    browser = signed_in(people.supervisor)
    for data in ({}, {"message": ["abc", "", "-1", "9" * 30]}):
        response = browser.post(URL, data, follow=True)
        assert response.status_code == 200 and "Chưa chọn tin nào" in response.content.decode()
    # A supervisor of another commune neither sees nor re-sends it.
    other = User.objects.create_user("gs_xa2", full_name="GS XA2")
    Membership.objects.create(user=other, agency=people.other_commune, role="supervisor")
    foreign = signed_in(other)
    assert message.dossier.code not in foreign.get(URL).content.decode()
    response = foreign.post(URL, {"message": [str(message.pk)]}, follow=True)
    assert "Không có tin gửi lỗi nào" in response.content.decode()
    response = foreign.post(URL, {"all": "1"}, follow=True)
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.state == "failed"


def test_other_staff_are_refused(people, portal):
    response = signed_in(people.officer).get(URL)
    assert response.status_code == 403 and "giám sát" in response.content.decode()
    assert Client().get(URL).status_code == 302  # to the sign-in page


def test_the_page_says_when_sync_is_off(people, settings):
    settings.MOTCUA_SYNC_URL = ""
    text = signed_in(people.supervisor).get(URL).content.decode()
    assert "Đồng bộ: đang tắt" in text and "Không có tin nào gửi lỗi." in text
