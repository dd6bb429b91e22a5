"""The talent pool's re-rank (talent.ranking, `gongzhi talent-rerank`): the contract of issue 7."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.talent.ranking import Person, RerankInputError, rerank, run


def person(pid: str, score: str | int, category: str = "A") -> dict[str, Any]:
    return {"id": pid, "score": score, "category": category}


def call(**payload: Any) -> dict[str, list[str]]:
    payload.setdefault("members", [])
    payload.setdefault("candidates", [])
    return run(json.dumps(payload))


def test_the_example_ranks_takes_and_removes() -> None:
    out = call(
        cap=3,
        exit_below="60",
        quotas={"A": 1},
        members=[person("m1", "87.5"), person("m2", "59.9", "B"), person("m3", "80")],
        candidates=[person("c1", "87.5", "B"), person("c2", 70, "B"), person("c3", "65", "C")],
    )
    # m1 before c1 on equal scores (member first); m3 skipped (A full), c2 taken, then the cap.
    assert out == {"pool": ["m1", "c1", "c2"], "admitted": ["c1", "c2"], "removed": ["m3", "m2"]}


def test_exit_below_is_inclusive() -> None:
    out = call(cap=10, exit_below="60", members=[person("a", "60"), person("b", "59.99")])
    assert out == {"pool": ["a"], "admitted": [], "removed": ["b"]}


def test_ties_member_first_then_id_text_order() -> None:
    out = call(
        cap=10,
        members=[person("m10", "80"), person("m9", "80")],
        candidates=[person("c1", "80"), person("a0", "80")],
    )
    assert out["pool"] == ["m10", "m9", "a0", "c1"]  # "m10" < "m9" in text order


def test_cap_exactly_reached_and_zero_cap() -> None:
    members = [person(f"m{i}", 90 - i) for i in range(3)]
    assert call(cap=3, members=members)["removed"] == []
    assert call(cap=2, members=members)["removed"] == ["m2"]
    assert call(cap=0, members=members) == {"pool": [], "admitted": [], "removed": ["m0", "m1", "m2"]}


def test_a_full_category_does_not_stop_the_next_people() -> None:
    out = call(
        cap=3,
        quotas={"A": 1, "B": 0},
        candidates=[person("a1", 90), person("a2", 89), person("b1", 88, "B"), person("c1", 10, "C")],
    )
    assert out == {"pool": ["a1", "c1"], "admitted": ["a1", "c1"], "removed": []}


def test_scores_are_exact_decimals() -> None:
    # 0.1 + 0.2 style float error cannot reorder people: "70.30" and 70.3 are equal.
    out = call(cap=5, members=[person("b", "70.30")], candidates=[person("a", 70.3)])
    assert out["pool"] == ["b", "a"]
    out = call(cap=5, members=[person("b", "70.299999999999999999")], candidates=[person("a", "70.3")])
    assert out["pool"] == ["a", "b"]


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ("[]", "JSON object"),
        ("{", "not JSON"),
        ('{"members": [], "candidates": []}', "no 'cap'"),
        ('{"cap": 1, "candidates": []}', "no 'members'"),
        ('{"cap": 1, "members": []}', "no 'candidates'"),
        ('{"cap": 1, "members": [], "candidates": [], "extra": 1}', "unknown key 'extra'"),
        ('{"cap": -1, "members": [], "candidates": []}', "cap must not be negative"),
        ('{"cap": 1.5, "members": [], "candidates": []}', "cap must be a whole number"),
        ('{"cap": true, "members": [], "candidates": []}', "cap must be a whole number"),
        ('{"cap": 1, "exit_below": "x", "members": [], "candidates": []}', "exit_below is not a number"),
        ('{"cap": 1, "exit_below": NaN, "members": [], "candidates": []}', "not JSON"),
        ('{"cap": 1, "exit_below": "NaN", "members": [], "candidates": []}', "finite"),
        ('{"cap": 1, "quotas": [], "members": [], "candidates": []}', "quotas must be an object"),
        ('{"cap": 1, "quotas": {"A": -1}, "members": [], "candidates": []}', "quotas['A'] must not be negative"),
        ('{"cap": 1, "members": {}, "candidates": []}', "members must be a list"),
        ('{"cap": 1, "members": [1], "candidates": []}', "members[0] must be an object"),
        ('{"cap": 1, "members": [{"id": "a", "score": 1}], "candidates": []}', "members[0] has no 'category'"),
        (
            '{"cap": 1, "members": [{"id": "a", "score": 1, "category": "A", "x": 1}], "candidates": []}',
            "members[0] has an unknown key 'x'",
        ),
        ('{"cap": 1, "members": [{"id": "", "score": 1, "category": "A"}], "candidates": []}', "non-empty string"),
        ('{"cap": 1, "members": [{"id": 7, "score": 1, "category": "A"}], "candidates": []}', "non-empty string"),
        ('{"cap": 1, "members": [{"id": "a", "score": true, "category": "A"}], "candidates": []}', "score must be"),
        ('{"cap": 1, "members": [{"id": "a", "score": "high", "category": "A"}], "candidates": []}', "not a number"),
        ('{"cap": 1, "members": [{"id": "a", "score": 1, "category": 3}], "candidates": []}', "category must be"),
        (
            (
                '{"cap": 1, "members": [{"id": "a", "score": 1, "category": "A"}],'
                ' "candidates": [{"id": "a", "score": 2, "category": "A"}]}'
            ),
            "candidates[0].id 'a' appears twice (also in members[0])",
        ),
    ],
)
def test_malformed_input_names_the_field(payload: str, fragment: str) -> None:
    with pytest.raises(RerankInputError) as e:
        run(payload)
    assert fragment in str(e.value)
    assert "\n" not in str(e.value)


people = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=100),
        st.sampled_from(["A", "B", "C"]),
        st.booleans(),
    ),
    max_size=25,
)


@settings(max_examples=200, deadline=None)
@given(
    people,
    st.integers(min_value=0, max_value=30),
    st.one_of(st.none(), st.integers(min_value=0, max_value=100)),
    st.dictionaries(st.sampled_from(["A", "B"]), st.integers(min_value=0, max_value=10)),
)
def test_properties(
    rows: list[tuple[int, str, bool]], cap: int, exit_below: int | None, quotas: dict[str, int]
) -> None:
    everyone = [Person(f"p{i:02d}", Decimal(s), c, m) for i, (s, c, m) in enumerate(rows)]
    members = [p for p in everyone if p.member]
    candidates = [p for p in everyone if not p.member]
    threshold = None if exit_below is None else Decimal(exit_below)
    out = rerank(cap, threshold, quotas, members, candidates)
    by_id = {p.id: p for p in everyone}
    pool = [by_id[i] for i in out.pool]
    assert len(pool) <= cap
    assert len(set(out.pool)) == len(out.pool)
    for category, quota in quotas.items():
        assert sum(p.category == category for p in pool) <= quota
    if threshold is not None:
        assert all(p.score >= threshold for p in pool)
    keys = [(-p.score, 0 if p.member else 1, p.id) for p in pool]
    assert keys == sorted(keys)
    assert out.admitted == [p.id for p in pool if not p.member]
    assert set(out.removed) == {p.id for p in members} - set(out.pool)
    # Nobody eligible was left out while there was room in the pool and in their category.
    if len(pool) < cap:
        for p in everyone:
            if p.id in out.pool or (threshold is not None and p.score < threshold):
                continue
            quota = quotas.get(p.category)
            assert quota is not None, p
            assert sum(q.category == p.category for q in pool) >= quota


def test_command_exit_codes() -> None:
    binary = Path(sys.executable).parent / "gongzhi"
    good = subprocess.run(  # noqa: S603 - our own command
        [str(binary), "talent-rerank", "-"],
        input=json.dumps({"cap": 1, "members": [person("a", "1")], "candidates": [person("b", "2")]}),
        capture_output=True,
        text=True,
        check=False,
    )
    assert good.returncode == 0
    assert json.loads(good.stdout) == {"pool": ["b"], "admitted": ["b"], "removed": ["a"]}
    bad = subprocess.run(  # noqa: S603 - our own command
        [str(binary), "talent-rerank", "-"], input='{"cap": "x"}', capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.count("\n") == 1
    assert bad.stderr.startswith("gongzhi talent-rerank: ")
