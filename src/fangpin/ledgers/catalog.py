"""Every ledger the system keeps, by key: each installed domain app with a `ledger.py` declares one (its LEDGER) or
more (its LEDGERS), in the order of INSTALLED_APPS. Read once the apps are loaded (pages, API, jobs, commands)."""
from __future__ import annotations

import importlib
import importlib.util

from django.apps import apps

from .base import Ledger


def _discover() -> dict[str, Ledger]:
    out = {}
    for app in apps.get_app_configs():
        if importlib.util.find_spec(f"{app.name}.ledger") is not None:
            module = importlib.import_module(f"{app.name}.ledger")
            # an app declares its LEDGER, or several as LEDGERS (industry: linkage and five haves)
            for ledger in getattr(module, "LEDGERS", None) or (getattr(module, "LEDGER", None),):
                if isinstance(ledger, Ledger):  # payments.ledger is the payment ledger's module, not a declaration
                    out[ledger.key] = ledger
    return out


LEDGERS: dict[str, Ledger] = _discover()


def get(key: str) -> Ledger:
    from django.http import Http404

    try:
        return LEDGERS[key]
    except KeyError:
        raise Http404("没有该台账") from None
