"""Architecture tests reuse the back office's people and dossier helpers (real action layer)."""

from tests.backoffice.conftest import _media, people  # noqa: F401
