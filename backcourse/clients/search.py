"""Type-ahead client search for the client picker: scoped, paged JSON."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from backcourse.practices.access import scoped_clients, staff_required

PAGE_SIZE = 20


@staff_required
@require_GET
def client_search(request: HttpRequest) -> JsonResponse:
    """Clients of the signed-in staff member's practice matching `q` (name, email or
    phone words), `PAGE_SIZE` a page. Contact data only: nothing clinical."""
    q = request.GET.get("q", "").strip()[:100]
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    if not q:
        return JsonResponse({"results": [], "has_more": False, "page": page})
    offset = (page - 1) * PAGE_SIZE
    rows = list(
        scoped_clients(request)
        .filter(is_archived=False)
        .search(q)
        .order_by("last_name", "first_name", "id")
        .values("id", "first_name", "last_name", "email", "phone")[offset : offset + PAGE_SIZE + 1]
    )
    results = [
        {
            "id": r["id"],
            "label": f"{r['first_name']} {r['last_name']}".strip(),
            "detail": " · ".join(x for x in (r["email"], r["phone"]) if x),
        }
        for r in rows[:PAGE_SIZE]
    ]
    return JsonResponse({"results": results, "has_more": len(rows) > PAGE_SIZE, "page": page})
