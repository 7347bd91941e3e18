import pytest

from motcua.core.errors import DomainError


@pytest.mark.parametrize("path", [
    "motcua.dossiers.errors.DossierError", "motcua.dossiers.errors.ActionNotAllowed",
    "motcua.dossiers.paperwork.FormNotAvailable", "motcua.catalog.actions.PublishError",
    "motcua.catalog.actions.OverBudget", "motcua.catalog.actions.NotADraft", "motcua.catalog.importer.CatalogError",
    "motcua.eforms.schema.SchemaError", "motcua.eforms.editing.EditError", "motcua.eforms.patterns.PatternError",
    "motcua.payments.services.PaymentError", "motcua.submissions.services.DraftProblem",
    "motcua.reports.periods.PeriodError", "motcua.worktime.engine.CalendarRangeError",
    "motcua.signing.errors.NotSignable", "motcua.signing.errors.CertificateUnavailable",
    "motcua.accounts.services.ContactTaken",
])
def test_the_domain_errors_share_one_base(path):
    from django.utils.module_loading import import_string

    assert issubclass(import_string(path), DomainError)


def test_errors_that_were_value_errors_still_are():
    from motcua.eforms.schema import SchemaError
    from motcua.worktime.engine import CalendarRangeError

    assert issubclass(SchemaError, ValueError) and issubclass(CalendarRangeError, ValueError)
