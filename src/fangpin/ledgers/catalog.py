"""Every ledger the system keeps, by key (each declared in its domain app's ledger.py)."""
from __future__ import annotations

from fangpin.funds.ledger import LEDGER as FUNDS

from .base import Ledger

LEDGERS: dict[str, Ledger] = {ledger.key: ledger for ledger in (FUNDS,)}


def get(key: str) -> Ledger:
    from django.http import Http404

    try:
        return LEDGERS[key]
    except KeyError:
        raise Http404("没有该台账") from None
