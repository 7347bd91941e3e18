"""Rate limits where there were none: public tracking (wrong code or key), online submission, and
the API's token endpoint (which also asks staff with a TOTP app for the second factor)."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.audit.test_it_two_factor import PASSWORD, code_for
from tests.backoffice.conftest import counter_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight(settings):
    settings.MOTCUA_TRACK_FAILURES_PER_IP = 3
    settings.MOTCUA_TRACK_FAILURES_PER_CODE = 5
    return settings


def test_portal_tracking_blocks_a_guesser_before_a_right_guess(people, client, tight):
    d = counter_dossier(people)
    url = f"/tra-cuu/{d.code}"
    assert client.get(url, {"key": d.tracking_key}).status_code == 200  # right answers never count
    for guess in ("AAAAAA", "BBBBBB", "CCCCCC"):
        assert client.get(url, {"key": guess}).status_code == 404
    blocked = client.get(url, {"key": d.tracking_key})
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    assert "tra cứu sai mã hồ sơ hoặc mã tra cứu quá nhiều lần" in blocked.content.decode()
    assert d.applicant_phone not in blocked.content.decode()
    assert "phút (lúc " in blocked.content.decode()  # when, as a clock time too
    api = client.get(f"/api/v1/track/{d.code}", {"key": d.tracking_key})
    assert api.status_code == 429 and api.json()["error"]["retry_after"] == int(api["Retry-After"]) > 0
    # Another address is not blocked.
    assert client.get(url, {"key": d.tracking_key}, REMOTE_ADDR="198.51.100.9").status_code == 200


def test_api_tracking_is_limited_per_address_and_per_code(people, client, tight):
    d = counter_dossier(people)
    url = f"/api/v1/track/{d.code}"
    for i in range(3):
        assert client.get(url, {"key": "WRONG1"}, REMOTE_ADDR=f"203.0.113.{i}").status_code == 404
    assert client.get(url, {"key": "WRONG1"}, REMOTE_ADDR="203.0.113.50").status_code == 404
    assert client.get(url, {"key": "WRONG1"}, REMOTE_ADDR="203.0.113.51").status_code == 404
    # Five failures on this code from five addresses: the code is paused for everyone.
    response = client.get(url, {"key": d.tracking_key}, REMOTE_ADDR="203.0.113.99")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited" and "Retry-After" in response
    # Other codes still answer.
    other = counter_dossier(people)
    assert client.get(f"/api/v1/track/{other.code}", {"key": other.tracking_key},
                      REMOTE_ADDR="203.0.113.99").status_code == 200


def test_strangers_guesses_never_lock_out_the_signed_in_owner(people, client, tight):
    """Two addresses were enough to pause tracking of any dossier for an hour (codes are
    sequential), its owner included."""
    from tests.backoffice.conftest import online_dossier

    d = online_dossier(people)  # owned by people.citizen
    for i in range(5):
        client.get(f"/api/v1/track/{d.code}", {"key": "WRONG1"}, REMOTE_ADDR=f"203.0.113.{i}")
    assert client.get(f"/api/v1/track/{d.code}", {"key": d.tracking_key}).status_code == 429
    owner = Client()
    owner.force_login(people.citizen)
    assert owner.get(f"/api/v1/track/{d.code}", {"key": d.tracking_key}).status_code == 200
    assert owner.get(f"/tra-cuu/{d.code}", {"key": d.tracking_key}).status_code == 200
    assert owner.get(f"/ho-so-cua-toi/{d.code}/").status_code == 200  # their own page never was limited
    stranger = Client()
    stranger.force_login(people.other_receptionist)  # signed in, but not the owner: still paused
    assert stranger.get(f"/api/v1/track/{d.code}", {"key": d.tracking_key}).status_code == 429


def test_the_receipt_holder_is_never_paused_by_strangers(people, client, tight):
    """A counter applicant has no account: the receipt's QR code carries a longer secret."""
    from urllib.parse import parse_qs, urlsplit

    from motcua.dossiers import paperwork

    d = counter_dossier(people)
    qr = parse_qs(urlsplit(paperwork.receipt(d).tracking_url).query)["qr"][0]
    for i in range(5):
        client.get(f"/api/v1/track/{d.code}", {"key": "WRONG1"}, REMOTE_ADDR=f"203.0.113.{i}")
    assert client.get(f"/api/v1/track/{d.code}", {"key": d.tracking_key}).status_code == 429
    assert client.get(f"/api/v1/track/{d.code}", {"key": d.tracking_key, "qr": qr}).status_code == 200
    assert client.get(f"/tra-cuu/{d.code}", {"key": d.tracking_key, "qr": qr}).status_code == 200
    assert client.get(f"/tra-cuu/{d.code}", {"key": d.tracking_key, "qr": "0" * 20}).status_code == 429
    other = counter_dossier(people)  # one receipt's secret opens nothing else
    for i in range(5):
        client.get(f"/api/v1/track/{other.code}", {"key": "WRONG1"}, REMOTE_ADDR=f"203.0.113.{i}")
    assert client.get(f"/api/v1/track/{other.code}", {"key": other.tracking_key, "qr": qr}).status_code == 429


def test_the_api_token_endpoint_is_limited(people, client, settings):
    settings.MOTCUA_SIGNIN_FAILURES = 3
    people.receptionist.set_password(PASSWORD)
    people.receptionist.save()
    for _ in range(3):
        bad = client.post("/api/v1/auth/token", {"username": "tn_xa", "password": "sai"},
                          content_type="application/json")
        assert bad.status_code == 401
    blocked = client.post("/api/v1/auth/token", {"username": "tn_xa", "password": PASSWORD},
                          content_type="application/json")
    assert blocked.status_code == 429 and blocked.json()["error"]["code"] == "rate_limited"
    assert "tạm thời bị khóa" in blocked.json()["error"]["message"]


def test_the_api_token_needs_the_second_factor_for_enrolled_staff(people, client):
    people.officer.set_password(PASSWORD)
    people.officer.save()
    device = TOTPDevice.objects.create(user=people.officer, name="motcua", confirmed=True)

    def ask(**extra):
        return client.post("/api/v1/auth/token", {"username": "cv_xa", "password": PASSWORD, **extra},
                           content_type="application/json")

    assert ask().json()["error"]["code"] == "otp_required"
    wrong = f"{(int(code_for(device)) + 1) % 1000000:06d}"
    assert ask(otp=wrong).json()["error"]["code"] == "otp_invalid"
    ok = ask(otp=code_for(device))
    assert ok.status_code == 200 and ok.json()["token"]


def test_the_api_token_requires_enrolment_when_required(people, client, settings):
    settings.MOTCUA_STAFF_2FA = "required"
    people.officer.set_password(PASSWORD)
    people.officer.save()
    response = client.post("/api/v1/auth/token", {"username": "cv_xa", "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "otp_enrolment_required"


def test_starting_drafts_is_limited(eforms, settings):
    from tests.submissions.conftest import BIRTH, make_citizen

    settings.MOTCUA_SUBMIT_DRAFT_PER_HOUR = 2
    c = Client()
    c.force_login(make_citizen("congdan_nhieu"))
    assert c.post(f"/nop-ho-so/{BIRTH}/").status_code == 302
    assert c.post(f"/nop-ho-so/{BIRTH}/").status_code in (302, 200)
    blocked = c.post(f"/nop-ho-so/{BIRTH}/")
    assert blocked.status_code == 429 and "quá nhiều lần" in blocked.content.decode()
    assert c.get(f"/nop-ho-so/{BIRTH}/").status_code == 200  # reading is never limited


def test_uploads_are_limited_with_a_json_answer(eforms, settings):
    from tests.backoffice.conftest import PDF
    from tests.submissions.conftest import BIRTH, component, make_citizen, start_draft, xhr_upload

    settings.MOTCUA_SUBMIT_UPLOAD_PER_HOUR = 1
    c = Client()
    c.force_login(make_citizen("congdan_tai"))
    draft, _url = start_draft(c)
    assert xhr_upload(c, draft, component(BIRTH, "Giấy chứng sinh"), "a.pdf", PDF).status_code == 201
    blocked = xhr_upload(c, draft, component(BIRTH, "Giấy chứng sinh"), "b.pdf", PDF)
    assert blocked.status_code == 429 and "quá nhiều lần" in blocked.json()["error"]
