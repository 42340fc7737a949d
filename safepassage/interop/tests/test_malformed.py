"""Property: any malformed file (wrong delimiters, truncated rows, bad encodings, huge values,
formula-looking cells, random bytes) ends in a clear error and writes nothing, never a crash."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safepassage.cases.models import Case, Person
from safepassage.conftest import World
from safepassage.interop.formats import FORMATS
from safepassage.interop.importer import cases_import
from safepassage.interop.models import ImportBatch

VP = FORMATS["ctdc-vp"]
GOOD_ROW = [
    "2019",
    "Female",
    "Adult",
    "1",
    "",
    "Europe",
    "Europe",
    "1",
    "Female;Male",
    "",
    "Europe",
    "StrangerUnknownOther",
    "No;Yes",
    "1",
    "1",
    "",
]


def _line(cells: list[str], delimiter: str) -> str:
    return delimiter.join(cells)


bad_cell = st.one_of(
    st.text(min_size=1, max_size=30).filter(lambda s: s.strip() and s not in ("1", "0", "-99")),
    st.sampled_from(["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", '=HYPERLINK("http://x")']),
    st.just("x" * 5000),
)


@st.composite
def malformed_files(draw: st.DrawFn) -> bytes:
    kind = draw(
        st.sampled_from(["delimiter", "truncated", "encoding", "huge", "formula", "bytes", "quote"])
    )
    header = _line(list(VP.columns), ",")
    rows = [_line(GOOD_ROW, ",") for _ in range(draw(st.integers(1, 5)))]
    position = draw(st.integers(0, len(rows) - 1))
    if kind == "delimiter":
        rows[position] = _line(GOOD_ROW, draw(st.sampled_from(["\t", "|", ";"])))
    elif kind == "truncated":
        rows[position] = _line(GOOD_ROW[: draw(st.integers(1, len(GOOD_ROW) - 1))], ",")
    elif kind in ("huge", "formula"):
        cells = GOOD_ROW.copy()
        cells[draw(st.integers(0, len(cells) - 1))] = (
            draw(bad_cell).replace(",", "").replace("\n", "").replace("\r", "").replace('"', "")
            or "?"
        )
        rows[position] = _line(cells, ",")
    elif kind == "quote":
        rows[position] = '"2019,Female' + _line(GOOD_ROW[2:], ",")
    text = "\n".join([header, *rows]) + "\n"
    data = text.encode("utf-8")
    if kind == "encoding":
        data = data.replace(
            b"Female", draw(st.sampled_from([b"F\xe9male", b"\xff\xfeFemale", b"Fem\x00ale"])), 1
        )
        if draw(st.booleans()):
            data = text.encode("utf-16")
    if kind == "bytes":
        data = draw(st.binary(min_size=1, max_size=300))
    return data


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=malformed_files())
def test_malformed_files_give_a_clear_error_and_write_nothing(
    data: bytes, world: World, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    result = cases_import(actor=None, path=path, format_key="ctdc-vp", office=world.office_a)
    assert not result.committed
    assert result.errors, "a malformed file must say what is wrong"
    assert all(error.message for error in result.errors)
    assert (Case.objects.count(), Person.objects.count(), ImportBatch.objects.count()) == (0, 0, 0)
