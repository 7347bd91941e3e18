import pytest

from motcua.accounts.models import Membership, User
from motcua.agencies.models import Agency


@pytest.fixture
def citizen(db):
    user = User.objects.create_user("congdan", password="motcua-demo", full_name="Nguyễn Văn A")
    return user


def test_it_signs_in_a_citizen(client, citizen):
    response = client.post("/dang-nhap/", {"username": "congdan", "password": "motcua-demo"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_it_sends_staff_to_the_back_office(client, db):
    agency = Agency.objects.create(unit_code="000.00.01.H12", name="Trung tâm", kind="service_centre")
    user = User.objects.create_user("tiepnhan", password="motcua-demo")
    Membership.objects.create(user=user, agency=agency, role="receptionist")
    response = client.post("/dang-nhap/", {"username": "tiepnhan", "password": "motcua-demo"})
    assert response["Location"] == "/can-bo/"


def test_it_explains_a_wrong_password_and_keeps_the_username(client, citizen):
    response = client.post("/dang-nhap/", {"username": "congdan", "password": "sai"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in text
    assert 'value="congdan"' in text


def test_it_ignores_a_redirect_to_another_site(client, citizen):
    response = client.post(
        "/dang-nhap/?next=https://evil.example/", {"username": "congdan", "password": "motcua-demo"}
    )
    assert response["Location"] == "/"


def test_it_follows_a_local_next(client, citizen):
    response = client.post(
        "/dang-nhap/", {"username": "congdan", "password": "motcua-demo", "next": "/thu-tuc/"}
    )
    assert response["Location"] == "/thu-tuc/"


def test_it_signs_out(client, citizen):
    client.force_login(citizen)
    response = client.post("/dang-xuat/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
