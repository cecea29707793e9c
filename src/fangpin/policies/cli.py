"""What the policy commands share: the evaluation date and the catalog document, or a Chinese error."""
from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError

from . import catalog


def document_on(policy: str, as_of: str) -> tuple[catalog.Document, dt.date]:
    try:
        day = dt.date.fromisoformat(as_of)
    except ValueError:
        raise CommandError(f"计算日期“{as_of}”应为 YYYY-MM-DD") from None
    docs = catalog.load_catalog()
    if policy not in docs:
        raise CommandError(f"没有 id 为“{policy}”的政策文件；现有：{'、'.join(sorted(docs))}")
    return docs[policy], day
