"""Everything the practice holds about one client, as plain data (JSON) or a PDF.

The JSON keeps codes (status "no_show") and ISO times with their offset, in the practice's
time zone (named in "time_zone"), for programs. The PDF is for people: the practice's
language, dates in its formats, the zone named, and words instead of codes."""

from datetime import date, datetime

from django.template.loader import render_to_string
from django.utils import timezone, translation

from backcourse.billing.selectors import client_money_export
from backcourse.clients.models import ConsentRecord, Intake
from backcourse.courses.models import Course
from backcourse.formats import format_day_time, format_local
from backcourse.portal.models import CheckIn, FollowUp, QuestionnaireResponse
from backcourse.records.models import Measurement, SessionRecord
from backcourse.scheduling.models import Session


def _dt(value):
    return timezone.localtime(value).isoformat() if value else None


def client_data_export(client) -> dict:
    """In the practice's time zone (ISO with offset)."""
    with timezone.override(client.practice.zone):
        return _client_data(client)


def _client_data(client) -> dict:
    sessions = Session.objects.filter(client=client).select_related("therapist__user", "course")
    records = {
        r.session_id: r
        for r in SessionRecord.objects.filter(session__client=client).prefetch_related(
            "measurements__measure", "techniques", "muscles_treated", "tension__region"
        )
    }
    checkins = {c.session_id: c for c in CheckIn.objects.filter(session__client=client)}
    followups = {f.session_id: f for f in FollowUp.objects.filter(session__client=client)}

    def session_data(s):
        record = records.get(s.pk)
        check_in = checkins.get(s.pk)
        follow_up = followups.get(s.pk)
        return {
            "starts_at": _dt(s.starts_at),
            "duration_minutes": s.duration_minutes,
            "status": s.status,
            "therapist": s.therapist.name,
            "course": s.course.complaint if s.course else None,
            "check_in": check_in
            and {"pain": check_in.pain, "stress": check_in.stress, "note": check_in.note},
            "follow_up": follow_up
            and {"value": follow_up.value, "answered_at": _dt(follow_up.answered_at)},
            "record": record
            and {
                "techniques": [t.name for t in record.techniques.all()],
                "pressure": record.get_pressure_display() if record.pressure else None,
                "muscles_treated": [str(m) for m in record.muscles_treated.all()],
                "subjective": record.subjective,
                "objective": record.objective,
                "assessment": record.assessment,
                "plan": record.plan,
                "measurements": [
                    {"measure": m.measure.name, "moment": m.moment, "value": float(m.value)}
                    for m in record.measurements.all()
                ],
                "tension": [
                    {"region": str(t.region), "level": t.level} for t in record.tension.all()
                ],
            },
        }

    return {
        "exported_at": _dt(timezone.now()),
        "time_zone": client.practice.time_zone,
        "practice": client.practice.name,
        "client": {
            "first_name": client.first_name,
            "last_name": client.last_name,
            "email": client.email,
            "phone": client.phone,
            "date_of_birth": client.date_of_birth.isoformat() if client.date_of_birth else None,
        },
        "courses": [
            {
                "complaint": c.complaint,
                "goal": str(c.goal_text),
                "status": c.status,
                "started_on": c.started_on.isoformat(),
                "planned_sessions": c.planned_sessions,
            }
            for c in client.courses.select_related("goal_measure")
        ],
        "sessions": [session_data(s) for s in sessions],
        "intakes": [
            {
                "submitted_at": _dt(i.submitted_at),
                "complaint": i.complaint,
                "where": [str(r) for r in i.regions.all()],
                "history": i.history,
                "medication": i.medication,
                "screening": [
                    {"question": a.question_text, "answer": a.answer} for a in i.answers.all()
                ],
            }
            for i in Intake.objects.filter(client=client).prefetch_related("regions", "answers")
        ],
        "consents": [
            {
                "text": str(r.text.get_kind_display()),
                "version": r.text.version,
                "agreed_at": _dt(r.agreed_at),
                "via": r.via,
            }
            for r in ConsentRecord.objects.filter(client=client).select_related("text")
        ],
        "questionnaires": [
            {
                "instrument": q.instrument,
                "score": float(q.score),
                "completed_at": _dt(q.completed_at),
                "answers": q.answers,
            }
            for q in QuestionnaireResponse.objects.filter(client=client)
        ],
        "money": client_money_export(client),
    }


def _when(value: str | None) -> str:
    if not value:
        return ""
    if "T" not in value:
        return format_local(date.fromisoformat(value))
    return format_day_time(datetime.fromisoformat(value))


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def client_data_readable(data: dict) -> dict:
    """The export in words: local dates and times in the active language's formats,
    choice codes as their labels. Call inside the practice's language and time zone."""
    for course in data["courses"]:
        course["status"] = _label(Course.Status, course["status"])
        course["started_on"] = _when(course["started_on"])
    for s in data["sessions"]:
        start = datetime.fromisoformat(s["starts_at"])
        s["starts_at"] = format_day_time(start)
        s["status"] = _label(Session.Status, s["status"])
        for m in (s["record"] or {}).get("measurements", []):
            m["moment"] = _label(Measurement.Moment, m["moment"])
        if s["follow_up"]:
            s["follow_up"]["answered_at"] = _when(s["follow_up"]["answered_at"])
    for i in data["intakes"]:
        i["submitted_at"] = _when(i["submitted_at"])
    for c in data["consents"]:
        c["agreed_at"] = _when(c["agreed_at"])
        c["via"] = _label(ConsentRecord.Via, c["via"])
    for q in data["questionnaires"]:
        q["completed_at"] = _when(q["completed_at"])
    data["exported_at"] = _when(data["exported_at"])
    data["client"]["date_of_birth"] = _when(data["client"]["date_of_birth"])
    return data


def client_data_pdf(client, *, base_url: str) -> bytes:
    from weasyprint import HTML

    practice = client.practice
    with translation.override(practice.language), timezone.override(practice.zone):
        data = client_data_readable(client_data_export(client))
        html = render_to_string(
            "portal/export_pdf.html",
            {"data": data, "client": client, "zone": practice.time_zone},
        )
    return HTML(string=html, base_url=base_url).write_pdf()
