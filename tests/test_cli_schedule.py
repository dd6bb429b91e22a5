"""`gongzhi schedule [--time-limit S] FILE.json`: the JSON contract of issue 5 ("Schedule contract",
delivery/scheduling.py): exit 0 with the schedule, or with status "infeasible" and a suggestion;
exit 2 with exactly one line on stderr and nothing on stdout for malformed input."""

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

# The issue's example: 01-06..01-24 is only 19 days, so the 45-day job starts after the Spring
# Festival blackout, 02-10, and ends 02-10 + 44 = 03-26, the 80th day from 01-06: 3 × 80 = 240.
EXAMPLE: dict[str, Any] = {
    "start": "2025-01-06",
    "deadline": "2025-06-30",
    "crews": {"vendor-id": 2},
    "jobs": [{"id": "E1", "building": "B1", "entrance": "B1-U1", "vendor": "vendor-id", "days": 45, "weight": 3}],
    "blackouts": [{"from": "2025-01-25", "to": "2025-02-09"}],
    "max_down_per_entrance": 1,
    "max_active_per_building": 2,
}
EXAMPLE_OUTPUT = {
    "status": "optimal",
    "jobs": [{"id": "E1", "start": "2025-02-10", "end": "2025-03-26"}],
    "objective": 240,
    "lower_bound": 240,
    "gap": 0.0,
    "suggestion": None,
}
KEYS = ["status", "jobs", "objective", "lower_bound", "gap", "suggestion"]
SUGGESTION_KEYS = ["earliest_deadline", "earliest_deadline_proven", "extra_crews", "extra_crews_proven", "unplaceable"]


def job(id_: str, days: int, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": id_, "building": "B1", "entrance": f"B1-{id_}", "vendor": "v", "days": days}
    out.update(extra)
    return out


# Three 6-day jobs for one crew in ten days: 18 days of work.
TIGHT: dict[str, Any] = {
    "start": "2025-01-01",
    "deadline": "2025-01-10",
    "crews": {"v": 1},
    "jobs": [job("E1", 6), job("E2", 6), job("E3", 6)],
}


def run(capsys: Any, tmp_path: Path, payload: Any, *args: str, raw: str | None = None) -> tuple[int, str, str]:
    path = tmp_path / "in.json"
    path.write_text(raw if raw is not None else json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    code = 0
    try:
        call_command("schedule", *args, str(path))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: Any, tmp_path: Path, payload: Any, *args: str) -> dict[str, Any]:
    code, out, err = run(capsys, tmp_path, payload, *args)
    assert (code, err) == (0, "")
    assert out.endswith("\n")
    assert out.count("\n") == 1
    result: dict[str, Any] = json.loads(out)
    assert list(result) == KEYS
    return result


def refused(code: int, out: str, err: str) -> str:
    assert code == 2
    assert out == ""
    assert err.startswith("gongzhi schedule: ")
    assert err.endswith("\n")
    assert err.count("\n") == 1
    return err


def test_the_issue_example(capsys: Any, tmp_path: Path) -> None:
    assert ok(capsys, tmp_path, EXAMPLE) == EXAMPLE_OUTPUT


def test_a_schedule_with_several_jobs(capsys: Any, tmp_path: Path) -> None:
    # Two crews, three 4-day jobs of weights 3, 2, 1 in three entrances of a building without a limit: the two heaviest
    # first on days 1–4, the lightest on days 5–8: 3×4 + 2×4 + 1×8 = 28.
    payload = {**TIGHT, "crews": {"v": 2}, "jobs": [job("E1", 4, weight=3), job("E2", 4, weight=2), job("E3", 4)]}
    result = ok(capsys, tmp_path, payload)
    assert result["jobs"] == [
        {"id": "E1", "start": "2025-01-01", "end": "2025-01-04"},
        {"id": "E2", "start": "2025-01-01", "end": "2025-01-04"},
        {"id": "E3", "start": "2025-01-05", "end": "2025-01-08"},
    ]
    assert (result["status"], result["objective"], result["lower_bound"], result["gap"]) == ("optimal", 28, 28, 0.0)
    assert result["suggestion"] is None


def test_infeasible_exits_0_with_a_suggestion(capsys: Any, tmp_path: Path) -> None:
    result = ok(capsys, tmp_path, TIGHT)
    assert result["status"] == "infeasible"
    assert result["jobs"] == []
    assert (result["objective"], result["lower_bound"], result["gap"]) == (None, None, None)
    assert list(result["suggestion"]) == SUGGESTION_KEYS
    assert result["suggestion"] == {
        "earliest_deadline": "2025-01-18",
        "earliest_deadline_proven": True,
        "extra_crews": {"v": 2},
        "extra_crews_proven": True,
        "unplaceable": [],
    }
    # Either fix solves.
    assert ok(capsys, tmp_path, {**TIGHT, "deadline": "2025-01-18"})["status"] == "optimal"
    assert ok(capsys, tmp_path, {**TIGHT, "crews": {"v": 3}})["status"] == "optimal"
    assert ok(capsys, tmp_path, {**TIGHT, "deadline": "2025-01-17"})["status"] == "infeasible"


def test_a_vendor_with_no_crew_is_infeasible_not_malformed(capsys: Any, tmp_path: Path) -> None:
    result = ok(capsys, tmp_path, {**TIGHT, "crews": {"v": 0}, "deadline": "2025-03-01"})
    assert result["status"] == "infeasible"
    assert result["suggestion"]["extra_crews"] == {"v": 1}
    assert result["suggestion"]["earliest_deadline"] is None


def test_no_jobs(capsys: Any, tmp_path: Path) -> None:
    result = ok(capsys, tmp_path, {**TIGHT, "jobs": []})
    assert result == {"status": "optimal", "jobs": [], "objective": 0, "lower_bound": 0, "gap": 0.0, "suggestion": None}


@pytest.mark.parametrize("limit", ["0.5", "2", "3600"])
def test_time_limit_is_accepted(capsys: Any, tmp_path: Path, limit: str) -> None:
    assert ok(capsys, tmp_path, EXAMPLE, "--time-limit", limit) == EXAMPLE_OUTPUT


@pytest.mark.parametrize("limit", ["0", "-1", "5000", "3600.5", "nan", "inf"])
def test_bad_time_limit_exits_2_with_one_line(capsys: Any, tmp_path: Path, limit: str) -> None:
    err = refused(*run(capsys, tmp_path, EXAMPLE, "--time-limit", limit))
    assert "--time-limit must be between 0 and 3600 seconds" in err


def test_reads_stdin(capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    class Stdin:
        buffer = io.BytesIO(json.dumps(EXAMPLE, ensure_ascii=False).encode())

    monkeypatch.setattr(sys, "stdin", Stdin())
    call_command("schedule", "-")
    out, err = capsys.readouterr()
    assert err == ""
    assert json.loads(out) == EXAMPLE_OUTPUT


def with_job(**changes: Any) -> dict[str, Any]:
    return {**EXAMPLE, "jobs": [{**EXAMPLE["jobs"][0], **changes}]}


def without(key: str) -> dict[str, Any]:
    return {k: v for k, v in EXAMPLE.items() if k != key}


def job_without(key: str) -> dict[str, Any]:
    return {**EXAMPLE, "jobs": [{k: v for k, v in EXAMPLE["jobs"][0].items() if k != key}]}


def blackout(**changes: Any) -> dict[str, Any]:
    return {**EXAMPLE, "blackouts": [{**EXAMPLE["blackouts"][0], **changes}]}


@pytest.mark.parametrize(
    ("payload", "raw", "names"),
    [
        (None, "{not json", "not JSON"),
        (None, "", "not JSON"),
        (None, "[" * 100_000 + "]" * 100_000, "nests too deeply"),
        (None, '{"start": "2025-01-06", "start": "2025-01-07"}', "the key 'start' appears twice"),
        ([EXAMPLE], None, "must be a JSON object"),
        ("2025-01-06", None, "must be a JSON object"),
        (without("start"), None, "no 'start'"),
        (without("deadline"), None, "no 'deadline'"),
        (without("crews"), None, "no 'crews'"),
        (without("jobs"), None, "no 'jobs'"),
        (job_without("entrance"), None, "jobs[0] has no 'entrance'"),
        ({**EXAMPLE, "holidays": []}, None, "unknown key 'holidays'"),
        (with_job(crew=1), None, "jobs[0] has an unknown key 'crew'"),
        (blackout(reason="春节"), None, "blackouts[0] has an unknown key 'reason'"),
        ({**EXAMPLE, "start": "2025-13-01"}, None, "start is not a date written YYYY-MM-DD"),
        ({**EXAMPLE, "start": "2025-1-6"}, None, "start is not a date written YYYY-MM-DD"),
        ({**EXAMPLE, "start": "20250106"}, None, "start is not a date written YYYY-MM-DD"),
        ({**EXAMPLE, "deadline": 20250630}, None, "deadline must be a date written YYYY-MM-DD"),
        (blackout(to="2025-02-30"), None, "blackouts[0].to is not a date"),
        ({**EXAMPLE, "deadline": "2025-01-05"}, None, "deadline 2025-01-05 is before start 2025-01-06"),
        ({**EXAMPLE, "deadline": "2035-06-30"}, None, "window from start to deadline is longer than"),
        (with_job(id="E1", vendor="nobody"), None, "jobs[0].vendor 'nobody' has no entry in crews"),
        ({**EXAMPLE, "jobs": [EXAMPLE["jobs"][0], EXAMPLE["jobs"][0]]}, None, "jobs[1].id 'E1' appears twice"),
        (with_job(days=0), None, "jobs[0].days must be between 1 and"),
        (with_job(days=-45), None, "jobs[0].days must be between 1 and"),
        (with_job(days=True), None, "jobs[0].days must be a whole number"),
        (with_job(days=45.5), None, "jobs[0].days must be a whole number"),
        (with_job(days="45"), None, "jobs[0].days must be a whole number"),
        (with_job(weight=-3), None, "jobs[0].weight must be between 0 and"),
        ({**EXAMPLE, "crews": {"vendor-id": -2}}, None, "crews['vendor-id'] must be between 0 and"),
        (blackout(to="2025-01-24"), None, "blackouts[0]: to 2025-01-24 is before from 2025-01-25"),
        ({**EXAMPLE, "max_down_per_entrance": 0}, None, "max_down_per_entrance must be between 1 and"),
        ({**EXAMPLE, "max_active_per_building": 0}, None, "max_active_per_building must be between 1 and"),
        ({**EXAMPLE, "jobs": [job(f"E{n}", 1) for n in range(20_001)]}, None, "more than 20000 jobs"),
        (None, json.dumps(with_job(days="X")).replace('"X"', "NaN"), "jobs[0].days must be a whole number"),
        (None, json.dumps(with_job(days="X")).replace('"X"', "1e999"), "jobs[0].days must be a whole number"),
        (None, json.dumps(with_job(days="X")).replace('"X"', "9" * 5000), "digits"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys: Any, tmp_path: Path, payload: Any, raw: str | None, names: str
) -> None:
    err = refused(*run(capsys, tmp_path, payload, raw=raw))
    assert names in err


def test_not_utf8_exits_2(capsys: Any, tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_bytes(json.dumps(with_job(building="一号楼"), ensure_ascii=False).encode("gb18030"))
    with pytest.raises(SystemExit) as exc:
        call_command("schedule", str(path))
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "UTF-8" in err
    assert err.count("\n") == 1


def test_missing_file_exits_2(capsys: Any, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        call_command("schedule", str(tmp_path / "nope.json"))
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "nope.json" in err
    assert err.count("\n") == 1


def test_the_gongzhi_command_end_to_end(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("gongzhi")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "gongzhi.config.test"

    def gongzhi(payload: Any, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own console script
            [str(exe), "schedule", *args, "-"],
            input=json.dumps(payload, ensure_ascii=False),
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            check=False,
            cwd=tmp_path,
        )

    good = gongzhi(EXAMPLE, "--time-limit", "2")
    assert (good.returncode, good.stderr) == (0, "")
    assert json.loads(good.stdout) == EXAMPLE_OUTPUT
    bad = gongzhi(with_job(days=0))
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.count("\n") == 1
    assert "jobs[0].days" in bad.stderr
