"""Reads of session records for pages and charts.

Public:
- `course_measure_table(course) -> list[CourseMeasureRow]`: one row per non-cancelled
  session of a course, in order, with its measures, tension and techniques. A fixed
  number of queries (4) whatever the number of sessions.
  `course_measure_table_and_cancelled(course)`: the same, and the number of cancelled
  sessions, in the same queries.
- `body_chart_regions(levels) -> list[ChartRegion]`: the active back regions with a
  tension level each, ready for the `records/_body_chart.html` include.
- `session_record_for(session) -> SessionRecord | None`: a session's record with its
  measurements, tension, techniques and muscles loaded.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connections
from django.db.models import Prefetch

from backcourse.measures.models import MuscleRegion, Technique
from backcourse.measures.selectors import measure_definitions, region_codes, techniques_by_id
from backcourse.records.models import Measurement, SessionRecord, TensionReading
from backcourse.scheduling.models import Session


@dataclass(frozen=True)
class CourseMeasureRow:
    """One session of a course as measured.

    - `number`: the session's number in the course - its position among the course's
      sessions that were neither cancelled nor missed (no-show); None for a no-show.
      The chart, the figures, the PDF and the client's page use the same numbers.
    - `date`: the session's date in the practice's time zone.
    - `measures`: measure code -> (before, after); either may be None. Only measures
      with at least one value appear.
    - `tension_sum`: sum of palpated tension over regions, None when no region was
      marked (regions without a reading count as 0).
    - `tension_by_region`: region code -> level 1..3 (regions at 0 are absent).
    - `tension_read`: whether tension was palpated at all (every region at 0 is a sum
      of 0, a measurement; no reading is "not measured").
    - `techniques`: the techniques used, in vocabulary order.
    - `record`: the SessionRecord, or None when nothing was recorded yet.
    """

    session: Session
    number: int | None
    date: date
    measures: dict[str, tuple[Decimal | None, Decimal | None]] = field(default_factory=dict)
    tension_sum: int | None = None
    tension_by_region: dict[str, int] = field(default_factory=dict)
    tension_read: bool = False
    techniques: list[Technique] = field(default_factory=list)
    record: SessionRecord | None = None

    def value(self, code: str, moment: str) -> Decimal | None:
        """The value of one measure, moment "before" or "after" (None if not recorded)."""
        before, after = self.measures.get(code, (None, None))
        return before if moment == Measurement.Moment.BEFORE else after


def _record_prefetches() -> list[Prefetch]:
    return [
        Prefetch(
            "measurements",
            queryset=Measurement.objects.select_related("measure").order_by(
                "measure__order", "moment"
            ),
        ),
        Prefetch("tension", queryset=TensionReading.objects.select_related("region")),
        Prefetch("techniques", queryset=Technique.objects.order_by("order", "code")),
    ]


def course_measure_table(
    course, *, techniques: bool = True, related: tuple[str, ...] = ()
) -> list[CourseMeasureRow]:
    """For each non-cancelled session of `course`, in time order, what was measured.

    Queries: sessions (+ record; + practice and client unless the course has them
    loaded) · measurements (+ measure) · tension (+ region) · techniques — four in all
    (three without `techniques`: the rows' techniques are then empty). `related`: more
    one-to-one relations of the sessions to load with them (`select_related`), for the
    apps above this one.
    """
    return course_measure_table_and_cancelled(course, techniques=techniques, related=related)[0]


def course_measure_table_and_cancelled(
    course, *, techniques: bool = True, related: tuple[str, ...] = ()
) -> tuple[list[CourseMeasureRow], int]:
    """`course_measure_table`, and how many of the course's sessions were cancelled
    (counted from the same query: the course page shows both)."""
    # The sessions' practice and client are the course's: taken from the course when it
    # has them loaded (the pages fetch courses with their client, on the request's
    # practice), joined otherwise.
    shared = [name for name in ("practice", "client") if _is_loaded(course, name)]
    sessions = (
        Session.objects.filter(course=course)
        .select_related(
            "record", *(name for name in ("practice", "client") if name not in shared), *related
        )
        .order_by("starts_at", "id")
    )
    kept = []
    cancelled = 0
    for session in sessions:
        if session.status == Session.Status.CANCELLED:  # Session.objects.active()'s rule
            cancelled += 1
            continue
        for name in shared:
            if getattr(session, f"{name}_id") == getattr(course, f"{name}_id"):
                setattr(session, name, getattr(course, name))
        kept.append(session)
    return measure_rows(kept, techniques=techniques), cancelled


@dataclass
class RecordValues:
    """What a set of session records holds, by record id: measure code -> [before,
    after] (`measures`), region code -> level for levels above 0 (`tension`), the
    records palpated at all (`read`: possibly every region at 0) and the techniques
    used, in vocabulary order (`techniques`)."""

    measures: dict[int, dict[str, list[Decimal | None]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    tension: dict[int, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    read: set[int] = field(default_factory=set)
    techniques: dict[int, list[Technique]] = field(default_factory=lambda: defaultdict(list))


def record_values(practice, record_ids, *, techniques: bool = True) -> RecordValues:
    """The measurements, tension readings and (with `techniques`) techniques of these
    records in ONE statement, named from the vocabularies kept in memory
    (measures/selectors.py) instead of joined: the course and client pages read them on
    every load. Written as SQL, not as three ORM queries, for the reason given at
    `scheduling.selectors._slot_sql`: the three joined queries cost a course page 8.8 ms
    on 2 CPUs, 3.3 of them in the database; this one ~1.6 ms. Table names come from
    the models."""
    values = RecordValues()
    ids = list(record_ids)
    if not ids:
        return values
    connection = connections[Measurement.objects.db]
    some = ", ".join(["%s"] * len(ids))
    links = SessionRecord.techniques.through._meta.db_table
    branches = [
        f"SELECT 0, record_id, measure_id, moment, value, CAST(NULL AS integer)"
        f" FROM {Measurement._meta.db_table} WHERE record_id IN ({some})",
        f"SELECT 1, record_id, region_id, CAST(NULL AS text), CAST(NULL AS numeric), level"
        f" FROM {TensionReading._meta.db_table} WHERE record_id IN ({some})",
    ]
    if techniques:
        branches.append(
            "SELECT 2, sessionrecord_id, technique_id, CAST(NULL AS text),"
            f" CAST(NULL AS numeric), CAST(NULL AS integer) FROM {links}"
            f" WHERE sessionrecord_id IN ({some})"
        )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(branches), ids * len(branches))
        rows = cursor.fetchall()
    # The values as the ORM would hand them over (SQLite stores decimals as numbers).
    value_field = Measurement._meta.get_field("value")
    value_col = value_field.get_col(Measurement._meta.db_table)
    as_decimal = [
        *connection.ops.get_db_converters(value_col),
        *value_field.get_db_converters(connection),
    ]
    definitions = {m.pk: m for m in measure_definitions(practice)}
    regions = region_codes(practice)
    used = techniques_by_id(practice)
    measurements = []
    for kind, record_id, ref, moment, value, level in rows:
        if kind == 0:
            for convert in as_decimal:
                value = convert(value, value_col, connection)
            measure = definitions[ref]
            measurements.append((measure.order, measure.code, moment, record_id, value))
        elif kind == 1:
            values.read.add(record_id)
            if level:
                values.tension[record_id][regions[ref]] = level
        else:
            values.techniques[record_id].append(used[ref])
    # In the measures' order, as the pages list them (the admin's order, then the code).
    for _order, code, moment, record_id, value in sorted(measurements, key=lambda m: m[:3]):
        pair = values.measures[record_id].setdefault(code, [None, None])
        pair[0 if moment == Measurement.Moment.BEFORE else 1] = value
    order = {pk: i for i, pk in enumerate(used)}
    for chosen in values.techniques.values():
        chosen.sort(key=lambda t: order[t.pk])
    return values


def measure_rows(
    sessions, *, techniques: bool = True, values: RecordValues | None = None
) -> list[CourseMeasureRow]:
    """`course_measure_table`'s rows for sessions a page has loaded already: a course's
    non-cancelled sessions in time order, each with its `record` and `practice` loaded
    (`select_related`). One query (`record_values`), none when the page has read the
    records' values already (`values`, of these records at least). Without
    `techniques` the rows' techniques are empty (for a chart)."""
    records = [r for r in (getattr(s, "record", None) for s in sessions) if r is not None]
    if values is None:
        practice = sessions[0].practice if records else None
        values = record_values(practice, [r.pk for r in records], techniques=techniques)
    measures, tension, read = values.measures, values.tension, values.read
    used = values.techniques if techniques else {}
    rows = []
    number = 0
    for session in sessions:
        record = getattr(session, "record", None)  # reverse one-to-one: raises if missing
        missed = session.status == Session.Status.NO_SHOW
        number += 0 if missed else 1
        local_date = session.starts_at.astimezone(session.practice.zone).date()
        if record is None:
            rows.append(
                CourseMeasureRow(
                    session=session, number=None if missed else number, date=local_date
                )
            )
            continue
        levels = tension.get(record.pk, {})
        rows.append(
            CourseMeasureRow(
                session=session,
                number=None if missed else number,
                date=local_date,
                measures={code: (b, a) for code, (b, a) in measures.get(record.pk, {}).items()},
                tension_sum=sum(levels.values()) if levels else None,
                tension_by_region=levels,
                tension_read=record.pk in read,
                techniques=used.get(record.pk, []),
                record=record,
            )
        )
    return rows


def _is_loaded(obj, name: str) -> bool:
    """Whether the foreign key `name` of `obj` is loaded (reading it costs no query)."""
    return obj._meta.get_field(name).is_cached(obj)


def session_record_for(session: Session) -> SessionRecord | None:
    return (
        SessionRecord.objects.filter(session=session)
        .select_related("updated_by")
        .prefetch_related(*_record_prefetches(), "muscles_treated")
        .first()
    )


@dataclass(frozen=True)
class ChartRegion:
    """One region as drawn on the body chart (`records/_body_chart.html`)."""

    code: str
    label: str
    svg_path: str
    level: int = 0

    @property
    def side(self) -> str:
        return self.code.rsplit("_", 1)[-1].upper()


def body_chart_regions(
    levels: Mapping[str, int] | None = None, *, regions=None
) -> list[ChartRegion]:
    """Active back regions with their tension level (region code -> 0..3; missing = 0).

    Pass `regions` (MuscleRegion rows) to avoid the query when you already have them.
    """
    levels = levels or {}
    if regions is None:
        regions = MuscleRegion.objects.filter(is_active=True)
    return [
        ChartRegion(
            code=r.code,
            label=str(r),
            svg_path=r.svg_path,
            level=int(levels.get(r.code, 0) or 0),
        )
        for r in regions
    ]
