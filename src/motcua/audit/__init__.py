"""Security audit: hash chains (`chain`, `verify_audit`) and the personal-data access log."""


def log_access(request, dossier, what="view", **kwargs):
    """Record that the request's user saw the dossier's personal data (see `access.log_access`)."""
    from .access import log_access as _log

    return _log(request, dossier, what, **kwargs)
