"""Pages of API lists, counted as the web lists are: at most LIST_COUNT_CAP rows
(safepassage/core/pagination.py). Counting every case of an office of hundreds of thousands on
every page costs more than the page; a client that sees `count_capped` narrows its filters."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from safepassage.core.pagination import LIST_COUNT_CAP, CappedPaginator


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    count_cap = LIST_COUNT_CAP

    def __init__(self, *, rows: QuerySet[Any] | None = None, count_from_ids: bool = False) -> None:
        """`rows` and `count_from_ids`: as CappedPaginator takes them (a name search's page is
        counted from its ordered ids, and its rows read by id without the search again)."""
        self.rows = rows
        self.count_from_ids = count_from_ids

    def django_paginator_class(self, queryset: Any, per_page: int) -> CappedPaginator:  # type: ignore[override]  # a factory with this page's options
        return CappedPaginator(
            queryset,
            per_page,
            cap=self.count_cap,
            rows=self.rows,
            count_from_ids=self.count_from_ids,
        )

    def get_paginated_response(self, data: Any) -> Response:
        paginator = self.page.paginator if self.page is not None else None
        if not isinstance(paginator, CappedPaginator):
            raise TypeError("paginate_queryset() comes first")
        return Response(
            {
                "count": paginator.count,
                "count_capped": paginator.capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )
