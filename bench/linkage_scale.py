"""End-to-end linkage of generated person records at scale: time and peak memory.

Peak memory is the process's resident set high-water mark (ru_maxrss), which includes
DuckDB's native allocations that tracemalloc would not see.

Usage: .venv/bin/python bench/linkage_scale.py [--n 1000000]
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import time
from collections import defaultdict
from collections.abc import Mapping

from safepassage.linkage.pipeline import LinkageSettings, link_records
from safepassage.linkage.synthetic import generate_cross_border

RECORDS_PER_INDIVIDUAL = 1.8  # the generator's mean number of instances per person


def _pairs(clusters: Mapping[str, str]) -> set[tuple[str, str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for record_id, cluster in clusters.items():
        members[cluster].append(record_id)
    return {pair for group in members.values() for pair in itertools.combinations(sorted(group), 2)}


def _score(truth: Mapping[str, str], clusters: Mapping[str, str]) -> None:
    true_pairs, found = _pairs(truth), _pairs(clusters)
    hits = len(true_pairs & found)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(true_pairs) if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    print(f"pairwise precision {precision:.4f} recall {recall:.4f} F1 {f1:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000, help="approximate record count")
    parser.add_argument("--score", action="store_true", help="also print pairwise accuracy")
    args = parser.parse_args()

    started = time.perf_counter()
    synthetic = generate_cross_border(int(args.n / RECORDS_PER_INDIVIDUAL), seed=99)
    generated = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_generated = usage.ru_utime + usage.ru_stime
    print(f"generated {len(synthetic.records):,} records in {generated - started:.1f} s")

    stage_started = {"t": generated}

    def progress(stage: str, fraction: float) -> None:
        if fraction == 0.0:
            now = time.perf_counter()
            print(f"  {stage:<12} starts at +{now - generated:6.1f} s")
            stage_started["t"] = now

    result = link_records(synthetic.records, settings=LinkageSettings(), progress=progress)
    linked = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mib = usage.ru_maxrss / 1024
    cpu = usage.ru_utime + usage.ru_stime - cpu_generated
    print(
        f"linked {result.counts.records:,} records: {result.counts.scored_pairs:,} scored pairs, "
        f"{result.counts.auto_links:,} auto links, {result.counts.review_pairs:,} for review, "
        f"{result.individuals:,} individuals (true {synthetic.individuals:,})"
    )
    print(
        f"linkage time {linked - generated:.1f} s wall, {cpu:.1f} s CPU (generation excluded;"
        f" load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    if args.score:
        _score(synthetic.truth, result.clusters)
    print(f"peak RSS {peak_mib:,.0f} MiB (includes generation and DuckDB)")


if __name__ == "__main__":
    main()
