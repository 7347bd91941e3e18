"""A draft whose procedure got a new published version meanwhile: it cannot be submitted as it is,
and moves to the new version keeping its answers and its files (by component name)."""

from __future__ import annotations

import copy

from motcua.catalog.importer import import_catalog
from motcua.dossiers.models import Dossier
from motcua.eforms.services import copy_eform

from .conftest import BIRTH, ready_birth_draft, submit, version_of


def test_a_draft_moves_to_the_new_version(web, sample_data):
    draft = ready_birth_draft(web)
    old = draft.version
    changed = copy.deepcopy(sample_data)
    birth = next(p for p in changed["procedures"] if p["code"] == BIRTH)
    birth["requirements"] += " Mang theo bản chính giấy tờ tùy thân."
    import_catalog(changed)
    new = version_of(BIRTH)
    assert new.pk != old.pk
    copy_eform(old, new)

    review = web.get(f"/nop-ho-so/nhap/{draft.pk}/xem-lai/").content.decode()
    assert "chuyển hồ sơ nháp sang phiên bản mới" in review and 'name="submit_key"' not in review
    response = web.post(f"/nop-ho-so/nhap/{draft.pk}/xem-lai/", {"_rebase": "1"})
    assert response.status_code == 200 and "đã chuyển sang phiên bản mới" in response.content.decode()
    draft.refresh_from_db()
    assert draft.version == new and draft.case.version == new
    assert {f.component.version_id for f in draft.files.select_related("component")} == {new.pk}
    assert draft.files.count() == 2 and draft.form_data["child_name"] == "Nguyễn Ngọc Hân"
    assert submit(web, draft).status_code == 302
    assert Dossier.objects.get().procedure_version == new
