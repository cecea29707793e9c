"""Error pages and API errors say what happened in Chinese and show no internals; the API docs need no CDN."""
import logging
import re

from django.test import Client, RequestFactory

from fangpin.api.routes import SERVER_ERROR
from fangpin.web.errors import ReporterFilter


def client(user, **kwargs):
    c = Client(**kwargs)
    c.force_login(user)
    return c


def test_unknown_page_is_a_chinese_404_inside_the_site(world):
    r = client(world.clerk).get("/no-such-page/")
    assert r.status_code == 404
    text = r.content.decode()
    assert "页面不存在" in text and "返回概览" in text
    assert "fangpin/site.css" in text  # the site's own page, with its menu and style


def test_an_error_in_a_page_is_a_chinese_500_without_internals(world, monkeypatch):
    from fangpin.registry import selectors

    def broken(**kwargs):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(selectors, "area_counts", broken)
    r = client(world.clerk, raise_request_exception=False).get("/")
    assert r.status_code == 500
    text = r.content.decode()
    assert "服务器内部错误" in text and "错误已记录" in text
    assert "hunter2" not in text and "Traceback" not in text and "RuntimeError" not in text


def test_an_unhandled_api_error_is_json_without_internals_and_is_logged(world, monkeypatch, caplog):
    from fangpin.registry import selectors

    def broken(**kwargs):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(selectors, "household_list", broken)
    with caplog.at_level(logging.ERROR, logger="fangpin.api.routes"):
        r = client(world.clerk, raise_request_exception=False).get("/api/households")
    assert r.status_code == 500
    assert r["Content-Type"].startswith("application/json")
    assert r.json() == {"detail": SERVER_ERROR}
    assert "hunter2" not in r.content.decode()
    [record] = [rec for rec in caplog.records if rec.name == "fangpin.api.routes"]
    assert "/api/households" in record.getMessage() and "hunter2" in str(record.exc_info[1])


def test_api_validation_errors_are_still_422(world):
    r = client(world.clerk).get("/api/households", {"page": "erste"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "page"


def test_api_not_found_is_still_404(world):
    r = client(world.clerk).get("/api/households/999999999")
    assert r.status_code == 404


def test_error_reports_hide_the_database_url():
    request = RequestFactory().get("/", DATABASE_URL="postgres://fangpin:hunter2@db/fangpin")
    meta = ReporterFilter().get_safe_request_meta(request)
    assert "hunter2" not in meta["DATABASE_URL"]


def test_site_css_loads_with_debug_off(world, settings):
    assert settings.DEBUG is False
    c = client(world.clerk)
    page = c.get("/").content.decode()
    [href] = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    r = c.get(href)
    assert r.status_code == 200 and r["Content-Type"].startswith("text/css")


def test_api_docs_load_swagger_ui_from_this_server(world):
    c = client(world.clerk)
    r = c.get("/api/docs")
    assert r.status_code == 200
    page = r.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert any(u.endswith("swagger-ui-bundle.js") for u in urls) and any(u.endswith("swagger-ui.css") for u in urls)
    assert "cdn" not in page.lower()
    for url in urls:
        assert url.startswith("/static/"), url
        asset = c.get(url)
        assert asset.status_code == 200, url
        asset.close()


def test_an_unknown_api_path_is_json(world):
    r = client(world.clerk).get("/api/no-such-thing")
    assert r.status_code == 404 and r.json() == {"detail": "接口不存在"}
