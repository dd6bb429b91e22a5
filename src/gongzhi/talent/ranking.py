"""Re-ranking a capped talent pool (issue 7's contract; pure Python, no database).

`gongzhi talent-rerank FILE.json`:

Input  {"cap": 100, "exit_below": "60", "quotas": {"category": max},
        "members": [{"id": "…", "score": "87.5", "category": "…"}], "candidates": [same]}
Output {"pool": [ids in rank order], "admitted": [candidates taken, in rank order],
        "removed": [members not taken, in rank order]}

The rule ("best in, worst out", at most `cap` people):

1. Everyone whose score is at least `exit_below` is ranked by score, highest first; on equal scores
   a current member comes before a candidate, then ids in text order (Unicode code points).
2. People are taken in that order while the pool holds fewer than `cap` and the person's category
   has not reached its quota (categories without a quota are unlimited). Someone skipped for a full
   category does not stop the people after them.
3. `removed` lists the members not taken — below `exit_below`, past the cap, or over their
   category's quota — ranked the same way (score, then id).

Scores are exact decimals (strings like "87.5", or JSON numbers read as decimals, never floats).
`exit_below` may be absent (no threshold) and `quotas` absent (no quotas). Malformed input — a
missing or unknown key, a score that is not a finite number, a negative cap or quota, an id that
is empty or appears twice (among members, among candidates, or in both) — raises RerankInputError
(a ValueError) naming the field; the command exits 2 with one line on stderr.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

MAX_PEOPLE = 100_000


class RerankInputError(ValueError):
    """Malformed input; the message names the field and fits on one line."""


@dataclass(frozen=True)
class Person:
    id: str
    score: Decimal
    category: str
    member: bool


@dataclass(frozen=True)
class Rerank:
    pool: list[str]
    admitted: list[str]
    removed: list[str]

    def as_json(self) -> dict[str, list[str]]:
        return {"pool": self.pool, "admitted": self.admitted, "removed": self.removed}


def _fail(message: str) -> NoReturn:
    raise RerankInputError(message)


def _decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        _fail(f"{what} must be a number written as a string or a JSON number")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, ValueError):
        _fail(f"{what} is not a number: {value!r}")
    if not number.is_finite():
        _fail(f"{what} must be a finite number")
    return number


def _count(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(f"{what} must be a whole number")
    if value < 0:
        _fail(f"{what} must not be negative")
    return int(value)


def _people(raw: Any, what: str, member: bool, seen: dict[str, str]) -> list[Person]:
    if not isinstance(raw, list):
        _fail(f"{what} must be a list")
    if len(raw) > MAX_PEOPLE:
        _fail(f"{what}: more than {MAX_PEOPLE} people")
    out = []
    for i, row in enumerate(raw):
        where = f"{what}[{i}]"
        if not isinstance(row, dict):
            _fail(f"{where} must be an object with id, score and category")
        for key in ("id", "score", "category"):
            if key not in row:
                _fail(f"{where} has no {key!r}")
        extra = sorted(k for k in row if k not in ("id", "score", "category"))
        if extra:
            _fail(f"{where} has an unknown key {extra[0]!r}")
        person_id, category = row["id"], row["category"]
        if not isinstance(person_id, str) or not person_id:
            _fail(f"{where}.id must be a non-empty string")
        if not isinstance(category, str):
            _fail(f"{where}.category must be a string")
        if person_id in seen:
            _fail(f"{where}.id {person_id!r} appears twice (also in {seen[person_id]})")
        seen[person_id] = where
        out.append(Person(person_id, _decimal(row["score"], f"{where}.score"), category, member))
    return out


def parse(payload: Any) -> tuple[int, Decimal | None, dict[str, int], list[Person], list[Person]]:
    if not isinstance(payload, dict):
        _fail("the input must be a JSON object")
    for key in ("cap", "members", "candidates"):
        if key not in payload:
            _fail(f"the input has no {key!r}")
    extra = sorted(k for k in payload if k not in ("cap", "exit_below", "quotas", "members", "candidates"))
    if extra:
        _fail(f"the input has an unknown key {extra[0]!r}")
    cap = _count(payload["cap"], "cap")
    exit_below = None if payload.get("exit_below") is None else _decimal(payload["exit_below"], "exit_below")
    quotas_raw = payload.get("quotas", {})
    if quotas_raw is None:
        quotas_raw = {}
    if not isinstance(quotas_raw, dict):
        _fail("quotas must be an object of category → maximum")
    quotas = {str(k): _count(v, f"quotas[{k!r}]") for k, v in quotas_raw.items()}
    seen: dict[str, str] = {}
    members = _people(payload["members"], "members", True, seen)
    candidates = _people(payload["candidates"], "candidates", False, seen)
    return cap, exit_below, quotas, members, candidates


def _rank_key(p: Person) -> tuple[Decimal, int, str]:
    return (-p.score, 0 if p.member else 1, p.id)


def rerank(
    cap: int,
    exit_below: Decimal | None,
    quotas: Mapping[str, int],
    members: list[Person],
    candidates: list[Person],
) -> Rerank:
    """The new pool under the rule in the module docstring."""
    eligible = [p for p in members + candidates if exit_below is None or p.score >= exit_below]
    taken: list[Person] = []
    per_category: dict[str, int] = {}
    for person in sorted(eligible, key=_rank_key):
        if len(taken) >= cap:
            break
        quota = quotas.get(person.category)
        if quota is not None and per_category.get(person.category, 0) >= quota:
            continue
        taken.append(person)
        per_category[person.category] = per_category.get(person.category, 0) + 1
    in_pool = {p.id for p in taken}
    return Rerank(
        pool=[p.id for p in taken],
        admitted=[p.id for p in taken if not p.member],
        removed=[p.id for p in sorted(members, key=_rank_key) if p.id not in in_pool],
    )


def _no_constants(name: str) -> NoReturn:
    _fail(f"not JSON: {name} is not a number")


def run(text: str) -> dict[str, list[str]]:
    """The command's work: parse (RerankInputError on bad input), re-rank, return JSON."""
    try:
        payload = json.loads(text, parse_float=Decimal, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise RerankInputError(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    except RecursionError as exc:
        raise RerankInputError("not accepted: the JSON nests too deeply") from exc
    return rerank(*parse(payload)).as_json()
