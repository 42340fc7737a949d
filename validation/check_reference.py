"""Reference data and code lists agree with their sources in ../shared."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from safepassage.reference import codes
from safepassage.reference.regions import ANNEX2_FILE


def test_annex2_copy_is_identical_to_the_source(shared_file: Callable[[str], Path]) -> None:
    source = shared_file("reference/iom-regions-2011.csv")
    with source.open(encoding="utf-8") as a, Path(ANNEX2_FILE).open(encoding="utf-8") as b:
        assert list(csv.DictReader(a)) == list(csv.DictReader(b))


def _htcds_picklists(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as handle:
        return {
            row["Field Name including Prefix"]: row["Value Names (if picklist)"]
            for row in csv.DictReader(handle)
            if row.get("Field Name including Prefix")
        }


HTCDS_LISTS = {
    "prs_Gender": (codes.Gender, set()),
    "vic_TraffickingStatus": (codes.TraffickingStatus, set()),
    "vic_TraffickingStatusDecisionMakingOrg": (codes.DecisionMakingOrganisation, set()),
    "vic_MethodOfRecruitment": (codes.RecruitmentMethod, set()),
    "vic_TypeOfSexExploitation": (codes.SexualExploitationType, set()),
    "org_Type": (codes.OrganisationType, set()),
    "hte_Type": (codes.TraffickingEventType, set()),
    # CTDC adds slavery and forced criminality to HTCDS's exploitation types.
    "vic_TypeOfExploitation": (
        codes.ExploitationType,
        {"SlaveryAndPractices", "ForcedCriminality"},
    ),
}


@pytest.mark.parametrize("field", sorted(HTCDS_LISTS))
def test_htcds_code_lists_use_the_standard_spelling(
    shared_file: Callable[[str], Path], field: str
) -> None:
    picklists = _htcds_picklists(shared_file("standards/htcds/htcds-field-standards-2.0.csv"))
    enum, extensions = HTCDS_LISTS[field]
    # The CSV export joins a picklist's values without separators; each code must appear in it.
    missing = [
        code for code in enum.values if code not in extensions and code not in picklists[field]
    ]
    assert not missing, f"{field}: codes not in HTCDS 2.0: {missing}"


def test_means_of_control_are_ctdc_variables(shared_file: Callable[[str], Path]) -> None:
    codebook = shared_file("standards/ctdc/CTDC codebook v6_0.txt").read_text(encoding="utf-8")
    missing = [
        code for code in codes.MeansOfControl.values if f"meansOfControl{code}" not in codebook
    ]
    assert not missing


def test_labour_sectors_and_sexual_types_are_ctdc_variables(
    shared_file: Callable[[str], Path],
) -> None:
    codebook = shared_file("standards/ctdc/CTDC codebook v6_0.txt").read_text(encoding="utf-8")
    assert not [c for c in codes.LabourSector.values if f"typeOfLabour{c}" not in codebook]
    assert not [c for c in codes.SexualExploitationType.values if f"typeOfSex{c}" not in codebook]
    assert not [
        c for c in codes.RecruiterRelation.values if f"recruiterRelation{c}" not in codebook
    ]
