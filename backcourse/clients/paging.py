"""Paging through long lists without counting the whole practice.

Django's Paginator counts every matching row to say "page 3 of 1,000"; at 50,000
clients that count is the slowest part of the list. WindowPaginator counts only up to a
window past the requested page, so the cost depends on how deep one pages, not on the
size of the practice. Past the window it says "page 3 of more than 13".
"""

from functools import cached_property

from django.core.paginator import Paginator

WINDOW_PAGES = 10  # pages counted past the requested one
MAX_PAGE = 100_000  # 5 million rows at 50 a page; a larger number is bad input, not a page


def bounded_count(queryset, limit: int) -> int:
    """min(number of rows, limit + 1): one more than `limit` means "more than limit"."""
    return queryset[: limit + 1].count()


class WindowPaginator(Paginator):
    def __init__(self, object_list, per_page, *, number=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        try:
            wanted = min(max(int(number), 1), MAX_PAGE)
        except (TypeError, ValueError, OverflowError):
            wanted = 1
        self.limit = (wanted + WINDOW_PAGES) * self.per_page

    @cached_property
    def _bounded(self) -> int:
        return bounded_count(self.object_list, self.limit)

    @cached_property
    def count(self) -> int:
        return min(self._bounded, self.limit)

    @property
    def count_is_exact(self) -> bool:
        return self._bounded <= self.limit
