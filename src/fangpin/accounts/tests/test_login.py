import pytest
from django.test import Client
from django.urls import reverse


def test_login_page_is_chinese(client):
    r = client.get(reverse("login"))
    assert r.status_code == 200
    text = r.content.decode()
    assert "防贫监测帮扶系统" in text and "用户名" in text and "密码" in text and 'lang="zh-Hans"' in text


def test_pages_redirect_to_login(client):
    r = client.get("/households/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


def test_login_success_lands_on_overview(world, client):
    r = client.post(reverse("login"), {"username": "county", "password": "secret-pass-1"}, follow=True)
    assert r.status_code == 200
    assert "平鲁区 · 概览" in r.content.decode()


def test_wrong_password_message(world, client):
    r = client.post(reverse("login"), {"username": "county", "password": "nope"})
    assert "用户名或密码不正确" in r.content.decode()


@pytest.mark.parametrize("failures,locked", [(4, False), (5, True)])
def test_repeated_failures_are_throttled(world, failures, locked):
    c = Client(REMOTE_ADDR="10.1.1.1")
    for _ in range(failures):
        c.post(reverse("login"), {"username": "county", "password": "wrong"})
    r = c.post(reverse("login"), {"username": "county", "password": "secret-pass-1"})
    if locked:
        assert r.status_code == 429 and "账户已暂时锁定" in r.content.decode()
    else:
        assert r.status_code == 302


def test_passwords_are_hashed(world):
    assert not world.county.password.startswith("secret") and "$" in world.county.password
