"""Writes of an agency's own settings: locked, written and logged in one transaction (the house
rule of `dossiers/actions.py` and `catalog/actions.py`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.accounts.admin_scope import administers_above
from motcua.audit import changelog
from motcua.audit.models import ChangeAction
from motcua.core.errors import DomainError

from .models import Agency

# What an agency prints on its papers (TT 03/2025 forms) and its "due soon" share.
FORM_SETTINGS = ("place_name", "abbreviation", "head_name", "head_title", "soon_share")


def form_settings(agency: Agency) -> dict[str, Any]:
    return {name: getattr(agency, name) for name in FORM_SETTINGS}


@transaction.atomic
def update_form_settings(agency: Agency | int, *, actor, values: Mapping[str, Any]) -> Agency:
    """Set the agency's form settings (the given keys of FORM_SETTINGS); a change-log row when
    anything changed."""
    pk = agency.pk if isinstance(agency, Agency) else int(agency)
    locked = Agency.objects.select_for_update().get(pk=pk)
    before = form_settings(locked)
    for name in FORM_SETTINGS:
        if name in values:
            setattr(locked, name, values[name])
    locked.save(update_fields=list(FORM_SETTINGS))
    after = form_settings(locked)
    if before != after:
        changelog.record(actor, locked, ChangeAction.UPDATE, before=before, after=after, agency=locked)
    return locked


# What an agency decides about fees due at submission of level-4 dossiers (docs/payments.md).
FEE_SETTINGS = ("fee_deadline_amount", "fee_deadline_unit", "fee_reminder_hours", "fee_expiry_action")


def fee_settings(agency: Agency) -> dict[str, Any]:
    return {name: getattr(agency, name) for name in FEE_SETTINGS}


@transaction.atomic
def update_fee_settings(agency: Agency | int, *, actor, values: Mapping[str, Any]) -> Agency:
    """Set the agency's fee payment settings (the given keys of FEE_SETTINGS); a change-log row
    when anything changed."""
    pk = agency.pk if isinstance(agency, Agency) else int(agency)
    locked = Agency.objects.select_for_update().get(pk=pk)
    before = fee_settings(locked)
    for name in FEE_SETTINGS:
        if name in values:
            setattr(locked, name, values[name])
    locked.full_clean(exclude=[f.name for f in Agency._meta.fields if f.name not in FEE_SETTINGS])
    locked.save(update_fields=list(FEE_SETTINGS))
    after = fee_settings(locked)
    if before != after:
        changelog.record(actor, locked, ChangeAction.UPDATE, before=before, after=after, agency=locked)
    return locked


# The agency's registered electronic receipt (biên lai điện tử): form number and series.
RECEIPT_SETTINGS = ("e_receipt_form_number", "e_receipt_series")


def receipt_settings(agency: Agency) -> dict[str, Any]:
    return {name: getattr(agency, name) for name in RECEIPT_SETTINGS}


def receipt_configured(agency: Agency) -> bool:
    return bool(agency.e_receipt_form_number and agency.e_receipt_series)


@transaction.atomic
def update_receipt_settings(agency: Agency | int, *, actor, values: Mapping[str, Any]) -> Agency:
    """Set the agency's e-receipt form number and series (the given keys of RECEIPT_SETTINGS,
    spaces collapsed); a change-log row when anything changed."""
    pk = agency.pk if isinstance(agency, Agency) else int(agency)
    locked = Agency.objects.select_for_update().get(pk=pk)
    before = receipt_settings(locked)
    for name in RECEIPT_SETTINGS:
        if name in values:
            setattr(locked, name, "".join(str(values[name] or "").split())[:20])
    locked.save(update_fields=list(RECEIPT_SETTINGS))
    after = receipt_settings(locked)
    if before != after:
        changelog.record(actor, locked, ChangeAction.UPDATE, before=before, after=after, agency=locked)
    return locked


# Four eyes on the catalogue: whether a second admin must approve each publication (catalog.actions).
PUBLICATION_SETTINGS = ("publication_review",)


def publication_settings(agency: Agency) -> dict[str, Any]:
    return {name: getattr(agency, name) for name in PUBLICATION_SETTINGS}


class SettingRefused(DomainError):
    """The actor may not make this change of the agency's settings."""


@transaction.atomic
def update_publication_settings(agency: Agency | int, *, actor, values: Mapping[str, Any]) -> Agency:
    """Set whether the agency's publications need a second admin's approval; a change-log row when it
    changed. Drafts already waiting keep waiting (their reviewer still decides). The agency's own
    admin may switch it on, but only an admin of a parent agency (or a provincial admin) may switch
    it off (SettingRefused): otherwise a proposer would switch four eyes off and publish alone. The
    system itself (no actor: the demo, the tests' set-up) is not refused."""
    pk = agency.pk if isinstance(agency, Agency) else int(agency)
    locked = Agency.objects.select_for_update().get(pk=pk)
    before = publication_settings(locked)
    if "publication_review" in values:
        turning_off = locked.publication_review and not values["publication_review"]
        if turning_off and actor is not None and not administers_above(actor, locked):
            raise SettingRefused(_("Chỉ quản trị của cơ quan cấp trên (hoặc quản trị cấp tỉnh) được tắt yêu cầu "
                                   "người thứ hai duyệt khi công bố của %(agency)s.") % {"agency": locked.name})
        locked.publication_review = bool(values["publication_review"])
    locked.save(update_fields=list(PUBLICATION_SETTINGS))
    after = publication_settings(locked)
    if before != after:
        changelog.record(actor, locked, ChangeAction.UPDATE, before=before, after=after, agency=locked)
    return locked
