"""The department feeds page asks for the month of an increment and says what is wrong with it (never a server
error)."""
import pytest

pytestmark = pytest.mark.django_db


def test_the_upload_form_shows_the_month_and_its_errors(world, client):
    client.force_login(world.county)
    page = client.get("/monitoring/feeds/").content.decode()
    assert 'name="month"' in page
    for bad in ("2026-13", "2026/10", "0000-05"):
        r = client.post("/monitoring/feeds/", {"feed": "medical_insurance", "month": bad})
        assert r.status_code == 200 and "数据月份应写作 2026-03" in r.content.decode(), bad
