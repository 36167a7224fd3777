#!/usr/bin/env python
"""Screenshots of the course-effect panel for five kinds of course, in English and German.

    .venv/bin/python scripts/shoot_effect_panels.py [--port 8150] [--out screenshots]

Builds a fresh SQLite database with the demo practice (`seed_demo`), gives the demo
client Clara five more courses — improving, a non-responder, relapsing after improving,
in its maintenance phase, and one on a range-of-motion measure (fingertip-to-floor) —
stores the practice's outcome figures, serves the app on 127.0.0.1:PORT and shoots, at
1024 px and 390 px, the staff course page's panel, the client's own progress page and
the PDF report (each page through `pdftoppm`). Then the same in German.

Writes PNGs into `--out` (gitignored) and prints every figure of every panel, so the
figures can be checked against the charts.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PASSWORD = "backcourse-demo"

# (slug, complaint, goal measure, goal, planned, phase, maintenance days, [(day, before, after)])
COURSES = [
    (
        "improving",
        "Lower back pain after desk work",
        "pain",
        3,
        10,
        "intensive",
        28,
        [(0, 8, 5), (7, 7, 4), (14, 6, 4), (21, 6, 3), (28, 5, 3), (35, 5, 2)],
    ),
    (
        "non-responder",
        "Neck and shoulder pain",
        "pain",
        3,
        8,
        "intensive",
        28,
        [(0, 7, 5), (7, 7, 5), (14, 7, 6), (21, 6, 5), (28, 7, 5), (35, 7, 6)],
    ),
    (
        "relapse",
        "Lumbar pain, relapsing",
        "pain",
        3,
        10,
        "intensive",
        28,
        [
            (0, 8, 5),
            (7, 6, 3),
            (14, 5, 2),
            (21, 4, 2),
            (28, 4, 2),
            (35, 5, 3),
            (42, 6, 4),
            (49, 7, 4),
        ],
    ),
    (
        "maintenance",
        "Chronic back tension, maintenance",
        "pain",
        3,
        12,
        "maintenance",
        28,
        [
            (0, 7, 4),
            (7, 5, 3),
            (14, 4, 2),
            (21, 3, 1),
            (28, 3, 1),
            (49, 3, 1),
            (70, 4, 1),
            (91, 3, 1),
        ],
    ),
    (
        "rom",
        "Stiff lower back (fingertip-to-floor)",
        "fingertip_floor",
        5,
        10,
        "intensive",
        28,
        [(0, 26, 21), (7, 22, 18), (14, 19, 15), (21, 17, 13), (28, 15, 12), (35, 14, 11)],
    ),
]


def setup(db: Path) -> None:
    os.environ.update(
        DATABASE_URL=f"sqlite:///{db}",
        DJANGO_SETTINGS_MODULE="backcourse.settings",
        AXES_ENABLED="0",
        DEBUG="1",
        BACKCOURSE_DATA_DIR=str(db.parent),
    )
    import django

    django.setup()


def build() -> list[tuple[str, int]]:
    from django.core.management import call_command

    from backcourse.courses.models import Course
    from backcourse.measures.models import MeasureDefinition, MuscleRegion
    from backcourse.outcomes.services import practice_outcomes_refresh
    from backcourse.portal.models import FollowUp
    from backcourse.practices.models import Practice, StaffMember
    from backcourse.records.models import Measurement, SessionRecord, TensionReading
    from backcourse.scheduling.models import Session

    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--reset", verbosity=0)
    practice = Practice.objects.get(slug="demo")
    anna = StaffMember.objects.get(user__username="anna")
    clara = anna.practice.clients.get(user__username="clara")
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    made = []
    for c, (slug, complaint, code, goal, planned, phase, maint, sessions) in enumerate(COURSES):
        measure = MeasureDefinition.objects.get(code=code)
        last_day = sessions[-1][0]
        start = today - timedelta(days=last_day + 2)
        course = Course.objects.create(
            practice=practice,
            client=clara,
            therapist=anna,
            complaint=complaint,
            goal_measure=measure,
            goal_value=Decimal(goal),
            planned_sessions=planned,
            phase=phase,
            maintenance_interval_days=maint,
            started_on=start.date(),
        )
        for k, (day, before, after) in enumerate(sessions):
            at = start + timedelta(days=day, hours=1 + c, minutes=5 * k % 30)  # night: free
            s = Session.objects.create(
                practice=practice,
                therapist=anna,
                client=clara,
                course=course,
                starts_at=at,
                ends_at=at + timedelta(minutes=30),
                duration_minutes=30,
                status=Session.Status.COMPLETED,
            )
            r = SessionRecord.objects.create(session=s)
            Measurement.objects.create(record=r, measure=measure, moment="before", value=before)
            Measurement.objects.create(record=r, measure=measure, moment="after", value=after)
            if slug == "improving":  # palpated tension falling: the tension-sum chart
                for code, level in (("trapezius_upper_l", 3), ("rhomboids_r", 2)):
                    TensionReading.objects.create(
                        record=r,
                        region=MuscleRegion.objects.get(code=code),
                        level=max(level - k // 2, 0),
                    )
            if slug == "improving" and k < len(sessions) - 1:
                FollowUp.objects.create(
                    session=s, value=after + 1, answered_at=at + timedelta(days=1)
                )
        made.append((slug, course.pk))
    practice_outcomes_refresh(practice=practice)
    return made


def print_figures(made) -> None:
    from backcourse.courses.models import Course
    from backcourse.outcomes.panels import measure_panel
    from backcourse.outcomes.selectors import course_rows

    for slug, pk in made:
        course = Course.objects.get(pk=pk)
        panel = measure_panel(course, course.goal_measure, course_rows(course))
        print(f"\n== {slug} (course {pk}, {panel.result.status})")
        for a in panel.advice:
            print(f"   ! {a}")
        for f in panel.figures:
            print(f"   {f.number}. {f.label}: {f.value or f.reason} {f.range or ''}")


def wait_for(url: str, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            urlopen(url, timeout=2)  # noqa: S310 - our own local server
            return
        except Exception:
            time.sleep(0.5)
    raise SystemExit(f"server at {url} did not start")


def shoot(base: str, made, out: Path, lang: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        for width in (1024, 390):
            staff = browser.new_page(viewport={"width": width, "height": 900})
            staff.goto(f"{base}/accounts/login/")
            staff.fill("#id_username", "anna")
            staff.fill("#id_password", PASSWORD)
            staff.click("button[type=submit]")
            staff.wait_for_load_state()
            for slug, pk in made:
                staff.goto(f"{base}/courses/{pk}/")
                staff.locator("#course-effect").screenshot(
                    path=str(out / f"{lang}-{width}-staff-{slug}.png")
                )
                if slug == "improving":
                    staff.goto(f"{base}/courses/{pk}/?effect_measure=tension_sum")
                    staff.locator("#course-effect").screenshot(
                        path=str(out / f"{lang}-{width}-staff-tension-sum.png")
                    )
                if width == 1024:
                    pdf = staff.request.get(f"{base}/outcomes/course/{pk}/report.pdf").body()
                    pdf_path = out / f"{lang}-report-{slug}.pdf"
                    pdf_path.write_bytes(pdf)
                    subprocess.run(
                        ["pdftoppm", "-png", "-r", "70", str(pdf_path), str(pdf_path)[:-4]],
                        check=True,
                    )
            context = browser.new_context(viewport={"width": width, "height": 900})
            context.add_cookies(
                [{"name": "sessionid", "value": os.environ["SHOOT_CLARA_SESSION"], "url": base}]
            )
            client = context.new_page()
            for slug, pk in made:
                client.goto(f"{base}/me/courses/{pk}/")
                client.locator("section.card").first.screenshot(
                    path=str(out / f"{lang}-{width}-client-{slug}.png")
                )
        browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, default=8150)
    ap.add_argument("--out", default=str(ROOT / "screenshots"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="bc-shoot-"))
    db = tmp / "shoot.sqlite3"
    setup(db)
    made = build()
    from django.test import Client

    from backcourse.accounts.models import User
    from backcourse.practices.models import Practice

    signed_in = Client()
    signed_in.force_login(User.objects.get(username="clara"))
    os.environ["SHOOT_CLARA_SESSION"] = signed_in.cookies["sessionid"].value
    for lang in ("en", "de"):
        Practice.objects.filter(slug="demo").update(language=lang)
        print_figures(made)
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{args.port}", "--noreload"],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(f"http://127.0.0.1:{args.port}/accounts/login/")
            shoot(f"http://127.0.0.1:{args.port}", made, out, lang)
        finally:
            server.terminate()
            server.wait(10)
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nscreenshots in {out}")


if __name__ == "__main__":
    main()
