"""`gongzhi apportion FILE.json`: the JSON contract of docs/apportionment.md."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command


def entrance() -> list[dict[str, Any]]:
    """A six-storey entrance, two apartments a floor: x01 of 89.50 m² and x02 of 75.25 m²."""
    return [
        {"id": f"{floor}0{side}", "floor": floor, "area": area}
        for floor in range(1, 7)
        for side, area in ((1, "89.50"), (2, "75.25"))
    ]


# Example 1 of the docs: by area (Civil Code Art. 283), the default method.
EXAMPLE = {"amount": "100000.00", "method": "area", "apartments": entrance()}
# 100000 × 89.50 / 988.50 = 9054.1224…, × 75.25 / 988.50 = 7612.5442…: rounded down they sum to
# 99999.96, so 4 fen are left over. The 75.25 m² apartments have the larger remainder (0.44 fen
# against 0.24 fen) and tie among themselves: the first four in input order take one fen each,
# 502 and 602 do not.
EXAMPLE_OUTPUT = {
    "shares": [
        {"apartment": "101", "amount": "9054.12"},
        {"apartment": "102", "amount": "7612.55"},
        {"apartment": "201", "amount": "9054.12"},
        {"apartment": "202", "amount": "7612.55"},
        {"apartment": "301", "amount": "9054.12"},
        {"apartment": "302", "amount": "7612.55"},
        {"apartment": "401", "amount": "9054.12"},
        {"apartment": "402", "amount": "7612.55"},
        {"apartment": "501", "amount": "9054.12"},
        {"apartment": "502", "amount": "7612.54"},
        {"apartment": "601", "amount": "9054.12"},
        {"apartment": "602", "amount": "7612.54"},
    ],
    "total": "100000.00",
}
# Example 2 of the docs: floor coefficients × area, the ground floor exempt by the owners' motion.
FLOOR_AREA = {
    "amount": "265000.00",
    "method": "floor-area",
    "coefficients": {"2": "0.3", "3": "0.4", "4": "0.5", "5": "0.6", "6": "0.7"},
    "exempt": ["101", "102"],
    "apartments": entrance(),
}
FLOOR_AREA_SHARES = {
    "101": "0.00",
    "102": "0.00",
    "201": "17275.27",
    "202": "14524.73",
    "301": "23033.69",
    "302": "19366.31",
    "401": "28792.11",
    "402": "24207.89",
    "501": "34550.53",
    "502": "29049.47",
    "601": "40308.95",
    "602": "33891.05",
}


def run(capsys: Any, tmp_path: Path, payload: Any, *, raw: str | None = None) -> tuple[int, str, str]:
    path = tmp_path / "in.json"
    path.write_text(raw if raw is not None else json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    code = 0
    try:
        call_command("apportion", str(path))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: Any, tmp_path: Path, payload: Any) -> dict[str, Any]:
    code, out, err = run(capsys, tmp_path, payload)
    assert (code, err) == (0, "")
    assert out.endswith("\n")
    assert out.count("\n") == 1
    result: dict[str, Any] = json.loads(out)
    return result


def test_example_by_area(capsys: Any, tmp_path: Path) -> None:
    result = ok(capsys, tmp_path, EXAMPLE)
    assert result == EXAMPLE_OUTPUT
    assert list(result) == ["shares", "total"]
    assert sum(Decimal(s["amount"]) for s in result["shares"]) == Decimal(result["total"])


def test_example_by_floor_and_area_with_exemption(capsys: Any, tmp_path: Path) -> None:
    result = ok(capsys, tmp_path, FLOOR_AREA)
    assert {s["apartment"]: s["amount"] for s in result["shares"]} == FLOOR_AREA_SHARES
    assert [s["apartment"] for s in result["shares"]] == [a["id"] for a in entrance()]
    assert result["total"] == "265000.00"
    assert sum(Decimal(s["amount"]) for s in result["shares"]) == Decimal("265000.00")


def test_method_defaults_to_area(capsys: Any, tmp_path: Path) -> None:
    payload = {"amount": "100000.00", "apartments": entrance()}
    assert ok(capsys, tmp_path, payload) == EXAMPLE_OUTPUT


def test_equal_and_floor(capsys: Any, tmp_path: Path) -> None:
    result = ok(capsys, tmp_path, {**EXAMPLE, "method": "equal", "amount": "100.00"})
    # 100.00 / 12 = 8.333…: 4 fen left over go to the first four in input order.
    assert [s["amount"] for s in result["shares"]] == ["8.34"] * 4 + ["8.33"] * 8
    result = ok(capsys, tmp_path, {**FLOOR_AREA, "method": "floor"})
    # weights 0.3 … 0.7, twice each: 5.0 in all, so floor 2 pays 265000 × 0.3 / 5 = 15900.00 exactly.
    assert [s["amount"] for s in result["shares"][::2]] == [
        "0.00",
        "15900.00",
        "21200.00",
        "26500.00",
        "31800.00",
        "37100.00",
    ]


def test_unquoted_json_numbers_are_read_exactly(capsys: Any, tmp_path: Path) -> None:
    # Unquoted 0.3 and 0.1 are the decimals 0.3 and 0.1, not binary floats: 0.40 splits 0.30 / 0.10.
    raw = '{"amount": 0.40, "apartments": [{"id": "a", "floor": 1, "area": 0.3}, {"id": "b", "floor": 1, "area": 0.1}]}'
    code, out, err = run(capsys, tmp_path, None, raw=raw)
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "shares": [{"apartment": "a", "amount": "0.30"}, {"apartment": "b", "amount": "0.10"}],
        "total": "0.40",
    }


def test_zero_amount(capsys: Any, tmp_path: Path) -> None:
    result = ok(capsys, tmp_path, {**EXAMPLE, "amount": "0"})
    assert {s["amount"] for s in result["shares"]} == {"0.00"}
    assert result["total"] == "0.00"


def test_reads_stdin(capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    class Stdin:
        buffer = io.BytesIO(json.dumps(EXAMPLE, ensure_ascii=False).encode())

    monkeypatch.setattr(sys, "stdin", Stdin())
    call_command("apportion", "-")
    out, err = capsys.readouterr()
    assert err == ""
    assert json.loads(out) == EXAMPLE_OUTPUT


def with_apartments(*extra: dict[str, Any]) -> dict[str, Any]:
    return {**EXAMPLE, "apartments": [*entrance(), *extra]}


@pytest.mark.parametrize(
    ("payload", "raw", "names"),
    [
        (None, "{not json", "not JSON"),
        (None, "", "not JSON"),
        (None, '{"amount": NaN, "apartments": []}', "NaN"),
        (None, "[" * 100000 + "]" * 100000, "nests too deeply"),
        (None, '{"amount": "1.00", "amount": "2.00", "apartments": []}', "the key 'amount' appears twice"),
        ([1, 2], None, "input must be an object"),
        ({"apartments": entrance()}, None, "input.amount is missing"),
        ({**EXAMPLE, "shares": []}, None, "unknown key 'shares'"),
        ({**EXAMPLE, "amount": "100000.005"}, None, "amount must be a whole number of fen"),
        ({**EXAMPLE, "amount": "-100.00"}, None, "amount must not be negative"),
        ({**EXAMPLE, "amount": "1e5"}, None, "amount must be a decimal number"),
        ({**EXAMPLE, "method": "per-floor"}, None, "unknown method 'per-floor'"),
        ({**FLOOR_AREA, "exempt": []}, None, "apartments[0] ('101'): floor 1 is missing from coefficients"),
        ({**FLOOR_AREA, "coefficients": {**FLOOR_AREA["coefficients"], "2": "-0.3"}}, None, "must not be negative"),  # type: ignore[dict-item]
        ({**FLOOR_AREA, "coefficients": {"2nd": "0.3"}}, None, "'2nd' is not a floor number"),
        (
            with_apartments({"id": "701", "floor": 7, "area": "-89.50"}),
            None,
            "apartments[12].area must not be negative",
        ),
        (with_apartments({"id": "701", "floor": 7, "area": "89.505"}), None, "0.01 m²"),
        (with_apartments({"id": "701", "floor": 7.5, "area": "89.50"}), None, "floor must be an integer"),
        (with_apartments({"id": "101", "floor": 7, "area": "89.50"}), None, "duplicate apartment id '101'"),
        (with_apartments({"id": "701", "area": "89.50"}), None, "apartments[12].floor is missing"),
        ({**EXAMPLE, "exempt": ["901"]}, None, "exempt apartment '901' is not among the apartments"),
        ({**EXAMPLE, "exempt": [a["id"] for a in entrance()]}, None, "total weight is zero"),
        ({**EXAMPLE, "apartments": []}, None, "apartments is empty"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys: Any, tmp_path: Path, payload: Any, raw: str | None, names: str
) -> None:
    code, out, err = run(capsys, tmp_path, payload, raw=raw)
    assert code == 2
    assert out == ""
    assert err.startswith("gongzhi apportion: ")
    assert err.endswith("\n")
    assert err.count("\n") == 1
    assert names in err


def test_huge_exponent_is_refused_quickly(capsys: Any, tmp_path: Path) -> None:
    raw = json.dumps({**EXAMPLE, "amount": "X"}).replace('"X"', "1e999999999")
    code, out, err = run(capsys, tmp_path, None, raw=raw)
    assert (code, out) == (2, "")
    assert "too large" in err
    raw = json.dumps({**EXAMPLE, "amount": "X"}).replace('"X"', "1e-999999999")
    code, out, err = run(capsys, tmp_path, None, raw=raw)
    assert (code, out) == (2, "")
    assert "whole number of fen" in err


def test_not_utf8_exits_2(capsys: Any, tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_bytes(json.dumps({**EXAMPLE, "exempt": ["底层商铺"]}, ensure_ascii=False).encode("gb18030"))
    with pytest.raises(SystemExit) as exc:
        call_command("apportion", str(path))
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "UTF-8" in err


def test_missing_file_exits_2(capsys: Any, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        call_command("apportion", str(tmp_path / "nope.json"))
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "nope.json" in err
    assert err.count("\n") == 1


def test_the_gongzhi_command_end_to_end(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("gongzhi")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "gongzhi.config.test"

    def gongzhi(payload: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own console script
            [str(exe), "apportion", "-"],
            input=json.dumps(payload, ensure_ascii=False),
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            check=False,
            cwd=tmp_path,
        )

    good = gongzhi(EXAMPLE)
    assert (good.returncode, good.stderr) == (0, "")
    assert json.loads(good.stdout) == EXAMPLE_OUTPUT
    bad = gongzhi({**EXAMPLE, "method": "per-floor"})
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.count("\n") == 1
    assert "unknown method 'per-floor'" in bad.stderr
