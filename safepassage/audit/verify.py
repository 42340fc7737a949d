"""Verification of the audit chains."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from safepassage.audit.models import GENESIS_HASH, AccessEvent, AuditEvent, ChainedEvent, ChainHead

CHAIN_MODELS: tuple[type[ChainedEvent], ...] = (AuditEvent, AccessEvent)


@dataclass(frozen=True)
class ChainProblem:
    chain: str
    seq: int
    row_id: int | None
    reason: str

    def __str__(self) -> str:
        row = f"row id {self.row_id}" if self.row_id is not None else "missing row"
        return f"{self.chain} chain broken at seq {self.seq} ({row}): {self.reason}"


@dataclass(frozen=True)
class ChainReport:
    chain: str
    rows: int
    head_hash: str
    problem: ChainProblem | None


def _iter_rows(model: type[ChainedEvent], batch: int = 5000) -> Iterator[ChainedEvent]:
    last = 0
    while True:
        rows = list(model._default_manager.filter(seq__gt=last).order_by("seq")[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify_chain(model: type[ChainedEvent]) -> ChainReport:
    """Walk one chain in order; report the first row whose content, link or place is wrong."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    for row in _iter_rows(model):
        if row.seq != expected_seq:
            return ChainReport(
                model.CHAIN,
                count,
                expected_prev,
                ChainProblem(
                    model.CHAIN,
                    expected_seq,
                    None,
                    f"rows {expected_seq}..{row.seq - 1} are missing",
                ),
            )
        if row.prev_hash != expected_prev:
            return ChainReport(
                model.CHAIN,
                count,
                expected_prev,
                ChainProblem(
                    model.CHAIN, row.seq, row.pk, "link to the previous row does not match"
                ),
            )
        if row.compute_hash() != row.hash:
            return ChainReport(
                model.CHAIN,
                count,
                expected_prev,
                ChainProblem(
                    model.CHAIN, row.seq, row.pk, "content was altered after it was written"
                ),
            )
        expected_prev = row.hash
        expected_seq += 1
        count += 1
    head = ChainHead.objects.filter(chain=model.CHAIN).first()
    if head is not None and (head.seq, head.hash) != (count, expected_prev):
        return ChainReport(
            model.CHAIN,
            count,
            expected_prev,
            ChainProblem(
                model.CHAIN,
                count + 1,
                None,
                f"the chain head records {head.seq} rows but {count} are present (rows removed at the end)",
            ),
        )
    return ChainReport(model.CHAIN, count, expected_prev, None)


def verify_all() -> list[ChainReport]:
    return [verify_chain(model) for model in CHAIN_MODELS]
