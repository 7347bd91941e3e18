"""`python -m motcua check --deploy` is clean with production settings, and the security headers
(CSP without inline code, frame-ancestors none, Permissions-Policy, COOP, nosniff, secure cookies)
are what the settings promise."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _check(tmp_path, **extra) -> subprocess.CompletedProcess:
    # Not the test process's own switches (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for
    # Playwright, which a production server never has).
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "motcua.settings", "MOTCUA_DEBUG": "0", "MOTCUA_HTTPS": "1",
        "MOTCUA_SECRET_KEY": secrets.token_urlsafe(50), "MOTCUA_AUDIT_KEY": secrets.token_urlsafe(32),
        "MOTCUA_ALLOWED_HOSTS": "example.gov.vn",
        "MOTCUA_DATA_DIR": str(tmp_path), **extra,
    })
    return subprocess.run([sys.executable, "-m", "motcua", "check", "--deploy"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _check(tmp_path, MOTCUA_PAYMENT_PROVIDER="vnpay", MOTCUA_PAYMENT_HASH_SECRET=secrets.token_hex(16))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout, result.stdout + result.stderr


def test_check_deploy_only_warns_about_the_sandbox_payment_gateway_when_it_is_left_on(tmp_path):
    """The brief's exact command (no payment settings): the only issue left is the payments team's
    warning that the sandbox gateway is on, which is right for a production site."""
    result = _check(tmp_path)
    output = result.stdout + result.stderr
    assert "payments.W002" in output
    assert "security.W" not in output and "identified 1 issue" in output, output


def test_check_deploy_wants_the_audit_key_from_outside_the_data_folder(tmp_path):
    result = _check(tmp_path, MOTCUA_AUDIT_KEY="", MOTCUA_PAYMENT_PROVIDER="vnpay",
                    MOTCUA_PAYMENT_HASH_SECRET=secrets.token_hex(16))
    assert "audit.W001" in result.stdout + result.stderr
    key = tmp_path / "audit.key"
    key.write_text("ngắn")
    result = _check(tmp_path, MOTCUA_AUDIT_KEY="", MOTCUA_AUDIT_KEY_FILE=str(key), MOTCUA_PAYMENT_PROVIDER="vnpay",
                    MOTCUA_PAYMENT_HASH_SECRET=secrets.token_hex(16))
    assert "audit.W002" in result.stdout + result.stderr and "audit.W001" not in result.stdout + result.stderr
    key.write_text("")  # named but empty: never silently another key
    result = _check(tmp_path, MOTCUA_AUDIT_KEY="", MOTCUA_AUDIT_KEY_FILE=str(key))
    assert result.returncode != 0 and "MOTCUA_AUDIT_KEY_FILE names an empty file" in result.stderr


def test_check_deploy_flags_an_insecure_setup(tmp_path):
    result = _check(tmp_path, MOTCUA_HTTPS="0", MOTCUA_PAYMENT_PROVIDER="vnpay",
                    MOTCUA_PAYMENT_HASH_SECRET=secrets.token_hex(16))
    output = result.stdout + result.stderr
    assert "security.W012" in output and "security.W004" in output  # cookies not secure, no HSTS


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client, catalog):
    response = client.get("/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if " " in part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and "unsafe-inline" not in csp
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_session_cookies_are_httponly_and_lax(client, people):
    from tests.audit.test_it_two_factor import PASSWORD

    people.citizen.set_password(PASSWORD)
    people.citizen.save()
    response = client.post("/dang-nhap/", {"username": people.citizen.username, "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


@pytest.mark.parametrize("path", ["/", "/dang-nhap/", "/thu-tuc/", "/xac-thuc/", "/tra-cuu/", "/dang-ky/"])
@pytest.mark.django_db
def test_public_pages_have_no_inline_script_or_style(client, catalog, path):
    import re

    response = client.get(path, follow=True)
    text = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text.replace('type="application/json"', "src=json"))
    assert not re.search(r"\sstyle=\"", text) and "<style" not in text
    assert not re.search(r"\son[a-z]+=\"", text) and "javascript:" not in text
