"""The request being served, for audit rows written from model signals (a change made
through a service, the API or the admin is attributed to whoever made the request).

A contextvar, not a thread-local: correct under threads and async alike. Set by
`AuditContextMiddleware` for the whole request.
"""

from contextvars import ContextVar

current_request: ContextVar = ContextVar("backcourse_audit_request", default=None)


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.audit_written = set()  # (client id, action) already logged this request
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
