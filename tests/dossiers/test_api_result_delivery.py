"""The stable interface of #17: after `complete`, an online-delivery dossier is at status 10 with a
`result_delivered` event by the system; the postal actions through the API."""

from __future__ import annotations

import pytest

from .conftest import BIRTH
from .test_api import Api, answers, pdf


@pytest.fixture
def api(client, people):
    return lambda user=None: Api(client, user)


def to_last_step(counter: Api, officer: Api, leader: Api, clerk: Api, code: str) -> None:
    for who in (counter, officer, leader):
        assert who.act(code, "handover").status_code == 200
    assert clerk.upload(f"/api/v1/dossiers/{code}/files", {"kind": "result", "file": pdf()}).status_code == 201


def test_complete_returns_an_electronic_result_at_once(api, people):
    counter, officer, leader, clerk = (api(p) for p in (people.receptionist, people.officer, people.leader,
                                                         people.clerk))
    citizen = api(people.citizen)
    code = citizen.create(channel=2, delivery="online")["code"]
    assert counter.act(code, "receive").json()["status_code"] == 2
    to_last_step(counter, officer, leader, clerk, code)
    done = clerk.act(code, "complete")
    body = done.json()
    assert done.status_code == 200 and body["status_code"] == 10 and body["returned_at"] is not None
    assert body["event"]["kind"] == "completed"
    last = body["events"][-1]
    assert (last["kind"], last["actor"], last["from_status"], last["to_status"]) == ("result_delivered", None, 9, 10)
    assert body["allowed_actions"] == []  # the clerk has nothing left to do
    detail = counter.get(f"/api/v1/dossiers/{code}").json()
    assert detail["status_code"] == 10 and detail["allowed_actions"] == ["hand_over_paper_copy"]
    copy = counter.act(code, "hand_over_paper_copy", note="Bản giấy")
    assert copy.status_code == 200 and copy.json()["event"]["kind"] == "paper_copy_handed_over"
    assert copy.json()["status_code"] == 10
    # Nobody may take the system's step.
    refused = counter.act(code, "deliver_result")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "invalid_status"


def test_the_postal_actions(api, people):
    counter, officer, leader, clerk = (api(p) for p in (people.receptionist, people.officer, people.leader,
                                                         people.clerk))
    code = api(people.citizen).create(channel=2, delivery="post", delivery_address="12 Lý Thường Kiệt",
                                      form_data=answers(BIRTH))["code"]
    counter.act(code, "receive")
    to_last_step(counter, officer, leader, clerk, code)
    assert clerk.act(code, "complete").json()["status_code"] == 9
    early = counter.act(code, "confirm_delivery")
    assert early.status_code == 409 and early.json()["error"]["code"] == "not_posted"
    missing = counter.act(code, "post_result")
    assert missing.status_code == 400 and missing.json()["error"]["field"] == "postal_number"
    posted = counter.act(code, "post_result", postal_number="EB123456789VN", posted_on="2020-01-02")
    assert posted.status_code == 200, posted.content
    assert posted.json()["status_code"] == 9 and posted.json()["event"]["data"]["posted_on"] == "2020-01-02"
    again = counter.act(code, "post_result", postal_number="EB2")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_posted"
    delivered = counter.act(code, "confirm_delivery", note="Đã phát")
    assert delivered.json()["status_code"] == 10 and delivered.json()["event"]["kind"] == "post_delivered"
