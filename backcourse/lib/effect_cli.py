"""``backcourse-effect``: course effect of one course from a CSV file.

Usage::

    backcourse-effect COURSE.csv --goal 3 --floor 0 --ceiling 10
    backcourse-effect FTF.csv --goal 12                 # fingertip-to-floor cm
    backcourse-effect ROM.csv --goal 60 --higher-is-better --planned-sessions 10

The CSV has a header with (at least) the columns ``date,before,after`` (any order,
other columns ignored) and optionally ``next_day`` (the next-day follow-up value),
one row per session: ISO dates (YYYY-MM-DD), numbers or empty cells.  Rows are
sorted by date (stable, so same-day sessions keep their file order) before the
analysis.  Any scale is accepted (pain 0-10, a tension sum, centimetres, degrees);
``--floor`` / ``--ceiling`` give the measure's bounds, and values and the goal
outside them are refused.  Without ``--floor`` a lower-is-better measure is taken
to have the floor 0 (the level a course can at best reach); a higher-is-better
measure has no bound unless ``--ceiling`` is given.  A header without rows is
bad input.

Prints one JSON object (see ``CourseEffect.to_dict``).  Bad input: one line on
stderr naming the file and row (the header is row 1), exit status 2.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from datetime import date

from backcourse.lib.course_effect import SessionPoint, analyse_course

REQUIRED = ("date", "before", "after")


class InputError(Exception):
    """A problem with the input file, reported as one line."""


def _bounds_text(floor: float | None, ceiling: float | None) -> str:
    if floor is not None and ceiling is not None:
        return f"outside the scale {floor:g}-{ceiling:g}"
    if floor is not None:
        return f"below the floor {floor:g}"
    return f"above the ceiling {ceiling:g}"


def _number(
    text: str, what: str, floor: float | None = None, ceiling: float | None = None
) -> float | None:
    text = text.strip()
    if text == "":
        return None
    try:
        x = float(text)
    except ValueError:
        raise InputError(f"{what} {text!r} is not a number") from None
    if not math.isfinite(x):
        raise InputError(f"{what} {text!r} is not a number")
    if (floor is not None and x < floor) or (ceiling is not None and x > ceiling):
        raise InputError(f"{what} {text!r} is {_bounds_text(floor, ceiling)}")
    return x


def read_course(
    path: str, floor: float | None = None, ceiling: float | None = None
) -> list[SessionPoint]:
    """Read and validate a course CSV; raises InputError with a one-line message."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            try:
                header = next(reader)
            except StopIteration:
                raise InputError("empty file (expected a header date,before,after)") from None
            names = [h.strip().lower() for h in header]
            missing = [c for c in REQUIRED if c not in names]
            if missing:
                raise InputError(f"missing column(s): {', '.join(missing)}")
            col = {c: names.index(c) for c in REQUIRED}
            nd_col = names.index("next_day") if "next_day" in names else None
            rows = []
            for cells in reader:
                row = reader.line_num
                if not cells or all(not c.strip() for c in cells):
                    continue  # blank line
                if len(cells) < len(header):
                    cells = cells + [""] * (len(header) - len(cells))
                prefix = f"row {row}: "
                text = cells[col["date"]].strip()
                if not text:
                    raise InputError(prefix + "date is missing")
                try:
                    day = date.fromisoformat(text)
                except ValueError:
                    raise InputError(
                        prefix + f"date {text!r} is not an ISO date (YYYY-MM-DD)"
                    ) from None
                try:
                    before = _number(cells[col["before"]], "before", floor, ceiling)
                    after = _number(cells[col["after"]], "after", floor, ceiling)
                    nd = None
                    if nd_col is not None:
                        nd = _number(cells[nd_col], "next_day", floor, ceiling)
                except InputError as exc:
                    raise InputError(prefix + str(exc)) from None
                rows.append(SessionPoint(day, before, after, nd))
    except FileNotFoundError:
        raise InputError("no such file") from None
    except IsADirectoryError:
        raise InputError("is a directory, not a CSV file") from None
    except UnicodeDecodeError:
        raise InputError("not a UTF-8 text file") from None
    except csv.Error as exc:
        raise InputError(f"not a valid CSV file ({exc})") from None
    except OSError as exc:
        raise InputError(exc.strerror or "cannot be read") from None
    if not rows:
        raise InputError("no sessions: the file has a header but no rows")
    rows.sort(key=lambda p: p.day)
    return rows


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="backcourse-effect",
        description="Course effect (relief, relapse, sessions to goal) of one course. "
        "CSV columns date,before,after and optionally next_day; rows are sorted by date.",
    )
    p.add_argument("course", metavar="COURSE.csv", help="CSV file, one row per session")
    p.add_argument("--goal", type=float, default=None, help="course goal, e.g. 3 for pain <= 3")
    p.add_argument("--floor", type=float, default=None, help="lowest possible value")
    p.add_argument("--ceiling", type=float, default=None, help="highest possible value")
    p.add_argument(
        "--planned-sessions",
        type=int,
        default=None,
        help="planned number of sessions (for the level at the planned last session)",
    )
    p.add_argument(
        "--higher-is-better",
        action="store_true",
        help="the measure improves upwards (range of motion); default: lower is better",
    )
    p.add_argument("--indent", type=int, default=None, help="pretty-print the JSON")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    path = args.course
    try:
        for name in ("goal", "floor", "ceiling"):
            v = getattr(args, name)
            if v is not None and not math.isfinite(v):
                raise InputError(f"--{name} must be a finite number")
        lo, hi = args.floor, args.ceiling
        if lo is not None and hi is not None and lo >= hi:
            raise InputError("--floor must be below --ceiling")
        if args.goal is not None and (
            (lo is not None and args.goal < lo) or (hi is not None and args.goal > hi)
        ):
            raise InputError(f"--goal is {_bounds_text(lo, hi)}")
        if args.planned_sessions is not None and args.planned_sessions < 1:
            raise InputError("--planned-sessions must be at least 1")
        points = read_course(path, lo, hi)
    except InputError as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 2
    effect = analyse_course(
        points,
        args.goal,
        higher_is_better=args.higher_is_better,
        planned_sessions=args.planned_sessions,
        floor=lo,
        ceiling=hi,
    )
    print(json.dumps(effect.to_dict(), indent=args.indent, allow_nan=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
