"""Uploaded documents (proxy authorisations, offer documents, stage documents, vouchers, photos,
evidence): what kinds are accepted, their digest, and how a
stored one is handed back — as an attachment, never under a public media URL."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from django.db.models.fields.files import FieldFile
from django.http import FileResponse

# (magic bytes, content type, extension): PDF, PNG, JPEG — what scanners and phones produce.
_KINDS = ((b"%PDF", "application/pdf", "pdf"), (b"\x89PNG", "image/png", "png"), (b"\xff\xd8\xff", "image/jpeg", "jpg"))


def sniff_document(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a PDF, PNG or JPEG from its first bytes; None for anything else."""
    for magic, content_type, extension in _KINDS:
        if head.startswith(magic):
            return content_type, extension
    return None


def private_file_response(stored: FieldFile, stem: str) -> FileResponse:
    """The stored file as a download named `stem`.<ext>, typed by its content, not cached."""
    handle = stored.open("rb")
    head = handle.read(8)
    handle.seek(0)
    content_type, extension = sniff_document(head) or ("application/octet-stream", "bin")
    response = FileResponse(handle, as_attachment=True, filename=f"{stem}.{extension}", content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def sniff_upload(upload: Any) -> tuple[str, str] | None:
    """The kind of an uploaded file from its first bytes (sniff_document), leaving it rewound."""
    head = upload.read(8)
    upload.seek(0)
    return sniff_document(head)


def upload_sha256(upload: Any) -> str:
    """The SHA-256 of an uploaded file, read in chunks, leaving it rewound."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def keep_import_upload(data: bytes, folder: Path) -> tuple[uuid.UUID, Path]:
    """Store an uploaded import workbook under a fresh id until its task has read it: the id names
    both the file and the import's row, so the worker finds one from the other."""
    import_id = uuid.uuid4()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{import_id}.xlsx"
    path.write_bytes(data)
    return import_id, path
