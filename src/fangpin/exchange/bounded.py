"""The bounded reader in Django: the limits from settings (read here only), the readers' entry, and the upload handler
that stops storing an upload once it passes the file-size limit.

settings.UPLOAD_LIMITS overrides any field of fangpin.lib.uploads.Limits. The readers (fangpin.exchange.readers for
exchange files, fangpin.monitoring.feeds for department files) call `check()` before anything else; pages, API,
commands and jobs all read files through those readers.
"""
from __future__ import annotations

import io
from collections.abc import Collection
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from fangpin.lib import uploads
from fangpin.lib.uploads import FileProblem, Limits, UnsafeFile

__all__ = ["FileProblem", "Limits", "UnsafeFile", "UploadTooLarge", "check", "limits", "load_json", "refusal"]


def limits() -> Limits:
    return Limits.from_mapping(getattr(settings, "UPLOAD_LIMITS", None))


def check(path: Path | str, filename: str, *, kinds: Collection[str]) -> str:
    return uploads.inspect(path, filename, limits(), kinds=kinds)


def load_json(path: Path | str, filename: str):
    return uploads.load_json(path, filename, limits())


class UploadTooLarge(UnsafeFile):
    """An upload that passed the file-size limit while it streamed (the API answers 413)."""


class RefusedUpload(UploadedFile):
    """What an upload over the limit becomes: its name and the bytes seen, no content. Reading it raises
    UploadTooLarge; a form field sees it through `refusal()`."""

    def __init__(self, name: str, seen: int, limit: int, content_type: str | None = None):
        super().__init__(io.BytesIO(), name=name, content_type=content_type, size=seen)
        self.refusal = f"文件“{self.name}”超过上限 {uploads.size_text(limit)}，已停止接收，未保存"

    def _refuse(self, *args, **kwargs):
        raise UploadTooLarge(self.refusal, limit="file_bytes")

    chunks = read = open = _refuse

    def multiple_chunks(self, chunk_size=None):
        return False


def refusal(upload) -> str | None:
    """The Chinese message for an upload stopped at the size limit, or None."""
    return getattr(upload, "refusal", None) if isinstance(upload, RefusedUpload) else None


class LimitedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: passes chunks on to Django's memory and temporary-file handlers until a file
    passes `Limits.file_bytes`; then frees what they stored, keeps nothing more of that file (the rest of the request
    is read and dropped, so the disk never holds more than the limit) and hands the view a RefusedUpload."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.limit, self.seen, self.refused = limits().file_bytes, 0, False

    def receive_data_chunk(self, raw_data, start):
        if self.refused:
            return None
        self.seen += len(raw_data)
        if self.seen <= self.limit:
            return raw_data
        self.refused = True
        for handler in getattr(self.request, "upload_handlers", []):
            stored = getattr(handler, "file", None) if handler is not self else None
            if stored is not None:
                stored.close()  # a TemporaryUploadedFile is deleted when closed
        return None

    def file_complete(self, file_size):
        if self.refused:
            return RefusedUpload(self.file_name, self.seen, self.limit, self.content_type)
        return None
