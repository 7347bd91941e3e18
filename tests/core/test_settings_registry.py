"""Every setting is declared once (motcua.conf): the environment is read strictly through the registry,
code reads `settings.X` without a default of its own, and docs/operations.md shows the registry's table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from motcua import conf

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "motcua"
NAME = re.compile(r"MOTCUA_[A-Z0-9_]+")


def _sources():
    for path in sorted(SRC.rglob("*.py")):
        yield path, path.read_text(encoding="utf-8")


def test_the_documented_table_is_the_registrys():
    doc = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    assert conf.with_table(doc) == doc, "run `python -m motcua settings_table --write`"


def test_the_command_prints_and_writes_the_table(tmp_path, capsys):
    call_command("settings_table")
    assert capsys.readouterr().out == conf.table()
    doc = tmp_path / "operations.md"
    doc.write_text(f"# Ops\n\n{conf.TABLE_START}\n| old |\n{conf.TABLE_END}\n\nAfter.\n", encoding="utf-8")
    call_command("settings_table", write=str(doc))
    text = doc.read_text(encoding="utf-8")
    assert "| old |" not in text and "`MOTCUA_PUBLIC_URL`" in text and text.endswith("After.\n")


def test_every_setting_is_declared_once():
    names = [s.name for s in conf.SETTINGS]
    assert len(names) == len(set(names))
    for declared in conf.SETTINGS:
        assert declared.help and declared.kind in {conf.STR, conf.INT, conf.BOOL, conf.LIST, conf.JSON,
                                                   conf.URL, conf.PATH}


def test_every_name_the_code_reads_is_declared():
    declared = set(conf.BY_NAME) | set(conf.DERIVED)
    unknown = set()
    for path, text in _sources():
        for name in NAME.findall(text):
            if name.endswith("_"):  # a prefix: MOTCUA_SMS_{name}, MOTCUA_SUBMIT_{scope}_PER_HOUR, MOTCUA_CODE_*
                known = any(d.startswith(name) for d in declared)
            else:
                known = name in declared or name.removesuffix("_FILE") in declared
            if not known:
                unknown.add(f"{path.relative_to(SRC)}: {name}")
    assert not unknown, sorted(unknown)


def test_django_holds_every_declared_setting_and_nothing_undeclared():
    for declared in conf.SETTINGS:
        assert hasattr(settings, declared.name) or not declared.setting, declared.name
    ours = {name for name in dir(settings) if name.startswith("MOTCUA_")}
    assert ours <= {s.name for s in conf.SETTINGS if s.setting} | set(conf.DERIVED)


def test_code_reads_settings_without_defaults_of_its_own_and_never_the_environment():
    # Passphrases of certificates name a variable of the operator's choice (env:NAME); the backup
    # hands the environment to pg_dump; the entry points name the settings module.
    environment_allowed = {"settings.py", "conf.py", "signing/certificates.py", "core/backup.py", "__main__.py",
                           "wsgi.py", "asgi.py"}
    found = []
    for path, text in _sources():
        where = str(path.relative_to(SRC))
        if re.search(r"getattr\(\s*settings,\s*f?[\"']MOTCUA_[^)]*,", text):
            found.append(f"{where}: getattr with a default")
        if re.search(r"os\.(environ|getenv)", text) and where not in environment_allowed:
            found.append(f"{where}: reads the environment")
    assert not found, found


@pytest.mark.parametrize("value", ["tru", "2", "enabled", "y es"])
def test_a_boolean_that_is_not_one_stops_start_up_naming_it(value):
    with pytest.raises(ImproperlyConfigured, match="MOTCUA_DEBUG"):
        conf.read({"MOTCUA_DEBUG": value})


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("Yes", True), (" on ", True), ("TRUE", True),
                                                 ("0", False), ("no", False), ("off", False), ("False", False),
                                                 ("", False)])
def test_booleans_take_the_usual_spellings(value, expected):
    assert conf.read({"MOTCUA_DEBUG": value})["MOTCUA_DEBUG"] is expected


def test_numbers_choices_urls_and_json_are_checked():
    with pytest.raises(ImproperlyConfigured, match="MOTCUA_PAGE_SIZE"):
        conf.read({"MOTCUA_PAGE_SIZE": "twenty"})
    with pytest.raises(ImproperlyConfigured, match="MOTCUA_MAX_UPLOAD_MB"):
        conf.read({"MOTCUA_MAX_UPLOAD_MB": "0"})
    with pytest.raises(ImproperlyConfigured, match="MOTCUA_STORAGE"):
        conf.read({"MOTCUA_STORAGE": "ftp"})
    with pytest.raises(ImproperlyConfigured, match="MOTCUA_PUBLIC_URL"):
        conf.read({"MOTCUA_PUBLIC_URL": "dichvucong.camau.gov.vn"})
    with pytest.raises(ImproperlyConfigured, match="MOTCUA_REDIS_URL"):
        conf.read({"MOTCUA_REDIS_URL": "http://127.0.0.1:6379"})
    with pytest.raises(ImproperlyConfigured, match="MOTCUA_SMS_EXTRA"):
        conf.read({"MOTCUA_SMS_EXTRA": "[1, 2]"})
    values = conf.read({"MOTCUA_STAFF_2FA": "Required", "MOTCUA_KIOSK_NETWORKS": "10.0.0.0/8, 192.168.1.0/24",
                        "MOTCUA_SMS_EXTRA": '{"brandname": "CAMAU"}', "MOTCUA_REDIS_URL": "unix:///run/redis.sock"})
    assert values["MOTCUA_STAFF_2FA"] == "required"
    assert values["MOTCUA_KIOSK_NETWORKS"] == ["10.0.0.0/8", "192.168.1.0/24"]
    assert values["MOTCUA_SMS_EXTRA"] == {"brandname": "CAMAU"}


def test_unset_variables_take_their_one_default_and_secrets_come_from_files(tmp_path):
    values = conf.read({})
    assert values["MOTCUA_PUBLIC_URL"] == "http://127.0.0.1:8000"
    assert values["MOTCUA_OIDC_ALGORITHMS"] == ["RS256", "PS256", "ES256"]
    values["MOTCUA_OIDC_ALGORITHMS"].append("HS256")  # a fresh copy each time
    assert conf.read({})["MOTCUA_OIDC_ALGORITHMS"] == ["RS256", "PS256", "ES256"]
    set_empty = conf.read({"MOTCUA_SITE_NAME": "", "MOTCUA_SMS_AUTH_SCHEME": "", "MOTCUA_PAGE_SIZE": " "})
    assert set_empty["MOTCUA_SITE_NAME"] == values["MOTCUA_SITE_NAME"] and set_empty["MOTCUA_PAGE_SIZE"] == 20
    assert set_empty["MOTCUA_SMS_AUTH_SCHEME"] == ""  # the bare token
    secret = tmp_path / "token"
    secret.write_text("bi-mat\n")
    assert conf.read({"MOTCUA_SYNC_TOKEN_FILE": str(secret)})["MOTCUA_SYNC_TOKEN"] == "bi-mat"


def test_the_system_check_finds_bad_urls_choices_providers_and_storage(settings):
    assert not [e for e in run_checks() if e.id.startswith(("core.E1", "notify.E", "payments.E"))]
    settings.MOTCUA_PUBLIC_URL = "dichvucong.camau.gov.vn"
    settings.MOTCUA_SYNC_AUTH = "token"
    settings.MOTCUA_PAYMENT_PROVIDER = "momo"
    settings.MOTCUA_SMS_BACKEND = "pigeon"
    settings.MOTCUA_STORAGE = "s3"
    found = {e.id for e in run_checks()}
    assert {"core.E101", "core.E102", "payments.E002", "notify.E001", "core.E104"} <= found
