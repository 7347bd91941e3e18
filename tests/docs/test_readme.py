"""The README's list of Debian packages is the one scripts/ensure-system-deps.sh installs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_lists_the_packages_the_script_installs():
    script = (ROOT / "scripts" / "ensure-system-deps.sh").read_text(encoding="utf-8")
    installed = set(re.findall(r"need\+=\(([a-z0-9.+-]+)\)", script))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listing = readme.split("the Debian packages of\n`scripts/ensure-system-deps.sh`:", 1)[1].split(". It starts", 1)[0]
    listed = set(re.findall(r"`([a-z0-9][a-z0-9.+-]*)`", listing))
    assert installed and listed == installed
    assert "fonts-liberation2" not in installed  # the fonts ship in the package (documents/fonts/)
