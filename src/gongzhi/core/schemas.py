"""Shapes every JSON API shares (django-ninja schemas): errors, paging and the bounds of ids and text.

Conventions, the same in every response of every app (docs/api.md):
* dates are ISO 8601 strings (``2024-09-01``), datetimes ISO 8601 with offset;
* decimals (scores, weights, areas, speeds, hours, money) are JSON **strings** with their fixed
  decimal places (``"42.5"``, ``"89.50"``), so no client turns them into binary floats; counts are
  integers;
* every error is ``{"detail": ..., "code": ...}`` (ErrorOut), mapped once in config/api.py.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field

# The largest id a path or query may carry: PostgreSQL's bigint. Larger numbers are a 422, never a
# 500 from the database.
MAX_ID = 2**63 - 1
MAX_OFFSET = 10**9
MAX_LIMIT = 500
# Text that reaches the database: no NUL character (PostgreSQL refuses it in a string literal).
NO_NUL = r"^[^\x00]*$"


class ProblemOut(Schema):
    sheet: str
    row: int | None = None
    column: str | None = None
    message: str


class ErrorOut(Schema):
    """Every error. `detail` is a message, or ninja's list of validation errors (422)."""

    detail: str | list[dict[str, Any]]
    code: str | None = None
    problems: list[ProblemOut] | None = None


READ_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {400: ErrorOut, **READ_ERRORS}


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="rows per page (≤ 500)")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
