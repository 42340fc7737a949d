"""The annual report as a document: chapters of prose, tables and charts built from the JSON
figures of `selectors.indicator_report`. HTML, PDF and XLSX render this one document, so the
three formats and the JSON carry the same numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from safepassage.stats import charts
from safepassage.stats import definitions as d
from safepassage.stats.labels import label

Cell = str | int


@dataclass
class Table:
    key: str  # also the XLSX sheet name (<= 31 characters)
    title: str
    columns: list[str]
    rows: list[list[Cell]]


@dataclass
class Chapter:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)  # SVG


def pct(n: int, total: int) -> str:
    return f"{round(100 * n / total)}%" if total else "-"


def change(now: int, before: int) -> str:
    if not before:
        return "-"
    delta = round(100 * (now - before) / before)
    return f"{delta:+d}%"


def _change_words(now: int, before: int, year: int) -> str:
    if not before:
        return f"no instances were recorded in {year} to compare with"
    delta = round(100 * (now - before) / before)
    if delta == 0:
        return f"unchanged compared with {year}"
    return f"{'an increase' if delta > 0 else 'a decline'} of {abs(delta)}% compared with {year}"


def _shares_table(  # noqa: PLR0917  # a private table builder, called positionally like a row
    key: str,
    title: str,
    kind: str,
    block: dict[str, int],
    total: int,
    before: dict[str, int] | None,
) -> Table:
    columns = ["category", "instances", "share"] + (
        ["previous year", "change"] if before is not None else []
    )
    rows: list[list[Cell]] = []
    for code, n in block.items():
        row: list[Cell] = [label(kind, code), n, pct(n, total)]
        if before is not None:
            row += [before.get(code, 0), change(n, before.get(code, 0))]
        rows.append(row)
    return Table(key, title, columns, rows)


def _top_table(
    key: str, title: str, block: dict[str, int], total: int, before: dict[str, int] | None
) -> Table:
    columns = ["country", "ISO", "instances", "share"] + (
        ["previous year", "change"] if before is not None else []
    )
    rows: list[list[Cell]] = []
    for code, n in list(block.items())[:10]:
        row: list[Cell] = [label("country", code), code, n, pct(n, total)]
        if before is not None:
            row += [before.get(code, 0), change(n, before.get(code, 0))]
        rows.append(row)
    return Table(key, title, columns, rows)


def _listing(block: dict[str, int], skip_first: bool) -> str:
    items = [(c, n) for c, n in list(block.items())[:10] if c != d.UNKNOWN_COUNTRY]
    if skip_first:
        items = items[1:]
    return ", ".join(f"{label('country', c)} ({n:,})" for c, n in items)


def _global_trends(data: dict[str, Any], with_charts: bool) -> Chapter:
    year = data["scope"]["year"]
    prev = data["previous_year"]
    total = data["instances"]
    ch = Chapter("global", f"Global assistance trends in {year}")
    ch.paragraphs.append(
        f"In {year}, {total:,} instances of assistance were recorded, involving approximately "
        f"{data['individuals']:,} individuals; this is {_change_words(total, prev['instances'], year - 1)}. "
        "Percentages below use all instances in scope as the denominator, unknowns included."
    )
    nat = data["by_citizenship"]
    if nat:
        first, n = next(iter(nat.items()))
        ch.paragraphs.append(
            f"Nationals of {label('country', first)} were assisted more than any other nationality, "
            f"with {n:,} instances of assistance recorded (Figure 1). "
            + (
                f"Nationals of {_listing(nat, True)} were also assisted in large numbers."
                if len(nat) > 1
                else ""
            )
        )
    dest = data["by_country_of_exploitation"]
    if dest:
        ch.paragraphs.append(
            f"The top countries of destination in {year} were {_listing(dest, False)} (Figure 2)."
        )
    ex = data["by_exploitation_type"]
    pex = prev["by_exploitation_type"]
    ch.paragraphs.append(
        f"{pct(ex['labour'], total)} of the cases involved labour trafficking, with {ex['labour']:,} "
        f"instances of assistance ({_change_words(ex['labour'], pex['labour'], year - 1)}); "
        f"{pct(ex['sexual'], total)} involved sexual exploitation, with {ex['sexual']:,} instances "
        f"({_change_words(ex['sexual'], pex['sexual'], year - 1)}); {ex['sexual_and_labour']:,} "
        f"involved both and {ex['begging']:,} forced begging only (Figure 3)."
    )
    sex = data["by_sex"]
    ch.paragraphs.append(
        f"Women and girls made up {pct(sex['female'], total)} of cases ({sex['female']:,}); "
        f"instances of assistance to males numbered {sex['male']:,}, "
        f"{_change_words(sex['male'], prev['by_sex']['male'], year - 1)} (Figure 4)."
    )
    age = data["by_age_group"]
    ch.paragraphs.append(
        f"Instances of assistance to children numbered {age['child']:,}, "
        f"{_change_words(age['child'], prev['by_age_group']['child'], year - 1)}: "
        f"{pct(age['child'], total)} of those assisted were under the age of 18 (Figure 5)."
    )
    tr = data["by_trafficking_type"]
    ch.paragraphs.append(
        f"{pct(tr['cross_border'], total)} of cases crossed an international border "
        f"({tr['cross_border']:,}, {_change_words(tr['cross_border'], prev['by_trafficking_type']['cross_border'], year - 1)}); "
        f"internal cases numbered {tr['internal']:,} "
        f"({_change_words(tr['internal'], prev['by_trafficking_type']['internal'], year - 1)}) (Figure 6)."
    )
    regions = sorted(data["by_region"].items(), key=lambda item: -item[1])
    ch.paragraphs.append(
        "By region of assistance: "
        + ", ".join(f"{label('region', k)} {pct(n, total)}" for k, n in regions if n)
        + " (Figure 7)."
    )
    ch.tables = [
        Table(
            "global-headline",
            "Instances and individuals",
            ["figure", str(year), str(year - 1), "change"],
            [
                ["instances", total, prev["instances"], change(total, prev["instances"])],
                [
                    "individuals",
                    data["individuals"],
                    prev["individuals"],
                    change(data["individuals"], prev["individuals"]),
                ],
            ],
        ),
        _top_table(
            "global-nationalities",
            "Figure 1: Top 10 nationalities",
            nat,
            total,
            prev["by_citizenship"],
        ),
        _top_table(
            "global-destinations",
            "Figure 2: Top 10 countries of destination",
            dest,
            total,
            prev["by_country_of_exploitation"],
        ),
        _shares_table(
            "global-exploitation", "Figure 3: Exploitation type", "exploitation", ex, total, pex
        ),
        _shares_table("global-sex", "Figure 4: Sex", "sex", sex, total, prev["by_sex"]),
        _shares_table("global-age", "Figure 5: Children", "age", age, total, prev["by_age_group"]),
        _shares_table(
            "global-trafficking",
            "Figure 6: Cross-border vs in-country",
            "trafficking",
            tr,
            total,
            prev["by_trafficking_type"],
        ),
        _shares_table(
            "global-region",
            "Figure 7: Region of assistance",
            "region",
            data["by_region"],
            total,
            prev["by_region"],
        ),
    ]
    if with_charts:
        ch.charts = charts.render_svgs(dashboard_specs(data))
    return ch


def dashboard_specs(data: dict[str, Any]) -> list[dict[str, Any]]:
    total = data["instances"]
    year = data["scope"]["year"]
    prev = data["previous_year"]
    return [
        charts.top_ten("Figure 1: Top 10 nationalities", data["by_citizenship"], total),
        charts.top_ten(
            "Figure 2: Top 10 countries of destination", data["by_country_of_exploitation"], total
        ),
        charts.shares(
            "Figure 3: Exploitation type", "exploitation", data["by_exploitation_type"], total
        ),
        charts.shares("Figure 4: Sex", "sex", data["by_sex"], total),
        charts.shares("Figure 5: Age group", "age", data["by_age_group"], total),
        charts.shares(
            "Figure 6: Trafficking type", "trafficking", data["by_trafficking_type"], total
        ),
        charts.shares("Figure 7: Region of assistance", "region", data["by_region"], total),
        charts.year_over_year(
            f"Compared with {year - 1}",
            [
                ("instances", total, prev["instances"]),
                ("individuals", data["individuals"], prev["individuals"]),
                ("children", data["by_age_group"]["child"], prev["by_age_group"]["child"]),
                (
                    "labour",
                    data["by_exploitation_type"]["labour"],
                    prev["by_exploitation_type"]["labour"],
                ),
                (
                    "sexual",
                    data["by_exploitation_type"]["sexual"],
                    prev["by_exploitation_type"]["sexual"],
                ),
                (
                    "cross-border",
                    data["by_trafficking_type"]["cross_border"],
                    prev["by_trafficking_type"]["cross_border"],
                ),
            ],
            (year - 1, year),
        ),
    ]


def _reintegration(data: dict[str, Any]) -> Chapter:
    reint = data["reintegration_assistance"]
    base = reint["beneficiaries"]
    ch = Chapter("reintegration", "Reintegration assistance")
    ch.paragraphs.append(
        f"{base:,} returned beneficiaries received reintegration assistance. "
        + "; ".join(
            f"{pct(reint[k], base)} received {label('reintegration', k).lower()} assistance"
            for k in d.REINTEGRATION_KEYS
        )
        + ". Shares use the returned beneficiaries with any reintegration service as the denominator; "
        "one person may receive several types."
        if base
        else "No returned beneficiary with reintegration services was recorded in scope."
    )
    ch.tables = [
        Table(
            "reintegration",
            "Types of reintegration assistance",
            ["type", "beneficiaries", "share"],
            [["any reintegration service", base, pct(base, base)]]
            + [
                [label("reintegration", k), reint[k], pct(reint[k], base)]
                for k in d.REINTEGRATION_KEYS
            ],
        )
    ]
    return ch


def _funding(money: dict[str, Any], with_charts: bool) -> Chapter:
    """The funding chapter (docs/indicators.md, Funding): USD by region and donor."""
    total = money["total_usd"]
    ch = Chapter("funding", "Funding")
    ch.paragraphs.append(
        f"{money['projects']:,} projects in {money['countries']:,} countries were running, "
        f"{money['avrr_projects']:,} of them with assisted voluntary return and reintegration. "
        f"Donors contributed USD {total:,}. "
        + "; ".join(
            f"{label('region', k)} {pct(v, total)}"
            for k, v in sorted(money["by_region"].items(), key=lambda item: -item[1])
            if v
        )
        + ". A project in several countries counts its funding in equal shares per country."
    )
    ch.tables = [
        Table(
            "funding-regions",
            "Funding by region (USD)",
            ["region", "USD", "share"],
            [[label("region", k), v, pct(v, total)] for k, v in money["by_region"].items()]
            + [["total", total, pct(total, total)]],
        ),
        Table(
            "funding-donors",
            "Top ten donors (USD)",
            ["donor", "USD", "share"],
            [[row["donor"], row["usd"], pct(row["usd"], total)] for row in money["by_donor_top10"]],
        ),
        Table(
            "funding-funds",
            "Beneficiaries charged to each fund",
            ["fund", "beneficiaries"],
            [[code, n] for code, n in sorted(money["fund_beneficiaries"].items())],
        ),
    ]
    if with_charts and total:
        ch.charts.append(
            charts.render_svg(
                charts.shares("Funding by region", "region", money["by_region"], total, unit="USD")
            )
        )
    return ch


def _region_chapter(key: str, block: dict[str, Any], data: dict[str, Any]) -> Chapter:
    total = block["instances"]
    name = label("region", key)
    ch = Chapter(f"region-{key}", name)
    age, sex = block["by_age_group"], block["by_sex"]
    ch.paragraphs.append(
        f"In the region a total of {total:,} cases were assisted ({pct(total, data['instances'])} of all "
        f"instances; about {block['individuals']:,} individuals), {pct(age['child'], total)} of whom were "
        f"under 18 years of age ({age['child']:,}); {pct(sex['female'], total)} were female."
    )
    short = key[:12]
    ch.tables = [
        Table(
            f"{short}-profile",
            f"{name}: profile",
            ["figure", "value", "share of all instances"],
            [
                ["instances", total, pct(total, data["instances"])],
                ["individuals", block["individuals"], "-"],
                ["children", age["child"], pct(age["child"], total)],
            ],
        ),
        _shares_table(f"{short}-sex", f"{name}: sex", "sex", sex, total, None),
        _shares_table(f"{short}-age", f"{name}: children", "age", age, total, None),
        _shares_table(
            f"{short}-exploitation",
            f"{name}: exploitation type",
            "exploitation",
            block["by_exploitation_type"],
            total,
            None,
        ),
        _shares_table(
            f"{short}-trafficking",
            f"{name}: trafficking type",
            "trafficking",
            block["by_trafficking_type"],
            total,
            None,
        ),
        _top_table(
            f"{short}-nationalities",
            f"{name}: top nationalities",
            block["by_citizenship"],
            total,
            None,
        ),
        Table(
            f"{short}-avrr",
            f"{name}: AVRR by age and sex",
            ["group", "returns"],
            [["all returns", block["avrr_profile"]["returns"]]]
            + [[label("avrr", k), block["avrr_profile"][k]] for k in d.AVRR_KEYS],
        ),
    ]
    return ch


METHODS = [
    (
        "Unit. Figures count instances of assistance: one case, one person assisted by one office. The "
        "same person assisted at destination and again at origin is two instances. Individuals are the "
        "distinct persons (record-linkage clusters once linkage runs) among those instances, so "
        "individuals are fewer than instances."
    ),
    (
        "Period and scope. A case belongs to the year of its registration date. The region is the Annex 2 "
        "region of the country where assistance was given; countries not listed in Annex 2 are "
        "'unassigned'. Percentages use all instances in scope as the denominator, unknowns included."
    ),
    (
        "Core-variable submissions. Offices not on the system send aggregate counts (the core variable "
        "approach). These cannot be validated against duplicate entries and are reported apart, never "
        "added to the instances above."
    ),
    (
        "Caveats (after Annex 1 of the 2011 report). The data reflect assisted cases only and, read in "
        "isolation, cannot give an accurate picture of trafficking in a country or region. Who comes into "
        "assistance is itself biased: a focus on sexual exploitation has tended to neglect other victims "
        "(e.g. males) and other forms (e.g. labour), and the focus on international trafficking has left "
        "internal cases under-assisted. Offices that share no data are missing. Counts of assistance "
        "remain valid even when two offices assisted the same individual: they reflect the assistance, "
        "and the funding, that was needed."
    ),
    "Definitions of every figure: docs/indicators.md.",
]


def report_document(data: dict[str, Any], *, with_charts: bool = True) -> list[Chapter]:
    chapters = [_global_trends(data, with_charts), _reintegration(data)]
    for key in d.REGIONS:
        block = data["regions"][key]
        if key == "unassigned" and not block["instances"]:
            continue
        chapters.append(_region_chapter(key, block, data))
    if data.get("funding") is not None:
        chapters.append(_funding(data["funding"], with_charts))
    sub = data["aggregate_submissions"]
    methods = Chapter("methods", "Annex: methods, definitions and caveats", list(METHODS))
    methods.tables = [
        Table(
            "methods-submissions",
            "Core-variable submissions (not de-duplicable)",
            ["figure", "value"],
            [
                ["submissions", sub["submissions"]],
                ["offices", sub["offices"]],
                ["instances reported", sub["instances"]],
            ],
        )
    ]
    chapters.append(methods)
    return chapters
