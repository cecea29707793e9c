"""Fixtures of the browser tests: Debian's Chromium through Playwright, and the division slice kept."""
import os

import pytest

from .helpers import ARGS, CHROMIUM


def pytest_collection_modifyitems(config, items):
    """The browser tests run once, in the SQLite pass of `make test` (the embedded default a county starts with): what
    a browser sees does not depend on the database, and the PostgreSQL pass covers the server side with the test
    client. FANGPIN_BROWSER_ON_POSTGRES=1 runs them on PostgreSQL too."""
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    if not on_postgres or os.environ.get("FANGPIN_BROWSER_ON_POSTGRES") == "1":
        return
    skip = pytest.mark.skip(reason="浏览器测试在 SQLite 一轮中运行（FANGPIN_BROWSER_ON_POSTGRES=1 时也在 PostgreSQL 上运行）")
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(skip)


@pytest.fixture
def divisions_restored(django_db_blocker):
    """A transactional test flushes every table at its end: have the division slice before the test (an earlier
    browser test may have flushed it) and put it back after, for the tests that follow."""
    from fangpin.orgunits import loading
    from fangpin.orgunits.models import OrgUnit

    with django_db_blocker.unblock():
        if not OrgUnit.objects.exists():
            loading.load(loading.read_slice())
    yield
    with django_db_blocker.unblock():
        loading.load(loading.read_slice())


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: run `make system-deps` (Debian package chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls in fixtures are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    from django.db import connections

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()
        # Connections opened while Playwright's loop runs belong to that loop's context; close them here, or the
        # test database cannot be dropped at the end of the run (PostgreSQL: "being accessed by other users").
        connections.close_all()


@pytest.fixture
def small_demo(divisions_restored, transactional_db, settings, tmp_path):
    """The demo at a small size (200 households in 平鲁区, 20 in 陇县), with its ledgers and indicator snapshots."""
    from django.core.management import call_command

    from fangpin.demo import setup

    settings.VAR_DIR = tmp_path / "var"
    settings.FEEDS_DIR = tmp_path / "feeds"
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(setup, "DEMO_SIZES", {setup.PINGLU: 200, setup.LONGXIAN: 20})
        call_command("demo_setup", "--quiet-accounts")
