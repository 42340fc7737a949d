"""Releases from the database: person-level input, k/l verified by pycanon on the written files,
refusals that leave nothing, the privacy budget, office scope, and no identifiers anywhere."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from pycanon import anonymity

from safepassage.access.policy import OfficeScope
from safepassage.audit.models import AuditEvent
from safepassage.core.errors import PermissionDenied
from safepassage.research import ctdc
from safepassage.research.errors import BudgetExceeded, ReleaseNotPossible
from safepassage.research.individuals import Source, research_individuals
from safepassage.research.models import ResearchRelease
from safepassage.research.services import (
    DATA_FILE,
    ReleaseRequest,
    bundle_members,
    epsilon_spent,
    research_release_create,
)
from safepassage.stats.models import CaseFact

KANON = ResearchRelease.Method.KANON
DP = ResearchRelease.Method.DP
QI_FILE_COLUMNS = [c for name in ctdc.QI_NAMES for c in ctdc.QI_COLUMNS[name]]
DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|\d{4}-\d{2}-\d{2}T")


def release_frame(release: ResearchRelease) -> pd.DataFrame:
    data = bundle_members(release)[DATA_FILE]
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


def pycanon_k_l(frame: pd.DataFrame) -> tuple[int, int]:
    frame = frame.copy()
    frame["exploitation"] = frame[list(ctdc.SENSITIVE_COLUMNS)].agg("|".join, axis=1)
    k = anonymity.k_anonymity(frame, QI_FILE_COLUMNS)
    l_value = anonymity.l_diversity(frame, QI_FILE_COLUMNS, ["exploitation"])
    return int(k), int(l_value)


def test_person_level_input_one_row_per_individual_earliest_registration(world, persons):
    # Given office A's first two cases are one individual (record linkage), the later one
    # registered a year after the first
    first, second = persons.cases["A"][0], persons.cases["A"][1]
    CaseFact.objects.filter(case=second).update(individual_id=first.person_id, year=2027)
    # When the input is built for every office
    frame = research_individuals(Source(scope=OfficeScope(everything=True)))
    # Then the individual has one row, from the earliest registration, with the age in years at
    # that registration
    assert len(frame) == 15
    row = frame.loc[frame["case_id"] == first.pk].iloc[0]
    assert row["year_of_registration"] == 2026
    assert row["age"] == 38  # born 1988-01-03, registered 2026-03-02
    assert second.pk not in set(frame["case_id"])
    assert set(frame.columns) >= {"sex", "citizenship", "country_of_exploitation"}


def test_kanon_release_meets_k_and_l_checked_by_pycanon(world, persons, private_var):
    # Given the headquarters data manager
    manager = world.user("HQ", "data_manager")
    # When they release at k=4, l=2
    release = research_release_create(
        actor=manager, request=ReleaseRequest(method=KANON, k=4, l_value=2)
    )
    # Then pycanon, reading the written file, agrees with the verified k and l
    frame = release_frame(release)
    assert tuple(frame.columns) == ctdc.COLUMNS
    k, l_value = pycanon_k_l(frame)
    assert k >= 4 and l_value >= 2
    assert release.k_achieved == k and release.l_achieved == l_value
    assert len(frame) == 16
    assert set(frame["citizenship"]) <= {"UA", "LA", "-99"}
    # and the registry row and its audit event record it, with no personal values
    assert release.all_offices and release.created_by == manager
    event = AuditEvent.objects.get(event_type="research.release_created")
    assert event.target_id == str(release.pk) and event.metadata["k"] == k
    report = json.loads(bundle_members(release)["release-report.json"])
    assert report["k_verified_on_file"] == k and "generalisation" in report
    # stored owner-only
    assert (private_var / release.stored_path).stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("params", [{"k": 40}, {"k": 2, "l_value": 5}])
def test_unmeetable_k_or_l_is_refused_and_leaves_nothing(world, persons, private_var, params):
    with pytest.raises(ReleaseNotPossible, match="Release refused"):
        research_release_create(
            actor=world.user("HQ", "data_manager"),
            request=ReleaseRequest(method=KANON, **params),
        )
    assert not ResearchRelease.objects.exists()
    assert not AuditEvent.objects.filter(event_type__startswith="research.").exists()
    assert [p for p in private_var.rglob("*") if p.is_file()] == []


def test_command_writes_verified_csv_and_report_or_nothing(world, persons, tmp_path):
    out = tmp_path / "out" / "release.csv"
    out.parent.mkdir()
    call_command(
        "export_research",
        "--method",
        "kanon",
        "--k",
        "4",
        "--l",
        "2",
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert pycanon_k_l(frame)[0] >= 4
    report = json.loads(out.with_name("release.csv.report.json").read_text())
    assert report["k_verified_on_file"] >= 4 and report["rows_released"] == 16
    assert "Information loss" in out.with_name("release.csv.report.txt").read_text()
    refused = tmp_path / "out" / "refused.csv"
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command("export_research", "--method", "kanon", "--k", "40", "--out", str(refused))
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "release.csv",
        "release.csv.report.json",
        "release.csv.report.txt",
    ]
    assert ResearchRelease.objects.count() == 1


def test_qi_left_out_is_withheld(world, persons):
    release = research_release_create(
        actor=None, request=ReleaseRequest(method=KANON, k=4, quasi_identifiers=("sex", "age"))
    )
    frame = release_frame(release)
    assert set(frame["citizenship"]) == {"-99"} == set(frame["CountryOfExploitation"])
    assert set(frame["yearOfRegistration"]) == {"-99"}


def test_dp_command_writes_tables_statement_ledger_and_internal_utility_apart(
    world, persons, tmp_path
):
    out = tmp_path / "dp"
    call_command(
        "export_research",
        "--method",
        "dp",
        "--epsilon",
        "1",
        "--year-from",
        "2026",
        "--year-to",
        "2026",
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    names = sorted(p.name for p in out.iterdir())
    assert "privacy-statement.txt" in names and "ledger.json" in names
    assert "table-sex.csv" in names and "table-region-x-year.csv" in names
    assert not any("INTERNAL" in name or "utility" in name for name in names)
    internal = tmp_path / "dp-INTERNAL-utility-report-not-for-release.json"
    assert json.loads(internal.read_text())["INTERNAL"]
    ledger = json.loads((out / "ledger.json").read_text())
    assert abs(ledger["epsilon_total"] - 1.0) < 1e-9
    spent = ledger["epsilon_planning"] + sum(ledger["epsilon_per_measurement"].values())
    assert abs(spent - 1.0) < 1e-9
    assert isinstance(ledger["planning_count"], int)
    assert ledger["derived_from"]["sex"] == "sex x age_group x exploitation_type"
    table = pd.read_csv(out / "table-sex.csv")
    assert list(table.columns) == ["sex", "count"] and len(table) == 4
    # The sex table is the margin of the age x sex table released beside it
    age_sex = pd.read_csv(out / "table-age_group-x-sex.csv").groupby("sex")["count"].sum()
    assert table.set_index("sex")["count"].sort_index().tolist() == age_sex.sort_index().tolist()


def test_cumulative_epsilon_and_budget(world, persons, settings):
    settings.SAFEPASSAGE_DP_BUDGET = 2.5
    manager = world.user("HQ", "data_manager")
    for _ in range(2):
        research_release_create(
            actor=manager,
            request=ReleaseRequest(method=DP, epsilon=1.0, year_from=2026, year_to=2026),
        )
    everything = OfficeScope(everything=True)
    assert epsilon_spent(scope=everything, year_from=2026, year_to=2026) == pytest.approx(2.0)
    # Office B's data overlaps the headquarters releases: its spend counts them.
    b_scope = OfficeScope(office_ids=frozenset({world.office_b.pk}))
    assert epsilon_spent(scope=b_scope, year_from=2025, year_to=2026) == pytest.approx(2.0)
    with pytest.raises(BudgetExceeded):
        research_release_create(
            actor=world.user("B", "data_manager"),
            request=ReleaseRequest(method=DP, epsilon=1.0, year_from=2026, year_to=2026),
        )
    assert ResearchRelease.objects.count() == 2
    # A period that overlaps no earlier release has its own budget.
    research_release_create(
        actor=manager, request=ReleaseRequest(method=DP, epsilon=2.0, year_from=2020, year_to=2021)
    )
    assert AuditEvent.objects.filter(event_type="research.release_created").count() == 3


def test_office_b_release_holds_only_office_b_individuals(world, persons):
    release = research_release_create(
        actor=world.user("B", "data_manager"), request=ReleaseRequest(method=KANON, k=4)
    )
    frame = release_frame(release)
    assert len(frame) == 8 == release.rows_input
    assert set(frame["citizenship"]) <= {"LA", "-99"}
    assert "UA" not in set(frame["citizenship"]) and "RU" not in set(frame["CountryOfExploitation"])
    assert not release.all_offices and list(release.offices.all()) == [world.office_b]
    assert "TH-BKK" in release.source


@pytest.mark.parametrize("role", ["researcher", "caseworker", "supervisor", "auditor", "admin"])
def test_only_data_managers_create(world, persons, role):
    with pytest.raises(PermissionDenied):
        research_release_create(
            actor=world.user("A", role), request=ReleaseRequest(method=KANON, k=4)
        )
    assert not ResearchRelease.objects.exists()


def _all_written_text(private_var: Path, extra: list[Path]) -> dict[str, str]:
    import zipfile

    texts: dict[str, str] = {}
    for path in [*private_var.rglob("*"), *extra]:
        if not path.is_file():
            continue
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    texts[f"{path.name}:{name}"] = archive.read(name).decode()
        else:
            texts[str(path)] = path.read_text()
    return texts


def test_no_identifier_free_text_or_date_in_any_written_file(world, persons, private_var, tmp_path):
    # Given a free-text note a source left and every kind of release
    from safepassage.screening.models import Screening

    Screening.objects.filter(case=persons.cases["A"][0]).update(
        source_values={"recruiter_relationship": "Uncle Given Name 2001-02-03"}
    )
    out = tmp_path / "k.csv"
    call_command(
        "export_research", "--method", "kanon", "--k", "4", "--out", str(out), stdout=io.StringIO()
    )
    call_command(
        "export_research",
        "--method",
        "dp",
        "--epsilon",
        "1",
        "--year-from",
        "2026",
        "--year-to",
        "2026",
        "--out",
        str(tmp_path / "dp"),
        stdout=io.StringIO(),
    )
    research_release_create(
        actor=world.user("B", "data_manager"), request=ReleaseRequest(method=KANON, k=4, l_value=2)
    )
    extra = [p for p in tmp_path.rglob("*") if p.is_file() and private_var not in p.parents]
    texts = _all_written_text(private_var, extra)
    assert len(texts) > 20
    for where, text in texts.items():
        lowered = text.lower()
        for name in persons.names:
            assert name.lower() not in lowered, where
        for reference in persons.references:
            assert reference not in text, where
        for born in persons.birth_dates:
            for form in (born.isoformat(), born.strftime("%d/%m/%Y"), born.strftime("%Y%m%d")):
                assert form not in text, where
        assert not DATE.search(text), (where, DATE.search(text))
        assert "uncle" not in lowered, where
