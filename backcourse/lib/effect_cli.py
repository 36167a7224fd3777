"""``backcourse-effect``: course effect of one course from a CSV file.

Usage::

    backcourse-effect COURSE.csv --goal 3
    backcourse-effect ROM.csv --goal 60 --higher-is-better

The CSV has a header with (at least) the columns ``date,before,after`` (any order,
other columns ignored), one row per session: ISO dates (YYYY-MM-DD), numbers or
empty cells.  Rows are sorted by date (stable, so same-day sessions keep their file
order) before the analysis.  For lower-is-better measures (the default: pain,
stress on 0-10) values must lie in 0-10; with ``--higher-is-better`` (range of
motion) any non-negative number is accepted.

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


def _number(text: str, what: str, higher_is_better: bool) -> float | None:
    text = text.strip()
    if text == "":
        return None
    try:
        x = float(text)
    except ValueError:
        raise InputError(f"{what} {text!r} is not a number") from None
    if not math.isfinite(x):
        raise InputError(f"{what} {text!r} is not a number")
    if higher_is_better:
        if x < 0:
            raise InputError(f"{what} {text!r} must not be negative")
    elif not 0 <= x <= 10:
        raise InputError(f"{what} {text!r} is outside the 0-10 scale")
    return x


def read_course(path: str, higher_is_better: bool = False) -> list[SessionPoint]:
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
                    before = _number(cells[col["before"]], "before", higher_is_better)
                    after = _number(cells[col["after"]], "after", higher_is_better)
                except InputError as exc:
                    raise InputError(prefix + str(exc)) from None
                rows.append(SessionPoint(day, before, after))
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
    rows.sort(key=lambda p: p.day)
    return rows


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="backcourse-effect",
        description="Course effect (relief, relapse, sessions to goal) of one course. "
        "CSV columns date,before,after; rows are sorted by date.",
    )
    p.add_argument("course", metavar="COURSE.csv", help="CSV file, one row per session")
    p.add_argument("--goal", type=float, default=None, help="course goal, e.g. 3 for pain <= 3")
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
        if args.goal is not None:
            if not math.isfinite(args.goal):
                raise InputError("--goal must be a finite number")
            if args.higher_is_better and args.goal < 0:
                raise InputError("--goal must not be negative")
            if not args.higher_is_better and not 0 <= args.goal <= 10:
                raise InputError("--goal must lie on the 0-10 scale")
        points = read_course(path, args.higher_is_better)
    except InputError as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 2
    effect = analyse_course(points, args.goal, higher_is_better=args.higher_is_better)
    print(json.dumps(effect.to_dict(), indent=args.indent, allow_nan=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
