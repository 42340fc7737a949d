"""Who the demo data assists: flows nationality -> country of exploitation, each with how its
persons come into assistance, built so that the 2011 report reproduces the seed's headline
figures (docs/demo-data.md explains every number).

A flow row gives, for one nationality and one country of exploitation, how many persons are
assisted in each pattern:

- `pairs`: assisted at the destination office, returned, and assisted again at the origin
  office after an accepted transfer: two instances of one individual. For an internal flow
  (nationality = country of exploitation) the two offices are two offices of that country (the
  office where the person was found and the one near the community of origin).
- `triples`: a pair, plus a second registration at the origin office later in the year without
  a transfer and with the name spelt differently (a duplicate record that record linkage has to
  find): three instances of one individual.
- `dest_only`: assisted at the destination office only (stayed, integrated locally, lost
  contact); for an internal flow, assisted once in the country.
- `origin_only`: came home without help and was assisted at the origin office only.

Every instance sits at an office of its country, so the region figure (the office country's
Annex 2 region) follows from the flows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace

UNKNOWN = "UNK"


@dataclass(frozen=True)
class Flow:
    nationality: str  # ISO alpha-3, or UNK (citizenship not recorded)
    destination: str  # ISO alpha-3, or UNK (country of exploitation not established)
    pairs: int = 0
    triples: int = 0
    dest_only: int = 0
    origin_only: int = 0

    @property
    def internal(self) -> bool:
        return self.nationality == self.destination

    @property
    def instances(self) -> int:
        return 2 * self.pairs + 3 * self.triples + self.dest_only + self.origin_only

    @property
    def persons(self) -> int:
        return self.pairs + self.triples + self.dest_only + self.origin_only


F = Flow

# 2011, the flows of the top-10 nationalities and destinations, set by hand so that they add up
# exactly to the seed's counts. `filler_flows` adds the other countries of each region.
TOP_FLOWS_2011: tuple[Flow, ...] = (
    # --- Eastern Europe, the Caucasus and Central Asia (RO Vienna) -----------------------------
    F("UKR", "RUS", pairs=230, triples=40, dest_only=5),
    F("UKR", "POL", pairs=40, triples=5),
    F("UKR", "UKR", pairs=35, triples=3, dest_only=1),
    F("UKR", "TUR", pairs=20),
    F("UKR", "CZE", pairs=5),
    F("UKR", "DEU", pairs=6, triples=1),
    F("UKR", "ARE", pairs=5),
    F("BLR", "RUS", pairs=40, triples=2),
    F("BLR", "POL", pairs=10),
    F("BLR", "BLR", pairs=15, triples=1, dest_only=2),
    F("UZB", "RUS", pairs=45, triples=5, dest_only=5),
    F("UZB", "KAZ", pairs=50, triples=6, dest_only=2),
    F("UZB", "TUR", pairs=18, triples=1),
    F("UZB", "UZB", pairs=11, dest_only=1),
    F("KGZ", "RUS", pairs=25, triples=2),
    F("KGZ", "KAZ", pairs=40, triples=5, dest_only=2),
    F("KGZ", "TUR", pairs=10),
    F("KGZ", "KGZ", pairs=18, triples=1, dest_only=1),
    F("KAZ", "KAZ", pairs=20, triples=2, dest_only=2),
    F("TKM", "TUR", pairs=1),
    # --- Central and North America and the Caribbean (RO San Jose) ------------------------------
    F("HTI", "HTI", pairs=300, triples=15, dest_only=13),
    F("HTI", "DOM", pairs=20, triples=3, dest_only=2),
    # --- Middle East and North Africa (RO Cairo) -------------------------------------------------
    F("YEM", "YEM", pairs=160, triples=10, dest_only=4),
    F("YEM", "SAU", pairs=10, triples=1, origin_only=1),
    F("ETH", "YEM", pairs=45, triples=3, dest_only=3),
    F("SOM", "YEM", pairs=40, triples=4, dest_only=4),
    F("ERI", "EGY", pairs=15, dest_only=10),
    F("SDN", "EGY", pairs=10, dest_only=8),
    F("EGY", "EGY", pairs=15, triples=1, dest_only=2),
    # --- East and Southern Africa (RO Pretoria) --------------------------------------------------
    F("ETH", "DJI", pairs=5),
    F("ETH", "ETH", pairs=5),
    # --- West and Central Africa (RO Dakar) ------------------------------------------------------
    # --- European Economic Area (RO Brussels) ----------------------------------------------------
    F("POL", "POL", pairs=3, dest_only=1),
    # --- South America (RO Buenos Aires) ---------------------------------------------------------
    # --- Asia and the Pacific (RO Bangkok) -------------------------------------------------------
    F("LAO", "THA", pairs=160, triples=10, dest_only=3),
    F("LAO", "LAO", pairs=3),
    F("KHM", "THA", pairs=30, triples=2),
    F("KHM", "IDN", pairs=50, triples=4),
    F("KHM", "MYS", pairs=15, triples=1),
    F("KHM", "KHM", pairs=20, triples=1, dest_only=4),
    F("MMR", "THA", pairs=10, dest_only=2),
    F("MMR", "IDN", pairs=8, dest_only=2),
    F("THA", "THA", pairs=4),
    F("IDN", "IDN", pairs=8, dest_only=2),
    F("AFG", "AFG", pairs=80, triples=3, dest_only=1),
    F("AFG", "IRN", pairs=3, origin_only=3),
    # --- unknown citizenship or country of exploitation (single instances) ----------------------
    F(UNKNOWN, "RUS", origin_only=0),
    F(UNKNOWN, "THA", origin_only=0),
)


@dataclass
class Totals:
    instances: int
    persons: int
    nationality: Counter[str]
    destination: Counter[str]
    region: Counter[str]
    trafficking: Counter[str]


def totals(flows: tuple[Flow, ...], regions: dict[str, str]) -> Totals:
    """What the flows add up to (instances by nationality, destination, region, trafficking
    type; persons), for the tests and for tuning the table."""
    nat: Counter[str] = Counter()
    dest: Counter[str] = Counter()
    region: Counter[str] = Counter()
    kind: Counter[str] = Counter()
    persons = 0
    for flow in flows:
        n = flow.instances
        nat[flow.nationality] += n
        dest[flow.destination] += n
        persons += flow.persons
        if UNKNOWN in (flow.nationality, flow.destination):
            kind["unknown"] += n
        else:
            kind["internal" if flow.internal else "cross_border"] += n
        at_dest = flow.pairs + flow.triples + flow.dest_only
        at_origin = flow.pairs + 2 * flow.triples + flow.origin_only
        dest_region = regions.get(flow.destination if flow.destination != UNKNOWN else "", "")
        origin_region = regions.get(flow.nationality if flow.nationality != UNKNOWN else "", "")
        region[dest_region or origin_region] += at_dest
        region[origin_region or dest_region] += at_origin
    return Totals(sum(nat.values()), persons, nat, dest, region, kind)


# Other countries that receive assistance, per region: internal flows and cross-border flows
# within the region (so that each instance lands in the region the targets need). None of them
# is a top-10 nationality or destination.
FILLER_INTERNAL: dict[str, tuple[str, ...]] = {
    "vienna": ("MDA", "TJK", "ARM", "AZE", "GEO", "ALB", "SRB", "BIH", "MKD"),
    "bangkok": ("VNM", "PHL", "NPL", "BGD", "CHN", "MNG", "LKA", "PAK"),
    "san_jose": ("DOM", "GTM", "MEX", "HND", "SLV", "NIC", "CRI", "JAM"),
    "cairo": ("IRQ", "SYR", "MAR", "JOR", "LBN", "TUN", "DZA"),
    "pretoria": ("KEN", "UGA", "TZA", "ZAF", "MOZ", "ZWE"),
    "dakar": ("NGA", "GHA", "BEN", "TGO", "SEN", "MLI", "BFA"),
    "brussels": ("ROU", "BGR", "CZE", "SVK", "HUN"),
    "buenos_aires": ("COL", "PER", "BOL"),
}
FILLER_CROSS: dict[str, tuple[tuple[str, str], ...]] = {
    "vienna": (
        ("MDA", "ISR"), ("ALB", "XKX"), ("BIH", "SRB"), ("MKD", "ALB"), ("AZE", "GEO"),
        ("ARM", "GEO"), ("SRB", "MNE"), ("MDA", "XKX"), ("TJK", "ISR"), ("GEO", "ARM"),
    ),
    "bangkok": (
        ("VNM", "CHN"), ("BGD", "IND"), ("NPL", "IND"), ("PHL", "MYS"), ("MNG", "CHN"),
        ("LKA", "SGP"), ("PAK", "IRN"), ("VNM", "KOR"), ("PHL", "SGP"), ("BGD", "MDV"),
        ("PHL", "JPN"), ("LKA", "MDV"),
    ),
    "san_jose": (("HND", "GTM"), ("SLV", "GTM"), ("NIC", "CRI"), ("GTM", "MEX"), ("HND", "MEX")),
    "cairo": (("SYR", "LBN"), ("IRQ", "JOR"), ("MAR", "ARE"), ("DZA", "TUN"), ("SDN", "LBY")),
    "pretoria": (("ZWE", "ZAF"), ("MOZ", "ZAF"), ("UGA", "KEN"), ("TZA", "KEN"), ("MWI", "ZAF")),
    "dakar": (("MLI", "SEN"), ("BFA", "CIV"), ("TGO", "GHA"), ("NGA", "GHA")),
    "brussels": (("ROU", "ITA"), ("BGR", "NLD"), ("ROU", "ESP"), ("BGR", "DEU"), ("SVK", "GBR")),
    "buenos_aires": (("BOL", "ARG"), ("PRY", "ARG"), ("PER", "CHL")),
}  # fmt: skip


@dataclass(frozen=True)
class Targets:
    """The figures a year's demo data reproduces (instances unless stated)."""

    instances: int
    persons: int  # individuals
    regions: dict[str, int]
    internal: int
    unknown: int  # trafficking type unknown (no citizenship or no country of exploitation)
    exploitation: dict[str, int]
    female: int
    children: int


def _shares(total: int, percent: Mapping[str, float]) -> dict[str, int]:
    """Counts for stated percentages; what the rounding of the stated figures leaves over goes
    to the largest ones, a few instances each, so that every share stays within half a point."""
    counts = {key: round(total * value / 100) for key, value in percent.items()}
    left = total - sum(counts.values())
    order = sorted(percent, key=lambda k: -percent[k])
    index = 0
    while left != 0:
        step = 1 if left > 0 else -1
        counts[order[index % 3]] += step
        left -= step
        index += 1
    return counts


REGION_PERCENT_2011 = {
    "vienna": 35, "bangkok": 23, "san_jose": 16, "cairo": 13, "brussels": 4, "pretoria": 4,
    "dakar": 2, "buenos_aires": 1,
}  # fmt: skip


def targets_2011(instances: int = 5498) -> Targets:
    """The seed's 2011 figures, where they are inconsistent the count chosen to satisfy both
    statements when one exists (docs/demo-data.md)."""
    f = instances / 5498
    return Targets(
        instances=instances,
        persons=round(2700 * f),
        regions=_shares(instances, REGION_PERCENT_2011),
        internal=round(1708 * f),
        unknown=round(210 * f),
        exploitation=_fit(
            instances,
            {
                "labour": 2965,
                "sexual": 1510,
                "sexual_and_labour": 330,
                "begging": 150,
                "other": 260,
            },
            "unknown",
            f,
        ),
        female=round(3462 * f),
        children=round(2034 * f),
    )


def targets_2010(instances: int) -> Targets:
    """2010 (figures the seed implies: 27% fewer male instances than 2011, female stable,
    about 7% more individuals; shares otherwise close to 2011)."""
    f = instances / 5498
    return Targets(
        instances=instances,
        persons=round(2900 * f),
        regions=_shares(
            instances,
            {
                "vienna": 38,
                "bangkok": 21,
                "san_jose": 12,
                "cairo": 12,
                "brussels": 7,
                "pretoria": 5,
                "dakar": 3,
                "buenos_aires": 2,
            },
        ),
        internal=round(1250 * f),
        unknown=round(180 * f),
        exploitation=_fit(
            instances,
            {
                "labour": 2600,
                "sexual": 1750,
                "sexual_and_labour": 300,
                "begging": 140,
                "other": 230,
            },
            "unknown",
            f,
        ),
        female=round(3450 * f),
        children=round(1700 * f),
    )


def _fit(total: int, counts: dict[str, int], rest: str, f: float) -> dict[str, int]:
    scaled = {key: round(value * f) for key, value in counts.items()}
    scaled[rest] = total - sum(scaled.values())
    return scaled


def scaled(flows: tuple[Flow, ...], factor: float) -> tuple[Flow, ...]:
    if factor == 1:
        return flows
    return tuple(
        replace(
            flow,
            pairs=round(flow.pairs * factor),
            triples=round(flow.triples * factor),
            dest_only=round(flow.dest_only * factor),
            origin_only=round(flow.origin_only * factor),
        )
        for flow in flows
    )


def _spread(total: int, slots: int) -> list[int]:
    base, extra = divmod(max(total, 0), slots)
    return [base + (1 if i < extra else 0) for i in range(slots)]


def plan_flows(
    top: tuple[Flow, ...], targets: Targets, regions: dict[str, str]
) -> tuple[Flow, ...]:
    """The top flows plus filler flows so that regions, trafficking types and the number of
    individuals meet the targets."""
    fixed = totals(top, regions)
    need = {r: max(targets.regions.get(r, 0) - fixed.region.get(r, 0), 0) for r in FILLER_INTERNAL}
    need_total = sum(need.values()) or 1
    internal_need = max(targets.internal - fixed.trafficking["internal"], 0)
    unknown_need = targets.unknown
    alloc: dict[str, tuple[int, int, int]] = {}
    for r, n in need.items():
        unknown_r = round(unknown_need * n / need_total)
        internal_r = min(round(internal_need * n / need_total), n - unknown_r)
        alloc[r] = (internal_r, n - unknown_r - internal_r, unknown_r)
    filler_instances = sum(i + c for i, c, _u in alloc.values())
    unknown_total = sum(u for _i, _c, u in alloc.values())
    persons_needed = targets.persons - fixed.persons - unknown_total
    rate = min(max(persons_needed / filler_instances, 1 / 3), 1.0) if filler_instances else 1.0
    flows: list[Flow] = list(top)

    def add(nat: str, dest: str, count: int) -> None:
        """`count` instances for about count x rate persons: pairs and singles, or pairs and
        triples when persons are fewer than half the instances."""
        if count <= 0:
            return
        persons = max(min(round(count * rate), count), (count + 2) // 3)
        if 2 * persons >= count:
            flows.append(Flow(nat, dest, pairs=count - persons, dest_only=2 * persons - count))
        else:
            triples = count - 2 * persons
            flows.append(Flow(nat, dest, pairs=persons - triples, triples=triples))

    nat_unknown_total = round(unknown_total * 115 / 210)  # the seed's split, see the docs
    nat_unknown_left = nat_unknown_total
    unknown_left = unknown_total
    for r, (internal_r, cross_r, unknown_r) in alloc.items():
        for country, count in zip(
            FILLER_INTERNAL[r], _spread(internal_r, len(FILLER_INTERNAL[r])), strict=True
        ):
            add(country, country, count)
        for (nat, dest), count in zip(
            FILLER_CROSS[r], _spread(cross_r, len(FILLER_CROSS[r])), strict=True
        ):
            add(nat, dest, count)
        nat_unknown = round(nat_unknown_left * unknown_r / unknown_left) if unknown_left else 0
        nat_unknown_left -= nat_unknown
        unknown_left -= unknown_r
        dests = [dest for _nat, dest in FILLER_CROSS[r]]
        for dest, count in zip(dests, _spread(nat_unknown, len(dests)), strict=True):
            if count:
                flows.append(Flow(UNKNOWN, dest, dest_only=count))
        origins = FILLER_INTERNAL[r]
        for nat, count in zip(origins, _spread(unknown_r - nat_unknown, len(origins)), strict=True):
            if count:
                flows.append(Flow(nat, UNKNOWN, origin_only=count))
    return tuple(flows)
