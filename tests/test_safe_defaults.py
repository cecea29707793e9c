"""Safe defaults: DEBUG off unless asked for, a secret key of this installation's own, and deployment checks that
are clean over HTTPS and name only the HTTPS switches without it (docs/deployment.md)."""
import io
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks
from django.core.management import call_command
from django.test import override_settings

OLD_CONSTANT = "dev-only-insecure-key-change-me-in-production"
HTTPS_WARNINGS = {"security.W004", "security.W008", "security.W012", "security.W016"}
BIN = Path(sys.executable).parent


@pytest.fixture(autouse=True)
def _as_deployed(monkeypatch):
    # The browser tests allow Django's ORM in Playwright's event loop for the whole session (async.E001 in a
    # deployment check); a deployment does not set it.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)


def clean_env(var_dir, **extra) -> dict:
    """The environment of a fresh installation: nothing of ours set but the data folder."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    return keep | {"FANGPIN_VAR_DIR": str(var_dir)} | extra


def settings_in_subprocess(var_dir, **extra) -> tuple[str, str]:
    code = ("import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'fangpin.settings'\n"
            "from django.conf import settings\nprint(settings.DEBUG); print(settings.SECRET_KEY)")
    out = subprocess.run([sys.executable, "-c", code], env=clean_env(var_dir, **extra), cwd=var_dir,
                         capture_output=True, text=True, check=True).stdout
    debug, key = out.splitlines()
    return debug, key


def test_debug_is_off_unless_asked_for(tmp_path):
    assert settings_in_subprocess(tmp_path)[0] == "False"
    assert settings_in_subprocess(tmp_path, FANGPIN_DEBUG="1")[0] == "True"


def test_secret_key_is_made_once_per_installation_and_kept_private(tmp_path):
    _, first = settings_in_subprocess(tmp_path)
    _, second = settings_in_subprocess(tmp_path)
    assert first == second and first != OLD_CONSTANT and len(first) >= 50
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    (tmp_path / "elsewhere").mkdir()
    _, other = settings_in_subprocess(tmp_path / "elsewhere")
    assert other != first  # each installation its own


def test_processes_starting_together_get_the_same_key(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from fangpin.settings import _installation_secret

    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(_installation_secret, [tmp_path / "secret_key"] * 32))
    assert len(keys) == 1 and list(tmp_path.iterdir()) == [tmp_path / "secret_key"]


def test_secret_key_from_the_environment_wins_and_writes_no_file(tmp_path):
    _, key = settings_in_subprocess(tmp_path, FANGPIN_SECRET_KEY="k" * 60)
    assert key == "k" * 60 and not (tmp_path / "secret_key").exists()


def test_the_source_holds_no_secret_key():
    from fangpin import settings

    assert OLD_CONSTANT not in Path(settings.__file__).read_text(encoding="utf-8")


def deploy_check_ids() -> set[str]:
    return {m.id for m in checks.run_checks(include_deployment_checks=True) if m.level >= checks.WARNING}


HTTPS_OFF = dict(SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False,
                 SECURE_HSTS_SECONDS=0, SECURE_HSTS_INCLUDE_SUBDOMAINS=False, SECURE_HSTS_PRELOAD=False)
HTTPS_ON = dict(SECURE_SSL_REDIRECT=True, SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True,
                SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=True)


@override_settings(DEBUG=False, **HTTPS_OFF)
def test_deploy_check_without_https_names_only_the_https_switches():
    assert deploy_check_ids() == HTTPS_WARNINGS


@override_settings(DEBUG=False, **HTTPS_ON)
def test_deploy_check_over_https_is_clean():
    out, err = io.StringIO(), io.StringIO()
    call_command("check", deploy=True, stdout=out, stderr=err)
    assert deploy_check_ids() == set()
    assert err.getvalue() == "" and "System check identified no issues (0 silenced)" in out.getvalue()


def fangpin_check_deploy(var_dir, **extra) -> subprocess.CompletedProcess:
    """The settings module itself, in the environment of a fresh installation, as a deployer runs the check."""
    return subprocess.run([str(BIN / "fangpin"), "check", "--deploy", "--fail-level", "WARNING"],
                          env=clean_env(var_dir, **extra), cwd=var_dir, capture_output=True, text=True)


def test_fangpin_check_deploy_by_default_names_only_the_https_switches(tmp_path):
    r = fangpin_check_deploy(tmp_path)
    assert r.returncode != 0
    assert set(re.findall(r"\((\w+\.[EW]\d+)\)", r.stderr)) == HTTPS_WARNINGS, r.stderr


def test_fangpin_check_deploy_with_fangpin_https_is_clean(tmp_path):
    r = fangpin_check_deploy(tmp_path, FANGPIN_HTTPS="1")
    assert r.returncode == 0, r.stderr
    assert "System check identified no issues (0 silenced)" in r.stdout
