"""The authorization battery: every URL pattern from the resolver × every role × own,
other-client and other-practice objects.

A new URL is covered without touching this file: its pattern is found by walking the
resolver, and its parameters are filled from the names and converters in the pattern.
Every request runs inside a transaction that is rolled back, so a POST that changes
something (confirming an erasure, revoking a token, logging out) leaves the next
request the same world.

A *leak* is a response that contains text the role may not see (`forbidden`); a
*server error* is any 5xx.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from itertools import product
from urllib.parse import parse_qsl

from django.contrib import admin
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from backcourse.practices.admin_scoping import practice_scoped

BAD_ID = 2**63  # larger than any database integer: must be a 404, not a 500
# Bad input in the query string (and, for POST, the form): a `next` that is no path,
# dates of year 1 and 9999, numbers beyond any database integer, a NUL byte.
BAD_QUERIES = [
    "?next=abc&date=0001-01-01&start=0001-01-01&from=0001-01-01&to=0001-01-02",
    "?next=//evil.example/&date=9999-12-31&start=9999-12-31&from=9999-12-30&to=9999-12-31"
    f"&offset={BAD_ID}&limit={BAD_ID}&page={BAD_ID}",
    "?q=a%00b&measure=pain%00&next=/%00",
]
# The world's week, for the pages and feeds that need a range (the calendar's events).
WEEK_QUERY = "?start=2026-11-02&end=2026-11-09"
ROUTE_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
# A form's CSRF token is 64 random letters and digits: one in a few hundred thousand
# holds "zebra" (practice B's slug) by chance, which failed a CI run. Tokens are
# blanked before the body is searched; they carry no data of either practice.
CSRF_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*"')


@dataclass
class Finding:
    role: str
    method: str
    url: str
    status: int
    what: str


@dataclass
class Tally:
    requests: int = 0
    leaks: list[Finding] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)
    audit_gaps: list[Finding] = field(default_factory=list)
    cache_gaps: list[Finding] = field(default_factory=list)
    audited_reads: int = 0
    statuses: Counter = field(default_factory=Counter)
    patterns: int = 0
    skipped: list[str] = field(default_factory=list)


def url_patterns():
    """(route, name, pattern kind) for every endpoint, admin included."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + _route_text(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + _route_text(p.pattern), p.name

    return list(walk(get_resolver().url_patterns))


def _route_text(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return str(pattern)
    if isinstance(pattern, RegexPattern):
        return "\x00RE" + str(pattern) + "\x00"  # expanded below
    return str(pattern)


def _admin_model(name: str | None):
    if not name:
        return None
    for model in admin.site._registry:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            return model
    return None


def _regex_urls(route: str) -> list[str]:
    """Expand the few regex routes (the admin's app list, its catch-all)."""
    urls = [""]
    for part in route.split("\x00"):
        if not part.startswith("RE"):
            urls = [u + part for u in urls]
            continue
        regex = part[2:].lstrip("^").rstrip("$")
        m = re.fullmatch(r"\(\?P<\w+>([\w|]+)\)/", regex)
        if m:
            urls = [u + alt + "/" for u in urls for alt in m.group(1).split("|")]
        elif regex == "(?P<url>.*)":
            urls = [u + "no-such-page/" for u in urls]
        else:
            return []
    return urls


def requests_for(route: str, name: str | None, values: dict) -> list[str]:
    """Concrete URL paths for one route: each parameter from `values`."""
    if "\x00RE" in route:
        return ["/" + u for u in _regex_urls(route)]
    params = list(ROUTE_PARAM.finditer(route))
    if not params:
        return ["/" + route]
    choices = []
    model = _admin_model(name) if route.startswith("admin/") else None
    for m in params:
        conv, pname = m.group("conv") or "str", m.group("name")
        if pname == "object_id" and model is not None:
            choices.append(values["admin_ids"](model))
        elif conv in ("int", "path") or pname == "pk" or pname.endswith("_id"):
            choices.append(values["ids"])
        elif pname in ("secret", "token"):
            choices.append(values["secrets"])
        elif pname == "slug":
            choices.append(values["slugs"])
        elif pname == "code":
            choices.append(["rmdq", "psfs", "nope"])
        else:
            choices.append(["nope"])
    urls = []
    for combo in product(*choices):
        url = route
        for m, value in zip(reversed(params), reversed(combo), strict=True):
            url = url[: m.start()] + str(value) + url[m.end() :]
        urls.append("/" + url)
    return urls


def battery_values(world_a, world_b) -> dict:
    def pks(world):
        return {
            obj.pk for obj in world.objects.values() if hasattr(obj, "pk") and obj.pk is not None
        }

    # With the tables numbered from 1 (the battery's tests reset the sequences), a
    # handful of ids reach a row of every kind in both practices. Numbered on from
    # earlier tests, every row had an id of its own: about 40 ids instead of 8, and four
    # times the requests for the same coverage (on CI the PostgreSQL run timed out).
    ids = sorted(pks(world_a) | pks(world_b)) + [BAD_ID]

    def admin_ids(model):
        out = []
        for w in (world_a, world_b):
            qs = practice_scoped(model._default_manager.all(), w.practice, admin_site=admin.site)
            row = qs.first()
            if row is not None:
                out.append(row.pk)
        return out or [1]

    return {
        "ids": ids,
        "admin_ids": admin_ids,
        "secrets": [*world_a.secrets.values(), "nope"],
        "slugs": [world_a.practice.slug, "nope"],
    }


def run_battery(
    client,
    *,
    role: str,
    world_a,
    world_b,
    forbidden,
    audited=lambda url: [],
    api_token=None,
    tally=None,
    only="",
):
    """Try every URL as `role` (the test client is already logged in as it).

    `forbidden(url) -> list[str]` gives the texts this role must not see at `url`;
    `audited(url) -> list[str]` the health data that, when shown, must come with an
    audit row written by the same request (else an *audit gap*); `only` limits the run
    to routes starting with it.
    """
    from backcourse.audit.models import AccessEvent

    tally = tally or Tally()
    client.raise_request_exception = False  # a crash is counted as the 500 it gives
    values = battery_values(world_a, world_b)
    personal_texts = [text for texts in world_a.markers.values() for text in texts]
    saved = SimpleCookie(client.cookies.output(header="", sep="\n"))
    for route, name in url_patterns():
        if not route.startswith(only):
            continue
        tally.patterns += 1
        urls = requests_for(route, name, values)
        if not urls:
            tally.skipped.append(route)
            continue
        methods = ["get"] if route.startswith("admin/") else ["get", "post"]
        for n, (url, method) in enumerate(product(urls, methods)):
            extra = {}
            if url.startswith("/api/v1/") and api_token:
                extra["HTTP_AUTHORIZATION"] = f"Bearer {api_token}"
            queries = [""]
            if "<" not in route and not route.startswith(("admin/", "api/v1/")):
                # pages prefilled from the query string (?client=, ?course=, ?session=)
                queries += [f"?client={i}&course={i}&session={i}" for i in values["ids"][:-1]]
                queries.append(WEEK_QUERY)
            if n < len(methods):  # the first URL of each route, once per method
                queries += BAD_QUERIES
            for query in queries:
                with transaction.atomic():
                    events_before = AccessEvent.objects.count()
                    if method == "post" and url.startswith("/api/v1/"):
                        response = getattr(client, method)(
                            url + query, data={}, content_type="application/json", **extra
                        )
                    elif method == "post":
                        data = dict(parse_qsl(query.lstrip("?"))) if query else {}
                        response = client.post(url + query, data=data, **extra)
                    else:
                        response = getattr(client, method)(url + query, **extra)
                    body = "" if response.status_code >= 500 else _body(response).lower()
                    new_events = AccessEvent.objects.count() - events_before
                    transaction.set_rollback(True)
                client.cookies = SimpleCookie(saved.output(header="", sep="\n"))
                tally.requests += 1
                tally.statuses[response.status_code // 100 * 100] += 1
                status = response.status_code
                full = url + query
                if status >= 500:
                    tally.errors.append(Finding(role, method, full, status, "server error"))
                    continue
                for text in forbidden(full):
                    if text.lower() in body:
                        tally.leaks.append(Finding(role, method, full, status, text))
                personal = [t for t in personal_texts if t.lower() in body]
                if personal and "no-store" not in response.get("Cache-Control", ""):
                    tally.cache_gaps.append(Finding(role, method, full, status, personal[0]))
                shown = [t for t in audited(full) if t.lower() in body]
                if shown and status == 200:
                    if new_events:
                        tally.audited_reads += 1
                    else:
                        tally.audit_gaps.append(Finding(role, method, full, status, shown[0]))
    return tally


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    content_type = response.get("Content-Type", "")
    if "pdf" in content_type:
        return _pdf_text(response.content)
    return CSRF_TOKEN.sub(r'\1"', response.content.decode("utf-8", "replace"))


def _pdf_text(data: bytes) -> str:
    """The text of a PDF (pdftotext from poppler-utils), so reports are checked too."""
    import subprocess

    done = subprocess.run(
        ["pdftotext", "-q", "-", "-"], input=data, capture_output=True, check=False
    )
    return done.stdout.decode("utf-8", "replace")
