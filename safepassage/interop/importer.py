"""Importing a file of cases: one streamed pass that validates every row and writes valid rows
in batches, all inside ONE transaction.

- Without `skip_invalid`, the first invalid row stops the writing; validation goes on to the
  end so every error is reported, and the transaction is rolled back: nothing is written.
- With `skip_invalid`, valid rows are written and invalid ones listed.
- `dry_run` validates only.
Batches bound memory (a batch of rows at a time, the first errors kept, all of them streamed to
`errors_out`); the transaction bounds atomicity. One audit event per import (file hash, format,
office, counts, case id range), never personal values.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import gc
import logging
import queue
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.db import connection, transaction
from django.utils import timezone

from safepassage.access.permissions import Perm
from safepassage.access.policy import require_permission
from safepassage.audit.services import audit_record
from safepassage.cases.models import BirthDatePrecision, Case, CaseStatus, Person, PersonNameKey
from safepassage.cases.services import name_keys
from safepassage.core import clock
from safepassage.core.errors import ValidationFailed
from safepassage.interop.formats import FORMATS, Format, Record, RowError
from safepassage.interop.formats.base import MAX_CELL, RowParser
from safepassage.interop.models import ImportBatch
from safepassage.interop.reader import FileUnreadable, cell_problem, file_sha256, open_table, ragged
from safepassage.interop.safety import neutralise
from safepassage.interop.writer import (
    Encoded,
    TableWriter,
    per_row_key_checks_off,
    per_row_key_checks_on,
    reserve_ids,
)
from safepassage.offices.models import Office
from safepassage.reference.models import Country
from safepassage.screening.models import Perpetrator, Screening
from safepassage.stats import definitions as d
from safepassage.stats.models import CaseFact

logger = logging.getLogger(__name__)

BATCH_SIZE = 5000
KEPT_ERRORS = 1000
PREVIEW_ROWS = 10

T = TypeVar("T")
# The tables an import writes, parents first.
IMPORT_MODELS = (Person, Case, Screening, Perpetrator, PersonNameKey, CaseFact)


@dataclass
class ImportResult:
    format: str
    office_code: str
    file_sha256: str
    rows_read: int = 0
    rows_valid: int = 0
    rows_imported: int = 0
    rows_already_present: int = 0
    invalid_rows: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    preview: list[list[str]] = field(default_factory=list)
    batch_id: int | None = None
    first_case_id: int | None = None
    last_case_id: int | None = None
    dry_run: bool = False
    committed: bool = False

    @property
    def ok(self) -> bool:
        return self.error_count == 0


class _Abort(Exception):
    """Rolls the import's transaction back (validation failed or dry run)."""


class _ErrorSink:
    def __init__(self, result: ImportResult, out: Path | None) -> None:
        self.result = result
        self.handle = out.open("w", encoding="utf-8", newline="") if out else None
        self.writer = csv.writer(self.handle) if self.handle else None
        if self.writer:
            self.writer.writerow(["row", "column", "value", "message"])

    def add(self, errors: list[RowError]) -> None:
        for error in errors:
            self.result.error_count += 1
            if len(self.result.errors) < KEPT_ERRORS:
                self.result.errors.append(error)
            if self.writer:
                self.writer.writerow(
                    [error.row, error.column, neutralise(error.value), error.message]
                )

    def close(self) -> None:
        if self.handle:
            self.handle.close()


class _Batch:
    """Writes parsed records: persons, cases, screenings, perpetrators, name keys, facts."""

    def __init__(
        self,
        *,
        office: Office,
        fmt: Format,
        import_batch: ImportBatch,
        actor: Any,
        verify_keys: bool = False,
    ) -> None:
        now = timezone.now()
        self.office = office
        self.state: dict[str, int] = {}
        self.regions = dict(Country.objects.values_list("iso3", "region"))
        stamp = {"created_at": now, "updated_at": now}
        table = functools.partial(TableWriter, verify_keys=verify_keys, created=IMPORT_MODELS)
        self.persons = table(
            Person,
            [
                "id",
                "sex",
                "birth_date",
                "birth_date_precision",
                "citizenship_id",
                "other_citizenships",
                "reported_age_group",
                "reported_age_band",
                "citizenship_region",
                "given_names",
                "family_names",
            ],
            {"office_id": office.pk, **stamp},
        )
        self.cases = table(
            Case,
            [
                "id",
                "person_id",
                "reference",
                "registration_date",
                "registration_period",
                "referral_source",
                "beneficiary_category",
                "assistance_country_id",
            ],
            {
                "office_id": office.pk,
                "import_batch_id": import_batch.pk,
                "status": CaseStatus.SCREENED,
                "version": 1,
                **stamp,
            },
        )
        actor_id = getattr(actor, "pk", None)
        self.screenings = table(
            Screening,
            [
                "case_id",
                "means_of_control",
                "exploitation_types",
                "labour_sectors",
                "sexual_exploitation_types",
                "recruiter_relation",
                "country_of_exploitation_id",
                "exploitation_region",
                "unreported",
                "source_values",
            ],
            {
                "number": 1,
                "status": Screening.Status.SUBMITTED,
                "submitted_at": now,
                "created_by_id": actor_id,
                "submitted_by_id": actor_id,
                **stamp,
            },
        )
        self.perpetrators = table(
            Perpetrator,
            [
                "case_id",
                "genders",
                "age_bands",
                "citizenship_regions",
                "relations",
                "victim_paid",
                "role_exploiter",
                "role_recruiter_broker",
                "role_transaction",
                "role_control_abuse_kidnap",
            ],
            {"aggregate": True},
        )
        self.name_keys = table(PersonNameKey, ["person_id", "key"], {"office_id": office.pk})
        self.facts = table(
            CaseFact,
            [
                "case_id",
                "individual_id",
                "registration_date",
                "year",
                "region",
                "category",
                "nationality",
                "destination",
                "exploitation",
                "sex",
                "age_group",
                "trafficking",
            ],
            {"office_id": office.pk, "status": CaseStatus.SCREENED, "refreshed_at": now},
        )
        self.import_day = clock.today()

    @property
    def writers(self) -> tuple[TableWriter, ...]:
        """Parents first: the order the rows of a batch are sent in."""
        return (
            self.persons,
            self.cases,
            self.screenings,
            self.perpetrators,
            self.name_keys,
            self.facts,
        )

    def reserve(self, count: int) -> tuple[list[int], list[int]]:
        """Ids for the persons and cases of a batch of `count` records (the other tables'
        rows take theirs from the database: nothing in the import refers to them)."""
        return reserve_ids(Person, count, self.state), reserve_ids(Case, count, self.state)

    def encode(
        self, records: list[Record], person_ids: list[int], case_ids: list[int]
    ) -> list[Encoded]:
        """The batch's rows of every table, ready to send (see TableWriter.encode): pure
        Python, run on a thread of its own while the previous batch is sent."""
        regions = self.regions
        for record, person_id, case_id in zip(records, person_ids, case_ids, strict=True):
            registered = record.registration_date or self.import_day
            self.persons.add(
                (
                    person_id,
                    record.sex,
                    record.birth_date,
                    record.birth_date_precision
                    if record.birth_date
                    else BirthDatePrecision.UNKNOWN,
                    record.citizenship,
                    record.other_citizenships,
                    record.reported_age_group,
                    record.reported_age_band,
                    record.citizenship_region,
                    record.given_names,
                    record.family_names,
                )
            )
            if record.given_names or record.family_names:
                person = Person(given_names=record.given_names, family_names=record.family_names)
                for key in sorted(name_keys(person)):
                    self.name_keys.add((person_id, key))
            self.cases.add(
                (
                    case_id,
                    person_id,
                    record.reference,
                    registered,
                    record.registration_period,
                    record.referral_source,
                    record.beneficiary_category,
                    record.assistance_country,
                )
            )
            self.screenings.add(
                (
                    case_id,
                    record.means_of_control,
                    record.exploitation_types,
                    record.labour_sectors,
                    record.sexual_exploitation_types,
                    record.recruiter_relation,
                    record.country_of_exploitation,
                    record.exploitation_region,
                    record.unreported,
                    record.source_values,
                )
            )
            p = record.perpetrators
            if p is not None:
                self.perpetrators.add(
                    (
                        case_id,
                        p.genders,
                        p.age_bands,
                        p.citizenship_regions,
                        p.relations,
                        p.victim_paid,
                        p.role_exploiter,
                        p.role_recruiter_broker,
                        p.role_transaction,
                        p.role_control_abuse_kidnap,
                    )
                )
            period = record.registration_period
            if period and not period.isdigit():
                continue  # no reporting year: counted in no yearly figure
            self.facts.add(fact_values(record, case_id, person_id, registered, regions))
        return [writer.encode() for writer in self.writers]

    def send(self, encoded: list[Encoded]) -> int:
        """Writes an encoded batch, table by table, on the connection's own thread; returns
        the number of cases written. A table's foreign keys to rows of the same batch (a
        case's person, a screening's case) are known to exist once those rows are written:
        they are not looked up again."""
        written: dict[str, frozenset[int]] = {}
        cases = 0
        for writer, rows in zip(self.writers, encoded, strict=True):
            count = writer.send(rows, written)
            written[writer.table] = rows.ids
            if writer is self.cases:
                cases = count
        return cases


def fact_values(
    record: Record, case_id: int, person_id: int, registered: dt.date, regions: dict[str, str]
) -> tuple[Any, ...]:
    """The CaseFact of an imported row, from the same definitions `case_fact_build` applies."""
    citizenships = [c for c in (record.citizenship, *record.other_citizenships) if c]
    latest = None
    if record.birth_date is not None:
        latest = Person(
            birth_date=record.birth_date, birth_date_precision=record.birth_date_precision
        ).latest_possible_birth_date()
    exploited_in = record.country_of_exploitation
    return (
        case_id,
        person_id,
        registered,
        registered.year,
        d.region(regions.get(record.assistance_country) if record.assistance_country else None),
        record.beneficiary_category,
        d.nationality(citizenships),
        d.destination(exploited_in),
        d.exploitation_type(record.exploitation_types, record.labour_sectors),
        d.sex_group(record.sex),
        d.age_group(latest, registered, record.reported_age_group),
        d.trafficking_type(citizenships, exploited_in),
    )


def _valid_batches(  # noqa: PLR0912, PLR0915  # one streamed pass; splitting it would scatter its state
    rows: Iterator[tuple[int, list[str]]],
    *,
    fmt: Format,
    columns: list[str],
    prefix: str,
    result: ImportResult,
    sink: _ErrorSink,
    skip_invalid: bool,
    batch_size: int,
    keep_records: bool,
) -> Iterator[list[Record]]:
    """Validates every row and yields the valid records a batch at a time (an empty list every
    `batch_size` rows once nothing is to be written, so progress still moves). Counts and
    errors go to `result` and `sink`. Without `skip_invalid` the first invalid row ends the
    writing; validation goes on to the end so every error is reported."""
    pending: list[Record] = []
    seen_references: set[str] = set()
    writing = keep_records
    row_errors: list[RowError] = []
    parser = RowParser(0, row_errors)
    # Optional columns the file leaves out read as blank (the header is the same for every row).
    absent = [column for column in fmt.columns if column not in set(columns)]
    try:
        for line, cells in rows:
            result.rows_read += 1
            row_errors.clear()
            widths = ragged(cells)
            if widths is not None:
                row_errors.append(
                    RowError(line, "", "", f"row has {widths[0]} cells, the header has {widths[1]}")
                )
            else:
                row = dict(zip(columns, cells, strict=True))
                if max(map(len, cells), default=0) > MAX_CELL:
                    for column, value in row.items():
                        problem = cell_problem(value)
                        if problem:
                            row_errors.append(RowError(line, column, value[:200], problem))
                            row[column] = ""
                for column in absent:
                    row[column] = ""
                parser.line = line
                record = fmt.parse(row, parser)
                if not record.reference:
                    # Zero-padded so references sort in file order: index inserts append.
                    record.reference = f"{prefix}{line:09d}"
                elif record.reference in seen_references:
                    row_errors.append(
                        RowError(
                            line,
                            fmt.reference_column or "",
                            record.reference,
                            "reference repeated in the file",
                        )
                    )
                if fmt.reference_column:
                    seen_references.add(record.reference)
            if row_errors:
                result.invalid_rows += 1
                sink.add(row_errors)
                if not skip_invalid:
                    writing = False
                    pending = []
                continue
            result.rows_valid += 1
            if len(result.preview) < PREVIEW_ROWS:
                result.preview.append(list(cells))
            if writing:
                pending.append(record)
                if len(pending) >= batch_size:
                    yield pending
                    pending = []
            elif result.rows_read % batch_size == 0:
                yield []
    except FileUnreadable as exc:
        result.invalid_rows += 1
        sink.add([exc.error])
        if not skip_invalid:
            return
    if writing and pending:
        yield pending


_END = object()


def _ahead(items: Iterator[T], *, depth: int) -> Iterator[T]:
    """`items`, produced on a thread of their own up to `depth` items ahead of the consumer.
    An exception raised producing them is raised here; a consumer that stops early (an
    exception while writing) stops the producer too, so no thread outlives the import."""
    handoff: queue.Queue[tuple[object, BaseException | None]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object, error: BaseException | None = None) -> bool:
        while not stop.is_set():
            try:
                handoff.put((item, error), timeout=0.1)
            except queue.Full:
                continue
            return True
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_END)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put(_END, exc)

    thread = threading.Thread(target=produce, name="import-validate", daemon=True)
    thread.start()
    try:
        while True:
            item, error = handoff.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item  # type: ignore[misc]  # every item but the _END marker is a T
    finally:
        stop.set()
        thread.join()


# The interpreter's thread switch interval while an import runs (seconds; Python's default is
# 0.005). The thread that feeds the database waits on its socket many times a batch (each
# chunk of COPY data, each end of a COPY); when the wait ends it needs the interpreter back
# from the validating and encoding threads, which hold it until the switch interval expires.
# Measured on a 200,000-row import: at 5 ms the database server was busy 60% of the wall
# time, at 0.5 ms 84%, for the same client CPU within the runs' noise.
IMPORT_SWITCH_INTERVAL = 0.0005
_switching = threading.Lock()
_switching_state = {"imports": 0, "before": 0.005}  # imports running; the interval before them


@contextlib.contextmanager
def _prompt_thread_switches() -> Iterator[None]:
    """IMPORT_SWITCH_INTERVAL while at least one import of this process runs; the interval
    before it once the last one ends."""
    with _switching:
        if not _switching_state["imports"]:
            _switching_state["before"] = sys.getswitchinterval()
            sys.setswitchinterval(min(IMPORT_SWITCH_INTERVAL, _switching_state["before"]))
        _switching_state["imports"] += 1
    try:
        yield
    finally:
        with _switching:
            _switching_state["imports"] -= 1
            if not _switching_state["imports"]:
                sys.setswitchinterval(_switching_state["before"])


class _Pipeline:
    """Batches of valid records, encoded on a thread of their own (`_Batch.encode`) while the
    batch before is sent on this one (`_Batch.send`): at most one batch is being encoded and
    one sent at a time, so memory stays bounded. Ids are reserved here, before encoding: the
    database work stays on the thread that owns the connection."""

    def __init__(self, writer: _Batch | None, result: ImportResult, *, skip_invalid: bool) -> None:
        self.writer = writer
        self.result = result
        self.skip_invalid = skip_invalid
        self.encoder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-encode")
        self.encoding: Future[list[Encoded]] | None = None
        self.sent = 0

    def __enter__(self) -> _Pipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        # An error while sending leaves at most one batch being encoded: it ends, unsent.
        self.encoder.shutdown(wait=True)

    @property
    def writing(self) -> bool:
        """False once an invalid row means the import will be rolled back."""
        return self.writer is not None and (self.skip_invalid or not self.result.error_count)

    def submit(self, records: list[Record]) -> None:
        if not records or self.writer is None:
            return
        person_ids, case_ids = self.writer.reserve(len(records))
        encoding = self.encoder.submit(self.writer.encode, records, person_ids, case_ids)
        self.send()
        self.encoding = encoding
        result = self.result
        result.rows_imported += len(case_ids)
        result.first_case_id = result.first_case_id or case_ids[0]
        result.last_case_id = case_ids[-1]

    def send(self) -> None:
        """Sends the batch submitted last, once it is encoded."""
        if self.encoding is None or self.writer is None or not self.writing:
            return
        encoded, self.encoding = self.encoding.result(), None
        self.sent += self.writer.send(encoded)
        logger.info("import %s: %d rows written", self.result.file_sha256[:12], self.sent)


def _existing_references(office: Office, references: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(references), 900):
        chunk = references[start : start + 900]
        found.update(
            Case.objects.filter(office=office, reference__in=chunk).values_list(
                "reference", flat=True
            )
        )
    return found


def cases_import(
    *,
    actor: Any,
    path: Path,
    format_key: str,
    office: Office,
    dry_run: bool = False,
    skip_invalid: bool = False,
    errors_out: Path | None = None,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    file_name: str = "",
    source: str = "",
) -> ImportResult:
    """Import `path` in format `format_key` into `office` (see the module docstring)."""
    if format_key not in FORMATS:
        raise ValidationFailed(f"unknown format {format_key!r}", field="format")
    if actor is not None:
        require_permission(actor, Perm.DATA_IMPORT, office=office)
    fmt = FORMATS[format_key]
    sha = file_sha256(path)
    result = ImportResult(
        format=format_key, office_code=office.code, file_sha256=sha, dry_run=dry_run
    )
    sink = _ErrorSink(result, errors_out)
    # No cycle collection while the import runs: its objects (records, rows) hold no cycles
    # and are freed by reference counting, but the collector would walk every live one (and
    # the whole application) again and again: a quarter of the import's CPU time, measured.
    # The objects alive before are set aside (freeze) for the collections after it.
    collecting = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        with _prompt_thread_switches(), transaction.atomic():
            _run(
                actor=actor,
                path=path,
                fmt=fmt,
                office=office,
                result=result,
                sink=sink,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                progress=progress,
                batch_size=batch_size,
                file_name=file_name or path.name,
                source=source,
            )
            if dry_run or (result.error_count and not skip_invalid):
                raise _Abort
            result.committed = True
    except _Abort:
        # Rolled back: whatever batches were written before the first error are gone.
        result.rows_imported = 0
        result.batch_id = result.first_case_id = result.last_case_id = None
    finally:
        if collecting:
            gc.enable()
        gc.unfreeze()
        sink.close()
    return result


def _run(  # noqa: PLR0915  # the import in order: open, set up, validate and write, record
    *,
    actor: Any,
    path: Path,
    fmt: Format,
    office: Office,
    result: ImportResult,
    sink: _ErrorSink,
    dry_run: bool,
    skip_invalid: bool,
    progress: Callable[[int], None] | None,
    batch_size: int,
    file_name: str,
    source: str,
) -> None:
    try:
        table, header_errors, rows = open_table(path, fmt)
    except FileUnreadable as exc:
        sink.add([exc.error])
        return
    result.columns = table.columns
    result.notes += table.notes
    if header_errors:
        sink.add(header_errors)
        return  # a file whose columns are wrong has no valid rows to speak of
    import_batch: ImportBatch | None = None
    writer: _Batch | None = None
    bulk_key_checks = False
    if not dry_run:
        if connection.vendor == "sqlite":
            # A larger page cache for this connection: index inserts of a big import otherwise
            # thrash the default 2 MB cache (bounded: 64 MB).
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -65536")
        else:
            # Foreign keys checked in bulk by the writers where the database lets the import
            # turn its per-row checks off (see writer.per_row_key_checks_off); else checked
            # as each COPY ends rather than all at COMMIT: rows are written parent first, so
            # every check passes, and the checks overlap the validation of the next batch
            # instead of queueing millions of trigger events for one long COMMIT. Restored
            # below.
            bulk_key_checks = per_row_key_checks_off(IMPORT_MODELS)
            if not bulk_key_checks:
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        import_batch = ImportBatch.objects.create(
            office=office,
            format=fmt.key,
            file_name=file_name[:255],
            file_sha256=result.file_sha256,
            status=ImportBatch.Status.COMPLETED,
            imported_by=actor if getattr(actor, "pk", None) else None,
        )
        writer = _Batch(
            office=office,
            fmt=fmt,
            import_batch=import_batch,
            actor=actor,
            verify_keys=bulk_key_checks,
        )
    derived_reference = fmt.reference_column is None
    check_existing = (
        not derived_reference
        or ImportBatch.objects.filter(office=office, file_sha256=result.file_sha256, format=fmt.key)
        .exclude(pk=import_batch.pk if import_batch is not None else 0)
        .exists()
    )
    prefix = f"{fmt.reference_prefix}-{result.file_sha256[:12]}-"

    def new_records(batch: list[Record]) -> list[Record]:
        if check_existing:
            present = _existing_references(office, [r.reference for r in batch])
            if present:
                result.rows_already_present += len(present)
                batch = [r for r in batch if r.reference not in present]
        return batch

    batches = _valid_batches(
        rows,
        fmt=fmt,
        columns=table.columns,
        prefix=prefix,
        result=result,
        sink=sink,
        skip_invalid=skip_invalid,
        batch_size=batch_size,
        keep_records=writer is not None,
    )
    # A pipeline of three threads. Validation runs ahead on a thread of its own; the rows of
    # a valid batch are encoded on another; the database work stays on this thread (Django's
    # connection, and with it the import's transaction, belong to it): it looks up what is
    # already present, reserves ids, then sends the batch encoded before while the next one
    # is encoded. Encoding and validation are pure Python, so they run while this thread
    # waits on the server (COPY and its key checks release the GIL).
    with _Pipeline(writer, result, skip_invalid=skip_invalid) as pipeline:
        for batch in _ahead(batches, depth=2):
            if batch and pipeline.writing:
                pipeline.submit(new_records(batch))
            if progress is not None:
                progress(result.rows_read)
        pipeline.send()
    if bulk_key_checks:
        per_row_key_checks_on()
    elif writer is not None and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Every constraint Django creates is INITIALLY DEFERRED: back to that for whatever
            # the caller's transaction writes next.
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    if import_batch is None or (result.error_count and not skip_invalid):
        return
    import_batch.rows_read = result.rows_read
    import_batch.rows_imported = result.rows_imported
    import_batch.rows_skipped_invalid = result.invalid_rows
    import_batch.rows_already_present = result.rows_already_present
    import_batch.first_case_id = result.first_case_id
    import_batch.last_case_id = result.last_case_id
    import_batch.save()
    result.batch_id = import_batch.pk
    audit_record(
        actor=actor,
        office=office,
        event_type="cases.imported",
        target=import_batch,
        changed_fields=[],
        metadata={
            "format": fmt.key,
            "file_sha256": result.file_sha256,
            "rows_read": result.rows_read,
            "rows_imported": result.rows_imported,
            "rows_skipped_invalid": result.invalid_rows,
            "rows_already_present": result.rows_already_present,
            "first_case_id": result.first_case_id,
            "last_case_id": result.last_case_id,
        },
        source=source,
    )
