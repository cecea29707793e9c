"""Temporary files for uploads and downloads that leave nothing behind."""
from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO


def built_file(build: Callable[[Path], None], suffix: str = "") -> BinaryIO:
    """Build a file at a temporary path and return it open for reading; the path is unlinked at once."""
    fd, path = tempfile.mkstemp(suffix=suffix)
    os.close(fd)
    try:
        build(Path(path))
        return open(path, "rb")
    finally:
        os.unlink(path)


@contextlib.contextmanager
def saved(chunks: Iterable[bytes]) -> Iterator[Path]:
    """Write an upload's chunks to a temporary file; removed when the block ends."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload"
        with open(path, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
        yield path


@contextlib.contextmanager
def saved_all(uploads: Iterable[tuple[str, Iterable[bytes]]]) -> Iterator[list[tuple[str, Path]]]:
    """Several uploads (name, chunks) written to temporary files: [(name, path)]; removed when the block ends."""
    with tempfile.TemporaryDirectory() as tmp:
        out = []
        for i, (name, chunks) in enumerate(uploads):
            path = Path(tmp) / f"upload-{i}"
            with open(path, "wb") as fh:
                for chunk in chunks:
                    fh.write(chunk)
            out.append((name, path))
        yield out
