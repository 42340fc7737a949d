"""Pages of long lists without counting every row.

At a million cases an office may hold hundreds of thousands; counting all of them for "N cases"
and "page 3 of N" costs more than the page itself (COUNT(*) reads every matching index entry).
A list counts at most `cap` rows: beyond that it says "more than cap" and pages stop there;
narrowing the filters or searching is the way further, as people work anyway.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

LIST_COUNT_CAP = 2000


class CappedPaginator(Paginator):  # type: ignore[type-arg]  # pages of any queryset
    def __init__(
        self,
        object_list: QuerySet[Any],
        per_page: int,
        *,
        cap: int = LIST_COUNT_CAP,
        rows: QuerySet[Any] | None = None,
    ) -> None:
        """`rows`: where a page's rows are read from by id (the same scope and ordering without
        the filters the ids already passed), when repeating the filters costs: a search's list
        of thousands of person ids took 110 ms to plan and run again for 50 rows."""
        super().__init__(object_list, per_page)
        self.queryset = object_list
        self.rows = rows if rows is not None else object_list
        self.cap = cap

    @cached_property
    def _counted(self) -> int:
        # One row past the cap tells "more" from "exactly cap"; the inner LIMIT lets the
        # database stop there.
        return int(self.queryset.order_by().values("pk")[: self.cap + 1].count())

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    def page(self, number: Any) -> Page:  # type: ignore[type-arg]  # pages of any queryset
        """The page's ids first, through the ordering index alone, then only those rows with
        their joins: an offset skips rows, and joining (persons, countries) every skipped row
        made page 30 of a large office cost ten times page 1."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.queryset.values_list("pk", flat=True)[bottom:top])
        rows = list(self.rows.filter(pk__in=ids)) if ids else []
        return Page(rows, number, self)

    @property
    def capped(self) -> bool:
        """More rows match than were counted."""
        return self._counted > self.cap
