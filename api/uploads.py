"""Receiving uploads safely: a body-size cap enforced while the request streams in, a clean file
name, and a private temporary file under ``DATA_DIR/uploads`` that is removed afterwards.

The limit is ``settings.max_upload_bytes`` for the file itself; the request body may exceed it by
:data:`MULTIPART_OVERHEAD` for the multipart framing. Both are checked as bytes arrive, so an
oversized upload is refused without being read to the end.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gwersi.errors import GwersiError
from ingest.errors import FileTooLargeError

MULTIPART_OVERHEAD = 64 * 1024
SYNC_MAX_BYTES = 2 * 1024 * 1024
"""Uploads up to this size are processed in the request by default; larger ones become jobs."""
CHUNK = 1024 * 1024
UPLOAD_PATH = "/uploads"
_UNSAFE = re.compile(r"[^\w.() -]+")

UPLOAD_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "A review as PDF, DOCX, TXT or Markdown. The type is read from "
                            "the bytes; the extension must agree.",
                        }
                    },
                }
            }
        },
    }
}


@dataclass(frozen=True)
class SavedUpload:
    """An upload written to a private temporary folder."""

    path: Path
    name: str
    size: int

    def remove(self) -> None:
        """Delete the temporary folder and file."""
        shutil.rmtree(self.path.parent, ignore_errors=True)


def safe_filename(raw: str | None) -> str:
    """The last path part of ``raw`` with anything unusual replaced (no traversal, no hidden files)."""
    name = PurePosixPath((raw or "").replace("\\", "/")).name
    name = unicodedata.normalize("NFKC", name)
    name = _UNSAFE.sub("_", name).strip(" .")
    if not name:
        return "upload"
    stem, dot, ext = name.rpartition(".")
    if dot and len(name) > 120:
        return stem[: 119 - len(ext)] + "." + ext[:10]
    return name[:120]


class UploadLimitMiddleware:
    """Refuse an upload request body bigger than the limit, checking as it streams (413)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, path: str = UPLOAD_PATH) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") != self.path or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        declared = _content_length(scope)
        seen = 0

        def too_large() -> HTTPException:
            return HTTPException(413, f"the upload is larger than the {limit - MULTIPART_OVERHEAD:,}-byte limit")

        async def limited_receive() -> Message:
            nonlocal seen
            if declared is not None and declared > limit:
                raise too_large()
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise too_large()
            return message

        await self.app(scope, limited_receive, send)


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def receive_upload(request: Request, folder: Path, max_bytes: int) -> SavedUpload:
    """Read the multipart ``file`` field into a private temporary file, counting bytes as they come."""
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise GwersiError("unsupported_media_type", "send the review as multipart/form-data with a 'file' field", 415)
    form = await request.form(max_files=1, max_fields=4)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise GwersiError("missing_file", "the form has no 'file' field holding a file", 422)
        name = safe_filename(upload.filename)
        folder.mkdir(parents=True, exist_ok=True)
        target = Path(tempfile.mkdtemp(prefix="up-", dir=folder)) / name
        saved = SavedUpload(path=target, name=name, size=0)
        size = 0
        try:
            with target.open("wb") as out:
                while chunk := await upload.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FileTooLargeError(name, f"the file is larger than the {max_bytes:,}-byte limit")
                    out.write(chunk)
        except BaseException:
            saved.remove()
            raise
        return SavedUpload(path=target, name=name, size=size)
    finally:
        await form.close()


def clear_stale_uploads(folder: Path) -> None:
    """Remove temporary upload folders left by a crash or a shutdown with queued jobs."""
    if folder.is_dir():
        for child in folder.glob("up-*"):
            shutil.rmtree(child, ignore_errors=True)
