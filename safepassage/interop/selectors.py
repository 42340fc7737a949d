"""Reads of the interop app: import batches in scope, value frequencies of a CTDC layout
computed from the database, aggregate submissions for the report."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import QuerySet

from safepassage.access.permissions import Perm
from safepassage.access.policy import scope_for
from safepassage.cases.models import Case
from safepassage.interop.exporter import iter_records
from safepassage.interop.formats import FORMATS
from safepassage.interop.models import ImportBatch


def import_batch_list(*, viewer: Any) -> QuerySet[ImportBatch]:
    return scope_for(viewer, Perm.DATA_IMPORT).filter(ImportBatch.objects.select_related("office"))


def value_frequencies(cases: QuerySet[Case], format_key: str) -> dict[str, Counter[str]]:
    """How often each value of each column of `format_key` occurs among `cases`, read from the
    database (blank = missing), as CTDC's frequency tables count them."""
    fmt = FORMATS[format_key]
    counts: dict[str, Counter[str]] = {column: Counter() for column in fmt.columns}
    columns = fmt.columns
    for record in iter_records(cases):
        for column, value in zip(columns, fmt.render(record), strict=True):
            counts[column][value] += 1
    return counts


def aggregate_block(
    *, office_ids: Any, year: int, office_id: int | None, region: str
) -> dict[str, Any]:
    """The report's `aggregate_submissions` block: sums of the submissions in scope for the
    year. `office_ids` is a callable filter (the stats scope's `OfficeScope.filter`)."""
    from safepassage.interop.aggregates import VARIABLES
    from safepassage.interop.models import AggregateSubmission
    from safepassage.stats import definitions as d

    submissions = office_ids(
        AggregateSubmission.objects.filter(year=year).select_related("office__country")
    )
    if office_id is not None:
        submissions = submissions.filter(office_id=office_id)
    if region:
        submissions = submissions.filter(office__country__region=region)
    block: dict[str, Any] = {
        "source": "aggregate submissions (core variable approach): not de-duplicated, never added to instances",
        "submissions": 0,
        "offices": 0,
        "instances": 0,
        "by_sex": dict.fromkeys(d.SEX_KEYS, 0),
        "by_age_group": dict.fromkeys(d.AGE_KEYS, 0),
        "by_exploitation_type": dict.fromkeys(d.EXPLOITATION_KEYS, 0),
        "by_trafficking_type": dict.fromkeys(d.TRAFFICKING_KEYS, 0),
        "by_nationality": {},
    }
    offices = set()
    keys = {
        "sex": "by_sex",
        "age_group": "by_age_group",
        "exploitation_type": "by_exploitation_type",
        "trafficking_type": "by_trafficking_type",
        "nationality": "by_nationality",
    }
    for submission in submissions:
        block["submissions"] += 1
        offices.add(submission.office_id)
        block["instances"] += submission.total
        for variable in VARIABLES:
            target = block[keys[variable]]
            for value, count in (submission.counts.get(variable) or {}).items():
                target[value] = target.get(value, 0) + count
    block["offices"] = len(offices)
    block["by_nationality"] = dict(
        sorted(block["by_nationality"].items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return block
