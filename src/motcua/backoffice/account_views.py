"""«Tài khoản cán bộ»: the staff member's own account page in the back office (issue #18).

The citizen profile speaks of submitting dossiers and holds the fields that prefill e-forms; a
staff member needs something else from the back office: who they are signed in as, their
agencies and roles, and the way to their password, two-factor sign-in, personal signing
certificate and API tokens. Names and contacts of staff are kept by the agency admin (Cán bộ),
so this page shows them and does not edit them.
"""

from __future__ import annotations

from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from motcua.accounts import twofactor
from motcua.signing import personal
from motcua.staff.access import staff_required
from motcua.staff.pages import staff_render


@never_cache
@require_safe
@staff_required
def my_account(request):
    user = request.user
    enrolled = twofactor.has_totp(user)
    return staff_render(request, "backoffice/account.html", {
        "account": user,
        "two_factor_mode": twofactor.mode(),
        "two_factor_on": enrolled,
        "backup_left": twofactor.backup_codes_left(user) if enrolled else 0,
        "certificate": personal.current(user),
        "nav": "account",
    })
