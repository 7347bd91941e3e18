"""The admin pages of search (#18): synonyms, colloquial names, searches without result."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from motcua.audit.models import ChangeLog
from motcua.catalog import zero_results
from motcua.catalog.models import ColloquialName, Synonym
from motcua.catalog.search import search
from tests.administration.conftest import BIRTH, BUILDING, COMMUNE

PAGE = "/can-bo/quan-tri/tim-kiem/"


def codes(query):
    return [v.procedure.code for v in search(query).select_related("procedure")]


def test_a_provincial_admin_adds_a_synonym_and_search_uses_it(admins, province_client):
    page = province_client.get(PAGE, {"phrase": "giấy chào đời"})
    assert page.status_code == 200
    assert 'value="giấy chào đời"' in page.content.decode()
    response = province_client.post(PAGE, {"add-phrase": "giấy chào đời", "add-meaning": "đăng ký khai sinh"})
    assert response.status_code == 302
    row = Synonym.objects.get(phrase="giấy chào đời")
    log = ChangeLog.objects.get(object_type="catalog.synonym", object_id=str(row.pk))
    assert log.action == "create" and log.actor == admins.province_admin
    assert codes("làm giấy chào đời")[0] == BIRTH


def test_an_agency_admin_reads_the_province_wide_table_but_does_not_change_it(admins, admin_client):
    page = admin_client.get(PAGE)
    assert page.status_code == 200
    assert 'name="add-phrase"' not in page.content.decode()
    assert "Chỉ quản trị cấp tỉnh được sửa bảng này" in page.content.decode()
    assert admin_client.post(PAGE, {"add-phrase": "giấy chào đời", "add-meaning": "khai sinh"}).status_code == 403
    row = Synonym.objects.get(key="cccd")
    assert admin_client.post(f"{PAGE}{row.pk}/", {"phrase": "cccd", "meaning": "x y"}).status_code == 403
    assert admin_client.post(f"{PAGE}{row.pk}/xoa/").status_code == 403
    assert Synonym.objects.get(pk=row.pk).meaning == "thẻ căn cước"
    assert not Synonym.objects.filter(key="giay chao doi").exists()


def test_a_refused_synonym_shows_its_error(admins, province_client):
    response = province_client.post(PAGE, {"add-phrase": "cccd", "add-meaning": "căn cước"})  # seeded already
    assert response.status_code == 400
    assert "đã có trong bảng" in response.content.decode()


@pytest.mark.parametrize("phrase", ["mất", "khai", "Mất"])
def test_one_syllable_is_refused_as_a_synonym(admins, province_client, phrase):
    # Folded, one syllable is several words ("mất", "mật", "mặt"): it would change every query.
    response = province_client.post(PAGE, {"add-phrase": phrase, "add-meaning": ""})
    assert response.status_code == 400
    assert "hai tiếng trở lên" in response.content.decode()
    assert province_client.post(PAGE, {"add-phrase": "cavet xe", "add-meaning": "đăng ký xe"}).status_code == 302


def test_editing_and_deleting_a_synonym_are_logged(admins, province_client):
    row = Synonym.objects.get(key="cccd")
    response = province_client.post(f"{PAGE}{row.pk}/", {"phrase": "cccd", "meaning": "thẻ căn cước công dân"})
    assert response.status_code == 302
    assert Synonym.objects.get(pk=row.pk).meaning == "thẻ căn cước công dân"
    assert province_client.post(f"{PAGE}{row.pk}/xoa/").status_code == 302
    assert not Synonym.objects.filter(pk=row.pk).exists()
    actions = set(ChangeLog.objects.filter(object_type="catalog.synonym", object_id=str(row.pk))
                  .values_list("action", flat=True))
    assert actions == {"update", "delete"}
    assert province_client.get(f"{PAGE}{row.pk}/").status_code == 302  # gone: back to the table


def test_only_admins_edit_the_synonyms(admins, login):
    officer = login(admins.officer)
    assert officer.get(PAGE).status_code == 403
    assert officer.post(PAGE, {"add-phrase": "x y", "add-meaning": "z"}).status_code == 403
    assert not Synonym.objects.filter(key="x y").exists()


def test_colloquial_names_of_own_procedures_only(admins, admin_client, other_admin_client):
    url = f"{PAGE}thu-tuc/{BIRTH}/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"name": "giấy khai sinh cho bé"}).status_code == 302
    row = ColloquialName.objects.get(procedure_code=BIRTH, key="giay khai sinh cho be")
    assert ChangeLog.objects.filter(object_type="catalog.colloquialname", object_id=str(row.pk),
                                    agency__unit_code=COMMUNE).exists()
    assert other_admin_client.post(url, {"name": "khác"}).status_code == 403
    assert other_admin_client.post(f"{url}{row.pk}/xoa/").status_code == 403
    assert admin_client.post(f"{PAGE}thu-tuc/{BUILDING}/", {"name": "xin phép xây"}).status_code == 403
    assert admin_client.post(f"{url}{row.pk}/xoa/").status_code == 302
    assert not ColloquialName.objects.filter(pk=row.pk).exists()
    assert admin_client.get(f"{PAGE}thu-tuc/", {"ma": BIRTH}).url == url
    assert admin_client.get(f"{PAGE}thu-tuc/9.999999/").status_code == 404


def test_admins_and_supervisors_see_the_months_searches_without_result(admins, admin_client, province_client,
                                                                      login):
    from motcua.accounts.models import Membership, Role, User

    now = timezone.now()
    for _ in range(3):
        zero_results.record("trợ cấp thất nghiệp", at=now)
    zero_results.record("giay phep lao dong", at=now)
    zero_results.record("cu qua", at=now - dt.timedelta(days=40))
    page = admin_client.get(f"{PAGE}khong-ket-qua/")
    text = page.content.decode()
    assert page.status_code == 200
    assert text.index("tro cap that nghiep") < text.index("giay phep lao dong")
    assert "cu qua" not in text
    assert "?phrase=" not in text  # the province-wide table is the provincial admin's
    province = province_client.get(f"{PAGE}khong-ket-qua/").content.decode()
    assert f'href="{PAGE}?phrase=tro+cap+that+nghiep#id_add-phrase"' in province

    supervisor = User.objects.create_user("gs_tanthanh", full_name="Giám sát")
    Membership.objects.create(user=supervisor, agency=admins.commune, role=Role.SUPERVISOR)
    seen = login(supervisor).get(f"{PAGE}khong-ket-qua/", {"thang": "2099-01"})
    assert seen.status_code == 200
    assert "tro cap that nghiep" in seen.content.decode()  # a future month reads as this month
    assert "?phrase=" not in seen.content.decode()  # no link to a page supervisors cannot use
    assert login(supervisor).get(PAGE).status_code == 403
    assert login(admins.officer).get(f"{PAGE}khong-ket-qua/").status_code == 403


@pytest.mark.parametrize("month", ["", "abc", "2026-13", "\x00", "9" * 50])
def test_odd_months_read_as_this_month(admins, admin_client, month):
    assert admin_client.get(f"{PAGE}khong-ket-qua/", {"thang": month}).status_code == 200


def test_the_portal_counts_a_search_without_result(client, catalog):
    from motcua.catalog.models import ZeroResultQuery

    client.get("/thu-tuc/", {"q": "Giấy phép lao động"})
    client.get("/thu-tuc/", {"q": "khai sinh"})  # matched: not counted
    assert list(ZeroResultQuery.objects.values_list("query", flat=True)) == ["giay phep lao dong"]
