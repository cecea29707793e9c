"""Telling a database that is busy (another writer holds the lock) from a real failure."""
from __future__ import annotations

BUSY_MESSAGE = "系统正忙（可能正在导入或比对大量数据），您的操作未保存，请稍候再试"
_SIGNS = ("database is locked", "database table is locked", "lock timeout", "could not obtain lock",
          "canceling statement due to lock timeout")


def is_busy(exc: BaseException) -> bool:
    """SQLite's 'database is locked' after its busy timeout, PostgreSQL's lock timeouts: an OperationalError that says
    the write could not get its lock in time."""
    return type(exc).__name__ == "OperationalError" and any(sign in str(exc).lower() for sign in _SIGNS)
