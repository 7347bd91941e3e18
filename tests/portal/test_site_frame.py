"""The portal's frame (core/templates/base.html): the menu and footer link to every public service
(transparency, feedback, result verification, sign-up), once as a desktop bar and once in the
phone's «Menu» disclosure (issue #18)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

LINKS = ["/minh-bach/", "/gop-y/", "/xac-thuc/", "/dang-ky/"]


def _parts(page: str) -> tuple[str, str, str]:
    header = page[page.index("<header"):page.index("</header>")]
    phone = header[header.index('<details class="site-menu">'):header.index("</details>")]
    footer = page[page.index("<footer"):page.index("</footer>")]
    return header, phone, footer


@pytest.mark.parametrize("url", ["/", "/thu-tuc/", "/minh-bach/", "/gop-y/", "/xac-thuc/"])
def test_header_phone_menu_and_footer_link_to_the_public_services(client, catalog, url):
    response = client.get(url)
    assert response.status_code == 200
    header, phone, footer = _parts(response.content.decode())
    for link in LINKS:
        assert f'href="{link}"' in phone, link
        assert f'href="{link}"' in header.replace(phone, ""), link  # the desktop bar
        assert f'href="{link}"' in footer, link
    # The disclosure works without a script: a <summary> that names it.
    assert re.search(r"<summary class=\"site-menu__toggle\">.*Menu</summary>", phone)


def test_the_current_page_is_marked_in_both_menus(client, catalog):
    header, phone, _ = _parts(client.get("/minh-bach/").content.decode())
    assert header.count('href="/minh-bach/" aria-current="page"') == 2


def test_signed_in_people_see_their_dossiers_and_no_sign_up(client, catalog):
    from motcua.accounts.models import User

    client.force_login(User.objects.create_user("congdan_menu"))
    header, phone, footer = _parts(client.get("/").content.decode())
    assert 'href="/ho-so-cua-toi/"' in phone and 'href="/tai-khoan/"' in phone
    assert "/dang-ky/" not in header and "/dang-ky/" not in footer


@pytest.mark.parametrize(("url", "current"), [("/dang-ky/", "/dang-ky/"), ("/dang-nhap/", "/dang-nhap/"),
                                              ("/quen-mat-khau/", None)])
def test_one_link_is_the_current_page_on_the_account_doors(client, db, url, current):
    header, phone, _ = _parts(client.get(url).content.decode())
    wide = header.replace(phone, "")
    marked = re.findall(r'href="([^"?]*)[^"]*" aria-current="page"', wide)
    assert marked == ([current] if current else [])
