"""Tests of the ``backcourse-effect`` command line (no Django, no database)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from backcourse.lib.effect_cli import main

GOOD = """date,before,after
2026-01-05,7,4
2026-01-12,6,
2026-01-19,5.5,3
2026-02-02,5,3
"""


def run(tmp_path, text, *args, name="course.csv", capsys=None):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code = main([str(path), *args])
    out, err = capsys.readouterr()
    return code, out, err, path


def test_prints_one_json_object(tmp_path, capsys):
    code, out, err, _ = run(tmp_path, GOOD, "--goal", "3", capsys=capsys)
    assert code == 0 and err == ""
    assert out.count("\n") == 1
    d = json.loads(out)
    assert d["n_sessions"] == 4
    assert d["immediate_relief"] == [3.0, None, 2.5, 2.0]
    assert d["lasting_relief"] == 2.0
    assert len(d["retention"]) == 3
    # relapse from dates: (5.5 - ?) missing after_2; (6-4)/7 and (5-3)/14 -> median
    assert d["relapse_per_day"] == pytest.approx((2 / 7 + 2 / 14) / 2)
    for key in ("sessions_to_goal", "maintenance_interval_days"):
        assert {"median", "low", "high"} <= set(d[key])


def test_goal_already_met_is_zero(tmp_path, capsys):
    code, out, _, _ = run(tmp_path, GOOD, "--goal", "5", capsys=capsys)
    assert code == 0
    s = json.loads(out)["sessions_to_goal"]
    assert (s["median"], s["low"], s["high"]) == (0, 0, 0)


def test_unreachable_goal_has_reason(tmp_path, capsys):
    flat = "date,before,after\n" + "".join(f"2026-01-{d:02d},7,5\n" for d in (1, 8, 15, 22, 29))
    code, out, _, _ = run(tmp_path, flat, "--goal", "3", capsys=capsys)
    s = json.loads(out)["sessions_to_goal"]
    assert code == 0 and s["median"] is None and s["reason"]


def test_no_goal_and_single_session(tmp_path, capsys):
    code, out, _, _ = run(tmp_path, "date,before,after\n2026-01-05,7,4\n", capsys=capsys)
    d = json.loads(out)
    assert code == 0
    assert d["sessions_to_goal"]["median"] is None and d["sessions_to_goal"]["reason"]
    assert d["lasting_relief"] is None


def test_rows_are_sorted_by_date_and_extra_columns_ignored(tmp_path, capsys):
    text = "note,after,before,date\nb,3,5,2026-01-12\na,4,7,2026-01-05\n"
    code, out, _, _ = run(tmp_path, text, "--goal", "3", capsys=capsys)
    d = json.loads(out)
    assert code == 0
    assert d["immediate_relief"] == [3.0, 2.0]
    assert d["lasting_relief"] == 2.0


def test_higher_is_better_accepts_large_values(tmp_path, capsys):
    text = "date,before,after\n2026-01-05,40,50\n2026-01-12,45,52\n2026-01-19,48,55\n"
    code, out, err, _ = run(tmp_path, text, "--goal", "60", "--higher-is-better", capsys=capsys)
    assert code == 0, err
    d = json.loads(out)
    assert d["immediate_relief"] == [10.0, 7.0, 7.0]
    assert d["higher_is_better"] is True


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        (
            "date,before,after\n2026-01-05,7,4\n2026-01-12,6,4\n2026-01-19,abc,3\n",
            [],
            "row 4: before 'abc' is not a number",
        ),
        (
            "date,before,after\n2026-01-05,7,4\n2026-13-01,6,4\n",
            [],
            "row 3: date '2026-13-01' is not an ISO date (YYYY-MM-DD)",
        ),
        ("date,before,after\n,7,4\n", [], "row 2: date is missing"),
        (
            "date,before,after\n2026-01-05,11,4\n",
            [],
            "row 2: before '11' is outside the 0-10 scale",
        ),
        ("date,before,after\n2026-01-05,7,-1\n", [], "row 2: after '-1' is outside the 0-10 scale"),
        ("date,before,after\n2026-01-05,7,nan\n", [], "row 2: after 'nan' is not a number"),
        (
            "date,before,after\n2026-01-05,-4,40\n",
            ["--higher-is-better"],
            "row 2: before '-4' must not be negative",
        ),
        ("date,before\n2026-01-05,7\n", [], "missing column(s): after"),
        ("", [], "empty file (expected a header date,before,after)"),
        (GOOD, ["--goal", "12"], "--goal must lie on the 0-10 scale"),
    ],
)
def test_bad_input_one_line_error_exit_2(tmp_path, capsys, text, args, message):
    code, out, err, path = run(tmp_path, text, *args, capsys=capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.strip() == f"{path}: {message}"


def test_missing_file(tmp_path, capsys):
    path = tmp_path / "nope.csv"
    assert main([str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.strip() == f"{path}: no such file"


def test_runnable_as_module(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(GOOD, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "backcourse.lib.effect_cli", str(path), "--goal", "3"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["n_sessions"] == 4
