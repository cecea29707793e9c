"""Imports as background jobs (Django's tasks API; `fangpin db_worker` runs them, the page shows the progress).

A county's whole registry takes minutes to check and write; in the request it would hold a web worker that long and,
on SQLite, keep other writers waiting. The file is saved under VAR_DIR/imports, the job row tells the page where it
stands, and the progress of the write pass goes to a small file beside it: the write pass is one transaction, and on
SQLite no other connection could update the job row while it runs.
"""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import timezone

from fangpin.accounts import access

from . import importer, workbooks
from .models import ImportJob
from .readers import ExchangeFile, FileProblem
from .tasks import run_import

PROGRESS_EVERY = 1000  # rows


def _dir() -> Path:
    d = Path(settings.VAR_DIR) / "imports"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _require(user, ledger: str) -> None:
    if ledger:
        access.require_keep(user, ledger)
    else:
        access.require(user, "registry.import")


def import_submit(*, user, chunks, filename: str, ledger: str = "") -> ImportJob:
    """Save the upload and queue its import into the registry, or into a ledger (its key); the job runs in the worker
    (in the request under tests)."""
    _require(user, ledger)
    stored = f"{secrets.token_hex(12)}{Path(filename).suffix.lower()[:10]}"
    with open(_dir() / stored, "wb") as fh:
        for chunk in chunks:
            fh.write(chunk)
    job = ImportJob.objects.create(user=user, filename=filename[:255], stored_name=stored, ledger=ledger)
    run_import.enqueue(job.pk)
    job.refresh_from_db()
    return job


def job_get(*, user, pk: int) -> ImportJob:
    """A job is its importer's own: nobody else sees the file's rows or errors."""
    job = get_object_or_404(ImportJob, pk=pk, user=user)
    _require(user, job.ledger)
    return job


def jobs_recent(*, user, limit: int = 10, ledger: str = ""):
    if not (access.can_keep(user, ledger) if ledger else access.can(user, "registry.import")):
        return ImportJob.objects.none()
    return ImportJob.objects.filter(user=user, ledger=ledger).order_by("-created_at")[:limit]


def progress(job: ImportJob) -> dict:
    """{"phase": "checking"|"writing", "rows": n} as the running job last wrote it."""
    try:
        return json.loads((_dir() / f"{job.stored_name}.progress").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def report_path(job: ImportJob) -> Path | None:
    return _dir() / job.report_name if job.report_name else None


def execute(job_id: int) -> None:
    job = ImportJob.objects.select_related("user", "user__org_unit").get(pk=job_id)
    if job.finished:
        return
    path = _dir() / job.stored_name
    progress_file = _dir() / f"{job.stored_name}.progress"

    def report(phase: str, rows: int) -> None:
        tmp = progress_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"phase": phase, "rows": rows}), encoding="utf-8")
        os.replace(tmp, progress_file)

    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    catalog = None
    try:
        if job.ledger:
            from fangpin.ledgers import catalog as ledgers
            from fangpin.ledgers import importer as ledger_importer

            ledger = ledgers.LEDGERS[job.ledger]
            catalog = ledger.catalog
            result = ledger_importer.import_file(user=job.user, ledger=ledger, path=path, filename=job.filename)
        else:
            result = importer.import_file(user=job.user, path=path, filename=job.filename, progress=report)
    except Exception:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, finished_at=timezone.now())
        path.unlink(missing_ok=True)  # a failed job keeps no uploaded rows on disk either
        raise
    finally:
        progress_file.unlink(missing_ok=True)
    job.kind = result.kind
    job.counts = result.counts
    job.problem_count = len(result.problems)
    job.problems = [{"sheet": p.sheet, "row": p.row, "column": p.column, "letter": p.letter, "value": p.value,
                     "message": p.message} for p in result.problems[:1000]]
    if not result.ok and result.kind == "excel":
        try:
            job.report_name = f"{job.stored_name}-report.xlsx"
            f = ExchangeFile(path, job.filename, **({"catalog": catalog} if catalog else {}))
            workbooks.write_error_report(f, result, _dir() / job.report_name)
        except FileProblem:
            job.report_name = ""
    job.status = ImportJob.Status.DONE if result.ok else ImportJob.Status.REFUSED
    job.finished_at = timezone.now()
    job.save()
    path.unlink(missing_ok=True)  # the rows are in the registry (or were refused); the report keeps what is needed
