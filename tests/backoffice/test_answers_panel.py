"""Officers see what the citizen typed: the answers panel (the dossier page, the online check) in the
sections and labels of the form version, and the dossier's subject beside the applicant in the lists
and the search."""

from __future__ import annotations

import re

import pytest

from motcua.dossiers import actions
from tests.answers import valid_answers

from .conftest import BIRTH, counter_dossier, online_dossier, version_of


@pytest.fixture
def demo(people):
    from motcua.eforms.services import load_demo_eforms

    load_demo_eforms()
    return people


def _births(people):
    version = version_of(BIRTH)
    first = online_dossier(people, form_data=valid_answers(version, child_name="Nguyễn Thị Bé", hometown=None,
                                                           has_father=False))
    second = online_dossier(people, form_data=valid_answers(version, child_name="Nguyễn Văn Út"))
    return first, second


def _panel(page: str) -> str:
    match = re.search(r'<section class="panel bo-answers".*?</section>', page, re.S)
    assert match, "no answers panel"
    return match.group(0)


def test_the_online_queue_tells_two_births_of_one_parent_apart(demo, login):
    first, second = _births(demo)
    page = login(demo.receptionist).get("/can-bo/cho-tiep-nhan/").content.decode()
    assert page.count("Nguyễn Văn An") >= 2  # the same applicant…
    assert "Đối tượng: Nguyễn Thị Bé" in page and "Đối tượng: Nguyễn Văn Út" in page  # …two children


def test_the_check_page_shows_the_answers_in_the_forms_sections(demo, login):
    first, _second = _births(demo)
    page = login(demo.receptionist).get(f"/can-bo/cho-tiep-nhan/{first.code}/").content.decode()
    panel = _panel(page)
    assert '<h2 id="s-answers">Nội dung tờ khai</h2>' in panel
    titles = re.findall(r'<h3 class="bo-answers__section">(.*?)</h3>', panel)
    assert titles[:2] == ["I. Người yêu cầu", "II. Người được đăng ký khai sinh"]
    assert "<dt>Họ, chữ đệm, tên</dt>" in panel and "<dd>Nguyễn Thị Bé</dd>" in panel
    # Left empty: a dash for the eye, words for a screen reader; hidden fields are not listed.
    assert '<dt>Quê quán</dt>' in panel
    assert 'aria-hidden="true">—</span><span class="visually-hidden">Không điền' in panel
    father = panel.split('<h3 class="bo-answers__section">IV. Thông tin người cha</h3>')[1].split("<h3")[0]
    assert re.findall(r"<dt>(.*?)</dt>", father) == ["Có thông tin người cha"]


def test_the_dossier_page_shows_the_answers_and_the_subject(demo, login):
    first, _second = _births(demo)
    actions.receive(first, actor=demo.receptionist)
    page = login(demo.officer).get(f"/can-bo/ho-so/{first.code}/").content.decode()
    assert "<dt>Đối tượng của hồ sơ</dt><dd>Nguyễn Thị Bé</dd>" in page
    assert "<dd>Nguyễn Thị Bé</dd>" in _panel(page)
    paper = counter_dossier(demo)
    page = login(demo.officer).get(f"/can-bo/ho-so/{paper.code}/").content.decode()
    assert "Hồ sơ không có tờ khai điện tử" in _panel(page) and "Đối tượng của hồ sơ" not in page


def test_staff_find_a_dossier_by_its_subject(demo, login):
    first, second = _births(demo)
    for dossier in (first, second):
        actions.receive(dossier, actor=demo.receptionist)
    page = login(demo.receptionist).get("/can-bo/", {"scope": "all", "q": "Văn Út"}).content.decode()
    assert second.code in page and first.code not in page
    assert "Đối tượng: Nguyễn Văn Út" in page


def test_the_admin_picks_the_subject_in_the_eform_builder(demo, login):
    from motcua.catalog.actions import start_draft
    from motcua.catalog.models import Procedure
    from motcua.eforms.models import EForm

    draft = start_draft(Procedure.objects.get(code=BIRTH))
    url = f"/can-bo/quan-tri/thu-tuc/{BIRTH}/ban-nhap/bieu-mau/thiet-lap/"
    c = login(demo.admin)
    page = c.get(url).content.decode()
    assert '<option value="child_name" selected>Họ, chữ đệm, tên của trẻ</option>' in page
    assert 'value="has_father"' not in page  # a yes/no cannot name a dossier
    response = c.post(url, {"title": "Tờ khai đăng ký khai sinh", "component": "", "subject_field": "mother_name"})
    assert response.status_code == 302, re.findall(r'invalid-feedback[^>]*>([^<]*)', response.content.decode())
    assert EForm.objects.get(procedure_version=draft).subject_field == "mother_name"
    response = c.post(url, {"title": "Tờ khai đăng ký khai sinh", "component": "", "subject_field": "has_father"})
    assert response.status_code == 400
    assert EForm.objects.get(procedure_version=draft).subject_field == "mother_name"
