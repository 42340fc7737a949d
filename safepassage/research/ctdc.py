"""k-anonymised releases in the CTDC k-anonymised global dataset layout.

The column list, the code mappings and the rendering of every non-identifying attribute come from
the interchange format (`safepassage.interop.formats.ctdc_kanon`), so there is one copy of the
layout. This module only replaces the quasi-identifier cells with the generalised labels the
k-anonymiser chose and checks the written file.

- Quasi-identifiers and their columns: year -> `yearOfRegistration` (a year or a band
  "2010-2014"), sex -> `gender`, age -> `ageBroad` and `majorityStatus` (age in years is never
  written), citizenship -> `citizenship`, country of exploitation -> `CountryOfExploitation`
  (ISO alpha-2; the layout has no region column, so a country is released or suppressed).
  A suppressed or unknown value is `-99`.
- A candidate quasi-identifier left out of `--qi` is withheld: its columns are `-99` on every
  row, so the k the file states holds over every quasi-identifier it carries.
- Attributes a source may hold as free text (`RecruiterRelationship`) and the age-derived
  `majorityStatusAtExploit` / `MajorityEntry` are never written (`-99`).
- The sensitive attribute for l-diversity is the exploitation type as the file states it: the
  six CTDC type flags (`isForcedLabour` ... `isOrganRemoval`) read together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from safepassage.interop.formats.base import Record
from safepassage.interop.formats.ctdc_kanon import (
    COLUMNS,
    DATASOURCES,
    EXPLOIT_FLAGS,
    GENDER_OUT,
    CtdcKanon,
)
from safepassage.reference.codes import Gender
from safepassage.reference.countries import countries_by_iso3
from safepassage.research.hierarchies import (
    ADULT,
    MINOR,
    SUPPRESSED,
    QuasiIdentifier,
    age_hierarchy,
    ctdc_country_hierarchy,
    sex_hierarchy,
    year_hierarchy,
)
from safepassage.research.kanon import verify_k_anonymity, verify_l_diversity

__all__ = ["COLUMNS", "QI_COLUMNS", "QI_NAMES", "quasi_identifiers", "verify_file"]

MISSING = "-99"
SENSITIVE = "exploitation_flags"
SENSITIVE_COLUMNS: tuple[str, ...] = tuple(EXPLOIT_FLAGS)
QI_COLUMNS: dict[str, tuple[str, ...]] = {
    "year_of_registration": ("yearOfRegistration",),
    "sex": ("gender",),
    "age": ("ageBroad", "majorityStatus"),
    "citizenship": ("citizenship",),
    "country_of_exploitation": ("CountryOfExploitation",),
}
QI_NAMES: tuple[str, ...] = tuple(QI_COLUMNS)
NEVER_WRITTEN = ("RecruiterRelationship", "majorityStatusAtExploit", "MajorityEntry")
_INDEX = {name: position for position, name in enumerate(COLUMNS)}
_SEX_GROUP = {
    "female": Gender.FEMININE.value,
    "male": Gender.MASCULINE.value,
    "other": Gender.NON_CONFORMING.value,
}


def quasi_identifiers(names: Sequence[str] = QI_NAMES) -> tuple[QuasiIdentifier, ...]:
    unknown = [name for name in names if name not in QI_COLUMNS]
    if unknown:
        msg = f"unknown quasi-identifiers {', '.join(unknown)}; choose from {', '.join(QI_NAMES)}"
        raise ValueError(msg)
    available = {
        "year_of_registration": QuasiIdentifier(year_hierarchy()),
        "sex": QuasiIdentifier(sex_hierarchy()),
        # Level 0 (age in years) is never released.
        "age": QuasiIdentifier(age_hierarchy(), min_level=1),
        "citizenship": QuasiIdentifier(ctdc_country_hierarchy("citizenship")),
        "country_of_exploitation": QuasiIdentifier(
            ctdc_country_hierarchy("country_of_exploitation")
        ),
    }
    return tuple(available[name] for name in QI_NAMES if name in names)


def attribute_cells(record: Record) -> list[str]:
    """The CTDC row of a case with every quasi-identifier cell blank (filled from the release)."""
    extra = record.source_values
    clean = Record(
        means_of_control=record.means_of_control,
        exploitation_types=record.exploitation_types,
        labour_sectors=record.labour_sectors,
        sexual_exploitation_types=record.sexual_exploitation_types,
        recruiter_relation=record.recruiter_relation,
        unreported=record.unreported,
    )
    # Whitelisted codes only: nothing a source typed freely reaches a research file.
    if extra.get("datasource") in DATASOURCES:
        clean.source_values["datasource"] = extra["datasource"]
    if isinstance(extra.get("abduction"), bool):
        clean.source_values["abduction"] = extra["abduction"]
    relations = extra.get("recruiter_relations")
    if isinstance(relations, list):
        clean.source_values["recruiter_relations"] = [str(code) for code in relations]
    cells = CtdcKanon().render(clean)
    for name in (*NEVER_WRITTEN, *(c for cols in QI_COLUMNS.values() for c in cols)):
        cells[_INDEX[name]] = MISSING
    return cells


def exploitation_flags(cells: Sequence[str]) -> str:
    return "".join(cells[_INDEX[name]] + "|" for name in SENSITIVE_COLUMNS)


def _iso2(label: str) -> str:
    if label == SUPPRESSED:
        return MISSING
    info = countries_by_iso3().get(label)
    return info.iso2 if info else MISSING


def _age_cells(label: str) -> tuple[str, str]:
    if label in (MINOR, ADULT):
        return MISSING, label
    if label == SUPPRESSED:
        return MISSING, MISSING
    minor = label in ("0--8", "9--17")
    return label, MINOR if minor else ADULT


def qi_cells(name: str, label: str) -> tuple[str, ...]:
    """The cells of one quasi-identifier for its released label."""
    if name == "year_of_registration":
        return (MISSING if label == SUPPRESSED else label,)
    if name == "sex":
        return (GENDER_OUT.get(_SEX_GROUP.get(label, ""), MISSING),)
    if name == "age":
        return _age_cells(label)
    return (_iso2(label),)


def render_rows(
    released: pd.DataFrame, cells_by_case: dict[int, list[str]], qi_names: Iterable[str]
) -> list[list[str]]:
    """The file rows of a k-anonymised frame (which carries `case_id`, never written)."""
    names = list(qi_names)
    rows: list[list[str]] = []
    labels = {name: released[name].tolist() for name in names}
    for position, case_id in enumerate(released["case_id"].tolist()):
        row = list(cells_by_case[int(case_id)])
        for name in names:
            for column, cell in zip(
                QI_COLUMNS[name], qi_cells(name, labels[name][position]), strict=True
            ):
                row[_INDEX[column]] = cell
        rows.append(row)
    return rows


def read_release(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)


def verify_file(
    path: Path, *, qi_names: Sequence[str], k: int, l_value: int | None
) -> tuple[int, int | None]:
    """Re-read a written release and check, apart from the search, that it is in the layout,
    withholds what it must, and meets k (and l) over every quasi-identifier column it carries.
    Raises `ReleaseRefused` (from kanon) when it does not."""
    from safepassage.research.kanon import ReleaseRefused

    data = read_release(path)
    if tuple(data.columns) != COLUMNS:
        raise ReleaseRefused("verification failed: the file is not in the CTDC layout")
    withheld = [c for name in QI_NAMES if name not in qi_names for c in QI_COLUMNS[name]]
    for column in (*withheld, *NEVER_WRITTEN):
        if (data[column] != MISSING).any():
            raise ReleaseRefused(f"verification failed: column {column} is not withheld")
    columns = [c for name in qi_names for c in QI_COLUMNS[name]]
    if not columns:
        raise ReleaseRefused("verification failed: no quasi-identifier chosen")
    k_achieved = verify_k_anonymity(data, columns, k)
    l_achieved = None
    if l_value is not None:
        data[SENSITIVE] = data[list(SENSITIVE_COLUMNS)].agg("|".join, axis=1)
        l_achieved = verify_l_diversity(data, columns, SENSITIVE, l_value)
    return k_achieved, l_achieved
