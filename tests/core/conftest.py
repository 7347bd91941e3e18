"""The dossier tests' staff and settings fixtures, for the backup tests that make real dossiers."""

from tests.dossiers.conftest import _fast_settings, people  # noqa: F401
