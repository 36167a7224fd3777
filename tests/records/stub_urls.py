"""The real URLconf, plus placeholders for the pages that other engineers are still
building (base.html's navigation, and where the record form redirects after saving).

Used by tests/records/conftest.py only while one of those names is missing, so the
record form can be tested on its own; once the real views exist this is not used.
"""

from django.http import HttpResponse
from django.urls import URLResolver, include, path

from backcourse import urls as root

NEEDED = {
    "scheduling": [("day", "day/"), ("week", "week/")],
    "clients": [("list", ""), ("detail", "<int:pk>/")],
    "courses": [("detail", "<int:pk>/")],
}


def _placeholder(request, **kwargs):
    return HttpResponse(f"placeholder for {request.resolver_match.view_name}")


def _augmented(resolver: URLResolver):
    patterns = list(resolver.url_patterns)
    have = {getattr(p, "name", None) for p in patterns}
    for name, route in NEEDED[resolver.namespace]:
        if name not in have:
            patterns.append(path(route, _placeholder, name=name))
    return path(
        str(resolver.pattern), include((patterns, resolver.app_name), namespace=resolver.namespace)
    )


urlpatterns = [
    _augmented(p) if isinstance(p, URLResolver) and p.namespace in NEEDED else p
    for p in root.urlpatterns
]
