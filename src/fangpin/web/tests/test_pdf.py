"""The household plan PDF takes its stylesheet from disk: no request from the server to itself."""
import logging

import pytest
from django.test import Client

from fangpin.web.pdf import StaticFilesFetcher


def test_static_files_are_read_from_disk():
    r = StaticFilesFetcher().fetch("https://fangpin.example.gov.cn/static/fangpin/site.css")
    assert r.content_type == "text/css" and b"--blue" in r.read()


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/api/me", "http://intranet.example/x.css",
                                 "http://127.0.0.1:8000/static/../settings.py", "file:///etc/passwd"])
def test_nothing_else_is_fetched(url):
    with pytest.raises(Exception):
        StaticFilesFetcher().fetch(url)


def test_household_plan_pdf_loads_its_stylesheet(world, households, caplog):
    c = Client()
    c.force_login(world.township)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        r = c.get(f"/households/{households['shuangnian'].pk}/plan.pdf")
    assert r.status_code == 200 and r.content[:5] == b"%PDF-"
    assert [rec.getMessage() for rec in caplog.records if rec.name.startswith("weasyprint")] == []
