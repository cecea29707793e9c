"""A database held by another writer past the timeout: the user is told in Chinese that the system is busy (503),
never shown a 500, on pages, on the API and at login."""
import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client

from fangpin.lib.busy import BUSY_MESSAGE
from fangpin.registry import services


FORM = {"category": "lifted", "monitor_type": "", "lifted_year": "", "address": "x", "phone": "",
        "contracted_land_mu": "1", "grain_area_mu": "1"}


def locked(*args, **kwargs):
    raise OperationalError("database is locked")


@pytest.fixture
def busy_client(world):
    c = Client(raise_request_exception=False)  # as a real server answers
    c.force_login(world.county)
    return c


def test_a_page_write_while_busy_says_busy(world, households, busy_client, monkeypatch):
    monkeypatch.setattr(services, "household_update", locked)
    h = households["shuangnian"]
    r = busy_client.post(f"/households/{h.pk}/edit/", FORM)
    assert r.status_code == 503 and r["Retry-After"] and BUSY_MESSAGE in r.content.decode()


def test_an_api_write_while_busy_says_busy(world, households, busy_client, monkeypatch):
    monkeypatch.setattr(services, "household_update", locked)
    r = busy_client.patch(f"/api/households/{households['shuangnian'].pk}", data={"address": "x"},
                          content_type="application/json")
    assert r.status_code == 503 and r.json() == {"detail": BUSY_MESSAGE}


def test_a_login_while_busy_says_busy(world, monkeypatch):
    from django.contrib.sessions.backends.db import SessionStore

    monkeypatch.setattr(SessionStore, "save", locked)  # the session is written after the view, in the middleware
    r = Client(raise_request_exception=False).post("/accounts/login/", {"username": "clerk", "password": "secret-pass-1"})
    assert r.status_code == 503 and BUSY_MESSAGE in r.content.decode()


def test_another_database_error_is_still_a_500(world, households, busy_client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("no such table: registry_household")

    monkeypatch.setattr(services, "household_update", broken)
    r = busy_client.post(f"/households/{households['shuangnian'].pk}/edit/", FORM)
    assert r.status_code == 500 and "系统正忙" not in r.content.decode()


def test_sqlite_writers_queue_instead_of_failing():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite settings")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 20
    assert "journal_mode=WAL" in options["init_command"]
