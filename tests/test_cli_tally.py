"""`gongzhi tally FILE.json`: the JSON contract of docs/motions-tally.md."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

APARTMENTS = [
    {"id": "1-101", "area": "89.50", "owner": "张三"},
    {"id": "1-102", "area": "89.50", "owner": "张三"},
    {"id": "1-201", "area": "120.00", "owner": "李四"},
    {"id": "1-202", "area": "75.25", "owner": "王五"},
    {"id": "1-301", "area": "89.50", "owner": "开发商", "developer_held": True},
    {"id": "1-302", "area": "89.50", "owner": "开发商", "developer_held": True},
]
BALLOTS = [
    {"apartment": "1-101", "choice": "against"},
    {"apartment": "1-201", "choice": "for"},
    {"apartment": "1-101", "choice": "for"},  # replaces the first ballot
    {"apartment": "1-202", "choice": "abstain"},
]
EXAMPLE = {"rule": "civil-code-ordinary", "apartments": APARTMENTS, "ballots": BALLOTS}
EXAMPLE_OUTPUT = {
    "passed": True,
    "quorum_met": True,
    "approved": True,
    "total": {"area": "553.25", "owners": 4},
    "participating": {"area": "374.25", "owners": 3},
    "for": {"area": "299.00", "owners": 2},
    "against": {"area": "0.00", "owners": 0},
    "abstain": {"area": "75.25", "owners": 1},
    "still_needed": {"participation": {"area": "0.00", "owners": 0}, "approval": {"area": "0.00", "owners": 0}},
    "rule": {"participation": {"area": ">=2/3", "owners": ">=2/3"}, "approval": {"area": ">1/2", "owners": ">1/2"}},
}


def run(capsys: Any, tmp_path: Path, payload: Any, *, raw: str | None = None) -> tuple[int, str, str]:
    path = tmp_path / "in.json"
    path.write_text(raw if raw is not None else json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    code = 0
    try:
        call_command("tally", str(path))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: Any, tmp_path: Path, payload: Any) -> dict[str, Any]:
    code, out, err = run(capsys, tmp_path, payload)
    assert (code, err) == (0, "")
    assert out.endswith("\n")
    result: dict[str, Any] = json.loads(out)
    return result


def test_example_of_the_docs(capsys: Any, tmp_path: Path) -> None:
    # 张三's two apartments and the developer's two are one owner each: 4 owners on 553.25 m².
    assert ok(capsys, tmp_path, EXAMPLE) == EXAMPLE_OUTPUT


def test_output_keys_are_the_contract(capsys: Any, tmp_path: Path) -> None:
    result = ok(capsys, tmp_path, EXAMPLE)
    assert list(result) == [
        "passed",
        "quorum_met",
        "approved",
        "total",
        "participating",
        "for",
        "against",
        "abstain",
        "still_needed",
        "rule",
    ]


def test_failing_vote_with_still_needed(capsys: Any, tmp_path: Path) -> None:
    # Only 李四 (120.00 of 553.25 m², 1 of 4 owners) votes, against.
    payload = {**EXAMPLE, "ballots": [{"apartment": "1-201", "choice": "against"}]}
    result = ok(capsys, tmp_path, payload)
    assert (result["passed"], result["quorum_met"], result["approved"]) == (False, False, False)
    # 2/3 of 55325 hundredths is 36883.33…, so 368.84 m² must take part: 248.84 more; 3 of 4 owners: 2 more.
    assert result["still_needed"]["participation"] == {"area": "248.84", "owners": 2}
    # (x) > (120.00 + x) / 2 ⇔ x > 120.00: 120.01 m² more for; owners x > (1 + x) / 2 ⇔ x > 1: 2.
    assert result["still_needed"]["approval"] == {"area": "120.01", "owners": 2}


def test_special_rule_and_custom_rule(capsys: Any, tmp_path: Path) -> None:
    # for 299.00 of 374.25 m² (0.799) and 2 of 3 owners (0.667): under 3/4 by headcount.
    result = ok(capsys, tmp_path, {**EXAMPLE, "rule": "civil-code-special"})
    assert (result["quorum_met"], result["approved"], result["passed"]) == (True, False, False)
    assert result["still_needed"]["approval"] == {"area": "0.00", "owners": 1}
    custom = {"participation": {"area": ">=1/2", "owners": ">=1/2"}, "approval": {"area": ">=2/3", "owners": ">=2/3"}}
    result = ok(capsys, tmp_path, {**EXAMPLE, "rule": custom})
    assert (result["quorum_met"], result["approved"], result["passed"]) == (True, True, True)
    assert result["rule"] == custom


def test_json_numbers_are_read_exactly(capsys: Any, tmp_path: Path) -> None:
    # An unquoted 0.1 is read as the decimal 0.1, not the binary float 0.1000000000000000055…
    payload = {
        "rule": "civil-code-ordinary",
        "apartments": [{"id": "a", "area": "0.2", "owner": "甲"}, {"id": "b", "area": "0.1", "owner": "乙"}],
        "ballots": [{"apartment": "a", "choice": "for"}],
    }
    raw = json.dumps(payload, ensure_ascii=False).replace('"0.2"', "0.2").replace('"0.1"', "0.1")
    code, out, err = run(capsys, tmp_path, None, raw=raw)
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert result["total"] == {"area": "0.30", "owners": 2}
    assert result["participating"] == {"area": "0.20", "owners": 1}
    assert result["quorum_met"] is False  # 1 of 2 owners
    # 2/3 of 0.30 m² is exactly 0.20 m²: the area test is met, nothing more needed by area.
    assert result["still_needed"]["participation"] == {"area": "0.00", "owners": 1}


def test_reads_stdin(capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    class Stdin:
        buffer = io.BytesIO(json.dumps(EXAMPLE, ensure_ascii=False).encode())

    monkeypatch.setattr(sys, "stdin", Stdin())
    call_command("tally", "-")
    out, err = capsys.readouterr()
    assert err == ""
    assert json.loads(out) == EXAMPLE_OUTPUT


def with_apartments(*extra: dict[str, Any]) -> dict[str, Any]:
    return {**EXAMPLE, "apartments": [*APARTMENTS, *extra]}


def with_ballots(*extra: dict[str, Any]) -> dict[str, Any]:
    return {**EXAMPLE, "ballots": [*BALLOTS, *extra]}


@pytest.mark.parametrize(
    ("payload", "raw", "names"),
    [
        (None, "{not json", "not JSON"),
        (None, "", "not JSON"),
        (None, '{"rule": NaN}', "NaN"),
        (None, "[" * 100000 + "]" * 100000, "nests too deeply"),
        ([1, 2], None, "input"),
        ({"apartments": [], "ballots": []}, None, "rule"),
        ({**EXAMPLE, "rule": "majority"}, None, "unknown rule 'majority'"),
        ({**EXAMPLE, "rule": {"participation": {"area": ">=2/3"}}}, None, "rule"),
        (
            {
                **EXAMPLE,
                "rule": {
                    "participation": {"area": ">=2/3", "owners": ">=2/3"},
                    "approval": {"area": "1/2", "owners": ">1/2"},
                },
            },
            None,
            "rule.approval.area",
        ),
        (with_ballots({"apartment": "9-999", "choice": "for"}), None, "unknown apartment '9-999'"),
        (with_ballots({"apartment": "1-101", "choice": "yes"}), None, "choice"),
        (with_apartments({"id": "1-401", "area": "0", "owner": "赵六"}), None, "area must be positive"),
        (with_apartments({"id": "1-401", "area": "-89.50", "owner": "赵六"}), None, "area must be positive"),
        (with_apartments({"id": "1-401", "area": "89.505", "owner": "赵六"}), None, "two decimals"),
        (with_apartments({"id": "1-401", "area": "8e1", "owner": "赵六"}), None, "area"),
        (with_apartments({"id": "1-101", "area": "60.00", "owner": "赵六"}), None, "duplicate apartment id '1-101'"),
        (with_ballots({"apartment": "1-102", "choice": "against"}), None, "conflicting choices"),
        (
            with_ballots({"apartment": "1-302", "choice": "abstain"}, {"apartment": "1-301", "choice": "for"}),
            None,
            "developer",
        ),
        ({**EXAMPLE, "apartments": []}, None, "empty"),
        (with_apartments({"id": "1-401", "area": "60.00"}), None, "owner is missing"),
        (with_apartments({"id": "1-401", "area": "60.00", "owner": "赵六", "developer": True}), None, "developer"),
        ({**EXAMPLE, "ballots": {"1-101": "for"}}, None, "ballots must be a list"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys: Any, tmp_path: Path, payload: Any, raw: str | None, names: str
) -> None:
    code, out, err = run(capsys, tmp_path, payload, raw=raw)
    assert code == 2
    assert out == ""
    assert err.startswith("gongzhi tally: ")
    assert err.endswith("\n")
    assert err.count("\n") == 1
    assert names in err


def test_huge_exponent_is_refused_quickly(capsys: Any, tmp_path: Path) -> None:
    raw = json.dumps(with_apartments({"id": "1-401", "area": "X", "owner": "赵六"}), ensure_ascii=False)
    code, out, err = run(capsys, tmp_path, None, raw=raw.replace('"X"', "1e999999999"))
    assert (code, out) == (2, "")
    assert "too large" in err


def test_not_utf8_exits_2(capsys: Any, tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_bytes(json.dumps(EXAMPLE, ensure_ascii=False).encode("gb18030"))
    with pytest.raises(SystemExit) as exc:
        call_command("tally", str(path))
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "UTF-8" in err


def test_missing_file_exits_2(capsys: Any, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        call_command("tally", str(tmp_path / "nope.json"))
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "nope.json" in err
    assert err.count("\n") == 1


def test_the_gongzhi_command_end_to_end(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("gongzhi")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "gongzhi.config.test"
    good = subprocess.run(  # noqa: S603 - our own console script
        [str(exe), "tally", "-"],
        input=json.dumps(EXAMPLE, ensure_ascii=False),
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        check=False,
        cwd=tmp_path,
    )
    assert (good.returncode, good.stderr) == (0, "")
    assert json.loads(good.stdout) == EXAMPLE_OUTPUT
    bad = subprocess.run(  # noqa: S603
        [str(exe), "tally", "-"],
        input=json.dumps(with_ballots({"apartment": "1-102", "choice": "against"}), ensure_ascii=False),
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        check=False,
        cwd=tmp_path,
    )
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.count("\n") == 1
    assert "conflicting choices" in bad.stderr
