"""Reads for the public booking pages: what each kind of session and each therapist
shows, and free times arranged for a phone (a strip of days, then the chosen day's
times by part of the day)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from functools import cached_property
from typing import Any

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
    staff: Any
    bio: str
    photo_url: str | None

    @property
    def initials(self) -> str:
        return "".join(w[0] for w in self.staff.name.split()[:2]).upper()


def public_kinds(kinds: Any) -> list[PublicKind]:
    kinds = kinds.select_related("public_info")
    result = []
    for k in kinds:
        info = getattr(k, "public_info", None)
        result.append(PublicKind(kind=k, description=info.description if info else ""))
    return result


def public_therapists(therapists: Any) -> list[PublicTherapist]:
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
    practice: Any
    starts: list[datetime] = field(default_factory=list)  # free start times, UTC, ascending

    @property
    def zone(self) -> tzinfo:
        zone: tzinfo = self.practice.zone
        return zone

    @property
    def count(self) -> int:
        return len(self.starts)

    @cached_property
    def times(self) -> list[tuple[str, datetime]]:
        """[(label, starts_at UTC)]; labelled only when shown (the strip of days shows
        counts, the chosen day its times)."""
        return [(local_time_label(self.practice, at), at) for at in self.starts]

    def parts(self) -> list[tuple[str, Any, list[tuple[str, datetime]]]]:
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


def days_with_times(practice: Any, starts: Any, first_day: date, n_days: int) -> list[Day]:
    """Every day of the window (also those without a free time), each with its times.
    `starts`: distinct free start times, ascending (`available_starts`)."""
    days: OrderedDict[date, Day] = OrderedDict(
        (first_day + timedelta(days=i), Day(first_day + timedelta(days=i), practice))
        for i in range(n_days)
    )
    zone = practice.zone
    for starts_at in starts:
        local_day = starts_at.astimezone(zone).date()
        if local_day in days:
            days[local_day].starts.append(starts_at)
    return list(days.values())
