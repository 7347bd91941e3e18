"""Where to go after a form: the `next` a page was given, if it is a path on this site.

`redirect()` would treat `next` as a URL name or a model when it is not a path ("api_tokens",
"foo" → NoReverseMatch after the work is saved), so the answer is a plain HttpResponseRedirect
to a checked path, or to the page's own fallback.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, value: str | None) -> str:
    """`value` if it is a path on this site ("/…", not "//host" or "/\\host"), else ""."""
    value = str(value or "")[:2000]
    if not value.startswith("/") or value.startswith(("//", "/\\")):
        return ""
    if not value.isprintable():  # browsers drop tabs and newlines: "/\t/evil.example" is "//evil.example"
        return ""
    if not url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return ""
    return value


def redirect_next(request: HttpRequest, value: str | None, fallback: str) -> HttpResponseRedirect:
    """To `value` when it is a safe path, else to `fallback` (a path or a URL name of ours)."""
    target = safe_next(request, value)
    return HttpResponseRedirect(target) if target else redirect(fallback)
