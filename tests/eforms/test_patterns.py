"""Admins' patterns run on RE2: linear time whatever the pattern, Python's Unicode meaning of
\\w \\d \\s kept, what RE2 cannot do refused when saved with a reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from motcua.eforms import patterns
from motcua.eforms.schema import clean_data, validate_schema

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("pattern", "value", "matches"), [
    (r"\w+( \w+)*", "Nguyễn Thị Ánh", True),  # \w: Vietnamese letters, as in Python
    (r"\w+", "Nguyễn!", False),
    (r"\d{9}|\d{12}", "096090001234", True),
    (r"\d{9}|\d{12}", "09609000123", False),
    (r"[\w\s-]+", "Lê Văn-Tám  ", True),
    (r"[^0-9!@#$%^&*()_=+<>?/\\|{}\[\]~`\"]+", "Đỗ Thị Hương", True),  # the demo forms' name pattern
    (r"[^0-9!@#$%^&*()_=+<>?/\\|{}\[\]~`\"]+", "Hương 2", False),
    (r"[]a]+", "a]a", True),  # a "]" first in brackets is a literal, as in Python
    (r"\S+@\S+", "an@example.vn", True),
    (r"(?i)ubnd.*", "UBND xã", True),
])
def test_it_matches_as_python_would_for_these(pattern, value, matches):
    import re

    assert patterns.full_match(pattern, value) is matches
    assert (re.fullmatch(pattern, value) is not None) is matches


@pytest.mark.parametrize(("pattern", "reason"), [
    (r"(a)\1", "tham chiếu ngược"),
    (r"(?=a)a", "nhìn trước"),
    (r"\bxã\b", "ranh giới từ"),
    (r"[\W]", "[^...]"),
    (r"(a", "missing"),
    ("a" * 501, "dài quá"),
])
def test_it_refuses_what_cannot_run_in_linear_time_and_says_why(pattern, reason):
    assert reason in (patterns.problem(pattern) or "")
    schema = [{"key": "x", "label": "X", "type": "text", "validation": {"pattern": pattern}}]
    assert any("biểu thức chính quy" in p for p in validate_schema(schema))


def test_a_catastrophic_pattern_answers_at_once():
    """`(a+)+$` took 12 s on 27 characters with Python's engine (minutes on 40): the check runs in
    a child process that is given 60 s, which the old engine never met on 40 characters."""
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'motcua.settings'); django.setup()\n"
        "from motcua.eforms.schema import clean_data\n"
        "schema = [{'key': 'x', 'label': 'X', 'type': 'text', 'validation': {'pattern': '(a+)+$'}}]\n"
        "cleaned, errors = clean_data(schema, {'x': 'a' * 40 + '!'})\n"
        "assert 'x' in errors, errors\n"
        "cleaned, errors = clean_data(schema, {'x': 'a' * 40})\n"
        "assert errors == {}, errors\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT / "src")),
                   check=True, timeout=60)


def test_a_long_answer_is_not_matched_at_all():
    assert patterns.full_match(r"[a ]*", "a " * 10)
    assert not patterns.full_match(r"[a ]*", "a" * (patterns.MAX_INPUT + 1))
    # Through a form, the length rule (2,000 characters by default) refuses it before any pattern.
    schema = [{"key": "x", "label": "X", "type": "long_text", "validation": {"pattern": r"[a ]*"}}]
    assert "dài quá 2000 ký tự" in clean_data(schema, {"x": "a" * 2001})[1]["x"]
