"""The floor of the stack, for `scripts/bench_pages.py`: the cheapest staff page there can
be. It passes the same middleware as every staff page (session, user, staff member, two-
factor check), fetches one session by primary key and answers a few bytes, so a page's
time divided by this one's says how much the page itself costs on this machine.

Its URL exists only when the benchmark starts the server with BACKCOURSE_BENCH_FLOOR=1
(settings.BENCH_FLOOR); it is never part of a normal deployment.
"""

from django.http import HttpRequest, HttpResponse

from backcourse.practices.access import scoped_sessions, staff_required


@staff_required
def floor(request: HttpRequest, pk: int) -> HttpResponse:
    starts_at = scoped_sessions(request).values_list("starts_at", flat=True).get(pk=pk)
    return HttpResponse(starts_at.isoformat(), content_type="text/plain")
