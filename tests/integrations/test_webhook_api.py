"""/api/v1/webhooks: a service account with `webhooks:manage` manages its own subscriptions."""

from __future__ import annotations

from motcua.api.auth import issue_token
from motcua.integrations import tokens
from motcua.integrations.models import WebhookDelivery, WebhookSubscription
from tests.dossiers.conftest import BIRTH, T0, counter_dossier


def headers(raw):
    return {"Authorization": f"Bearer {raw}"}


def post(client, raw, data):
    return client.post("/api/v1/webhooks", data, content_type="application/json", headers=headers(raw))


def test_an_account_registers_lists_and_deletes_its_webhooks(people, accounts, client, receiver):
    raw, _ = tokens.issue(accounts.kiosk, ["webhooks:manage"])
    created = post(client, raw, {"target_url": receiver.url, "event_kinds": ["completed", "received"]})
    assert created.status_code == 201, created.content
    body = created.json()
    subscription = WebhookSubscription.objects.get()
    assert body["secret"] == subscription.secret and len(body["secret"]) == 64
    assert (subscription.account, subscription.event_kinds) == (accounts.kiosk, ["completed", "received"])
    listed = client.get("/api/v1/webhooks", headers=headers(raw)).json()
    assert listed == [{k: v for k, v in body.items() if k != "secret"}]  # the secret is shown once
    # Another account neither sees nor deletes it.
    other_raw, _ = tokens.issue(accounts.make("khac", people.commune, scopes=["webhooks:manage"]))
    assert client.get("/api/v1/webhooks", headers=headers(other_raw)).json() == []
    assert client.delete(f"/api/v1/webhooks/{body['id']}", headers=headers(other_raw)).status_code == 404
    # With deliveries the subscription is switched off (history kept); without, removed.
    counter_dossier(people, BIRTH, T0)
    assert WebhookDelivery.objects.count() == 1
    assert client.delete(f"/api/v1/webhooks/{body['id']}", headers=headers(raw)).status_code == 204
    subscription.refresh_from_db()
    assert not subscription.active
    second = post(client, raw, {"target_url": receiver.url}).json()
    assert client.delete(f"/api/v1/webhooks/{second['id']}", headers=headers(raw)).status_code == 204
    assert not WebhookSubscription.objects.filter(pk=second["id"]).exists()


def test_bad_input_is_a_400_with_the_field(people, accounts, client):
    raw, _ = tokens.issue(accounts.kiosk, ["webhooks:manage"])
    for data, field, text in [
        ({"target_url": "http://hooks.example.vn/x"}, "target_url", "https"),
        ({"target_url": "https://10.1.2.3/x"}, "target_url", "nội bộ"),
        ({"target_url": "https://93.184.216.34/x", "event_kinds": ["nope"]}, "event_kinds", "nope"),
    ]:
        response = post(client, raw, data)
        assert response.status_code == 400, data
        error = response.json()["error"]
        assert error["code"] == "invalid_parameter" and error["field"] == field and text in error["message"]
    assert post(client, raw, {"event_kinds": "x"}).status_code == 400
    assert not WebhookSubscription.objects.exists()


def test_it_needs_the_scope_and_a_service_account(people, accounts, client):
    reader, _ = tokens.issue(accounts.reader)
    response = client.get("/api/v1/webhooks", headers=headers(reader))
    assert response.status_code == 403 and response.json()["error"]["code"] == "insufficient_scope"
    user_raw, _ = issue_token(people.receptionist)
    response = client.get("/api/v1/webhooks", headers=headers(user_raw))
    assert response.status_code == 403 and response.json()["error"]["code"] == "service_account_required"
    assert client.get("/api/v1/webhooks").status_code == 401
