"""`gongzhi eligibility FILE.json`: the JSON contract of docs/cli.md."""

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


def run(capsys: Any, tmp_path: Path, payload: Any, *, raw: str | None = None) -> tuple[int, str, str]:
    path = tmp_path / "in.json"
    path.write_text(raw if raw is not None else json.dumps(payload), encoding="utf-8")
    code = 0
    try:
        call_command("eligibility", str(path))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def tiers(capsys: Any, tmp_path: Path, reference: str, *dates: str, **years: int) -> list[dict[str, Any]]:
    payload = {
        "reference_date": reference,
        "elevators": [{"device_code": f"E{i}", "commissioned_on": d} for i, d in enumerate(dates)],
        **years,
    }
    code, out, err = run(capsys, tmp_path, payload)
    assert (code, err) == (0, "")
    result: list[dict[str, Any]] = json.loads(out)["elevators"]
    return result


def test_example_from_the_issue(capsys: Any, tmp_path: Path) -> None:
    code, out, err = run(
        capsys,
        tmp_path,
        {
            "reference_date": "2024-09-01",
            "elevators": [{"device_code": "31103300120090001", "commissioned_on": "2009-09-01"}],
        },
    )
    assert code == 0
    assert err == ""
    assert json.loads(out) == {"elevators": [{"device_code": "31103300120090001", "age_years": 15, "tier": "eligible"}]}


def test_boundaries_at_15_and_20_years(capsys: Any, tmp_path: Path) -> None:
    rows = tiers(capsys, tmp_path, "2024-09-01", "2009-09-01", "2009-09-02", "2004-09-01", "2004-09-02")
    assert [(r["age_years"], r["tier"]) for r in rows] == [
        (15, "eligible"),  # exactly 15 years
        (14, "not_eligible"),  # one day short
        (20, "priority"),  # exactly 20 years
        (19, "eligible"),  # one day short of 20
    ]


def test_29_february_reaches_its_anniversary_on_28_february(capsys: Any, tmp_path: Path) -> None:
    # Civil Code Art. 201: no 29 February in 2023, so the period ends on 28 February.
    rows = tiers(capsys, tmp_path, "2023-02-28", "2008-02-29", "2003-02-28")
    assert [(r["age_years"], r["tier"]) for r in rows] == [(15, "eligible"), (20, "priority")]
    rows = tiers(capsys, tmp_path, "2023-02-27", "2008-02-29")
    assert [(r["age_years"], r["tier"]) for r in rows] == [(14, "not_eligible")]
    rows = tiers(capsys, tmp_path, "2024-02-28", "2004-02-29")  # 2024 is a leap year: not yet
    assert [(r["age_years"], r["tier"]) for r in rows] == [(19, "eligible")]


def test_future_commissioning_is_age_zero(capsys: Any, tmp_path: Path) -> None:
    rows = tiers(capsys, tmp_path, "2024-09-01", "2030-01-01", "2024-09-02")
    assert [(r["age_years"], r["tier"]) for r in rows] == [(0, "not_eligible"), (0, "not_eligible")]


def test_thresholds_are_configurable(capsys: Any, tmp_path: Path) -> None:
    rows = tiers(capsys, tmp_path, "2024-09-01", "2014-09-01", "2019-09-01", eligible_years=5, priority_years=10)
    assert [r["tier"] for r in rows] == ["priority", "eligible"]


def test_input_order_is_kept(capsys: Any, tmp_path: Path) -> None:
    dates = ["2015-01-01", "2001-01-01", "2008-06-30", "2019-12-31", "2004-09-01"]
    rows = tiers(capsys, tmp_path, "2024-09-01", *dates)
    assert [r["device_code"] for r in rows] == [f"E{i}" for i in range(len(dates))]


def test_empty_list(capsys: Any, tmp_path: Path) -> None:
    assert tiers(capsys, tmp_path, "2024-09-01") == []


def test_reads_stdin(capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    payload = {
        "reference_date": "2024-09-01",
        "elevators": [{"device_code": "电梯一", "commissioned_on": "2000-01-01"}],
    }

    class Stdin:
        buffer = io.BytesIO(json.dumps(payload, ensure_ascii=False).encode())

    monkeypatch.setattr(sys, "stdin", Stdin())
    call_command("eligibility", "-")
    out, err = capsys.readouterr()
    assert err == ""
    assert json.loads(out)["elevators"] == [{"device_code": "电梯一", "age_years": 24, "tier": "priority"}]


GOOD_ITEM = {"device_code": "A", "commissioned_on": "2009-09-01"}


@pytest.mark.parametrize(
    ("payload", "raw", "names"),
    [
        (None, "{not json", "not JSON"),
        (None, "", "not JSON"),
        ([1, 2], None, "JSON object"),
        ({"elevators": []}, None, "reference_date"),
        ({"reference_date": "2024-09-01"}, None, "elevators"),
        ({"reference_date": "2024-02-30", "elevators": []}, None, "reference_date"),
        ({"reference_date": "1 September 2024", "elevators": []}, None, "reference_date"),
        ({"reference_date": 20240901, "elevators": []}, None, "reference_date"),
        ({"reference_date": "20240901", "elevators": []}, None, "reference_date"),
        ({"reference_date": "2024-09-01", "elevators": {"a": 1}}, None, "elevators"),
        ({"reference_date": "2024-09-01", "elevators": ["A"]}, None, "elevators[0]"),
        (
            {"reference_date": "2024-09-01", "elevators": [GOOD_ITEM, {"device_code": "B"}]},
            None,
            "elevators[1].commissioned_on",
        ),
        ({"reference_date": "2024-09-01", "elevators": [{"commissioned_on": "2009-09-01"}]}, None, "device_code"),
        (
            {"reference_date": "2024-09-01", "elevators": [{"device_code": 7, "commissioned_on": "2009-09-01"}]},
            None,
            "device_code",
        ),
        (
            {"reference_date": "2024-09-01", "elevators": [{"device_code": "A", "commissioned_on": "2009-13-01"}]},
            None,
            "commissioned_on",
        ),
        ({"reference_date": "2024-09-01", "elevators": [GOOD_ITEM], "eligible_years": "15"}, None, "eligible_years"),
        ({"reference_date": "2024-09-01", "elevators": [GOOD_ITEM], "priority_years": 20.5}, None, "priority_years"),
        ({"reference_date": "2024-09-01", "elevators": [GOOD_ITEM], "eligible_years": True}, None, "eligible_years"),
        ({"reference_date": "2024-09-01", "elevators": [GOOD_ITEM], "eligible_years": 25}, None, "eligible_years"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys: Any, tmp_path: Path, payload: Any, raw: str | None, names: str
) -> None:
    code, out, err = run(capsys, tmp_path, payload, raw=raw)
    assert code == 2
    assert out == ""
    assert err.endswith("\n")
    assert err.count("\n") == 1
    assert names in err


def test_missing_file_exits_2(capsys: Any, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        call_command("eligibility", str(tmp_path / "nope.json"))
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "nope.json" in err


def test_the_gongzhi_command_end_to_end(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("gongzhi")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "gongzhi.config.test"
    ok = subprocess.run(  # noqa: S603 - our own console script
        [str(exe), "eligibility", "-"],
        input=json.dumps({"reference_date": "2024-09-01", "elevators": [GOOD_ITEM]}),
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=tmp_path,
    )
    assert (ok.returncode, ok.stderr) == (0, "")
    assert json.loads(ok.stdout) == {"elevators": [{"device_code": "A", "age_years": 15, "tier": "eligible"}]}
    bad = subprocess.run(  # noqa: S603
        [str(exe), "eligibility", "-"],
        input="[",
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=tmp_path,
    )
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.count("\n") == 1
