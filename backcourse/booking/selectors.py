"""Reads for the public booking pages: what each kind of session and each therapist
shows, and free times arranged for a phone (a strip of days, then the chosen day's
times by part of the day)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils.translation import gettext_lazy as _

from backcourse.booking.models import TherapistProfile
from backcourse.scheduling.formats import local_time_label

# Parts of the day by the local start hour: morning before 12:00, afternoon until 17:00.
PARTS = [
    ("morning", _("Morning"), 0),
    ("afternoon", _("Afternoon"), 12),
    ("evening", _("Evening"), 17),
]


@dataclass
class PublicKind:
    kind: object
    description: str  # the price comes from billing ({% session_type_price %})


@dataclass
class PublicTherapist:
    staff: object
    bio: str
    photo_url: str | None

    @property
    def initials(self) -> str:
        return "".join(w[0] for w in self.staff.name.split()[:2]).upper()


def public_kinds(kinds) -> list[PublicKind]:
    kinds = kinds.select_related("public_info")
    result = []
    for k in kinds:
        info = getattr(k, "public_info", None)
        result.append(PublicKind(kind=k, description=info.description if info else ""))
    return result


def public_therapists(therapists) -> list[PublicTherapist]:
    profiles = {
        p.staff_id: p
        for p in TherapistProfile.objects.filter(staff_id__in=[t.pk for t in therapists])
    }
    result = []
    for t in therapists:
        p = profiles.get(t.pk)
        result.append(
            PublicTherapist(
                staff=t,
                bio=p.bio if p else "",
                photo_url=p.photo.url if p and p.photo else None,
            )
        )
    return result


@dataclass
class Day:
    day: date
    zone: object
    times: list[tuple[str, datetime]] = field(default_factory=list)  # (label, starts_at UTC)

    @property
    def count(self) -> int:
        return len(self.times)

    def parts(self):
        """[(key, name, [(label, starts_at)])] for the parts of the day that have times."""
        result = []
        for i, (key, name, hour) in enumerate(PARTS):
            until = PARTS[i + 1][2] if i + 1 < len(PARTS) else 24
            items = [(label, at) for label, at in self.times if hour <= self._hour(at) < until]
            if items:
                result.append((key, name, items))
        return result

    def _hour(self, at: datetime) -> int:
        return at.astimezone(self.zone).hour


def days_with_times(practice, slots, first_day: date, n_days: int) -> list[Day]:
    """Every day of the window (also those without a free time), each with its times;
    with "any therapist" a time shows once."""
    days: OrderedDict[date, Day] = OrderedDict(
        (first_day + timedelta(days=i), Day(first_day + timedelta(days=i), practice.zone))
        for i in range(n_days)
    )
    seen = set()
    for slot in slots:
        if slot.starts_at in seen:
            continue
        seen.add(slot.starts_at)
        local_day = slot.starts_at.astimezone(practice.zone).date()
        if local_day in days:
            days[local_day].times.append(
                (local_time_label(practice, slot.starts_at), slot.starts_at)
            )
    return list(days.values())
