"""Audit tests reuse the back office's people and dossier helpers (real action layer) and the
submission wizard's e-forms."""

from tests.backoffice.conftest import _media, login, people  # noqa: F401
from tests.submissions.conftest import eforms  # noqa: F401
