"""API tests reuse the back office's people and dossier helpers (real action layer)."""

from tests.backoffice.conftest import _media, login, people  # noqa: F401
