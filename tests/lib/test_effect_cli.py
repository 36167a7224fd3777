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
    # two climbs back (6 - 4 over 7 days, 5 - 3 over 14): too few for a range
    assert d["relapse_points_per_day"]["code"] == "too_few_sessions"
    assert d["status"] == "as_modelled"
    for key in ("sessions_to_goal", "maintenance_interval_days"):
        assert {"median", "low", "high"} <= set(d[key])


def test_goal_already_met_is_zero(tmp_path, capsys):
    code, out, _, _ = run(tmp_path, GOOD, "--goal", "5", capsys=capsys)
    assert code == 0
    s = json.loads(out)["sessions_to_goal"]
    # the latest before value 5 meets the goal: no further session is expected
    assert (s["median"], s["low"]) == (0, 0)
    assert s["note"] == "the latest before value already meets the goal"


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
            ["--floor", "0", "--ceiling", "10"],
            "row 2: before '11' is outside the scale 0-10",
        ),
        (
            "date,before,after\n2026-01-05,7,-1\n",
            ["--floor", "0"],
            "row 2: after '-1' is below the floor 0",
        ),
        ("date,before,after\n2026-01-05,7,nan\n", [], "row 2: after 'nan' is not a number"),
        (
            "date,before,after,next_day\n2026-01-05,7,4,x\n",
            [],
            "row 2: next_day 'x' is not a number",
        ),
        ("date,before\n2026-01-05,7\n", [], "missing column(s): after"),
        ("", [], "empty file (expected a header date,before,after)"),
        ("date,before,after\n", [], "no sessions: the file has a header but no rows"),
        (GOOD, ["--goal", "12", "--ceiling", "10"], "--goal is above the ceiling 10"),
        (GOOD, ["--floor", "5", "--ceiling", "1"], "--floor must be below --ceiling"),
        (GOOD, ["--planned-sessions", "0"], "--planned-sessions must be at least 1"),
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


FTF = """date,before,after,next_day
2026-01-05,30,22,26
2026-01-12,27,20,23
2026-01-19,24,18,21
2026-01-26,22,16,19
2026-02-02,20,15,17
"""


def test_fingertip_to_floor_in_cm_lower_is_better(tmp_path, capsys):
    code, out, err, _ = run(tmp_path, FTF, "--goal", "12", "--planned-sessions", "8", capsys=capsys)
    assert code == 0, err
    d = json.loads(out)
    assert d["lasting_relief"] == 10.0
    s = d["sessions_to_goal"]
    assert s["median"] is not None and s["low"] <= s["median"]
    lvl = d["level_at_planned_last_session"]
    assert lvl["low"] <= lvl["median"] <= lvl["high"] < 20
    assert d["relapse_points_per_day"]["n_sessions"] == 9  # 4 climbs + 5 next-day values


def _mirror(text, c):
    lines = text.strip().splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        day, *vals = line.split(",")
        out.append(",".join([day, *(f"{c - float(v):g}" if v else "" for v in vals)]))
    return "\n".join(out) + "\n"


def test_mirrored_course_gets_the_same_forecast(tmp_path, capsys):
    """y -> 50 - y with the direction flipped, the floor 0 becoming the ceiling 50
    and the goal mirrored: the same forecast, mirrored levels."""
    _, out, _, _ = run(tmp_path, FTF, "--goal", "12", "--floor", "0", capsys=capsys)
    a = json.loads(out)
    _, out, err, _ = run(
        tmp_path,
        _mirror(FTF, 50),
        "--goal",
        "38",
        "--higher-is-better",
        "--ceiling",
        "50",
        name="mirror.csv",
        capsys=capsys,
    )
    b = json.loads(out)
    assert a["sessions_to_goal"] == b["sessions_to_goal"]
    assert a["lasting_relief"] == b["lasting_relief"]
    assert a["relapse_points_per_day"] == pytest.approx(b["relapse_points_per_day"])
    assert a["plateau"]["median"] == pytest.approx(50 - b["plateau"]["median"])
    assert a["plateau"]["low"] == pytest.approx(50 - b["plateau"]["high"])
