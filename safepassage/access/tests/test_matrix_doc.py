"""docs/access-control.md and the code state the same permission matrix."""

from __future__ import annotations

from pathlib import Path

from safepassage.access.permissions import MATRIX, Perm, Role

DOC = Path(__file__).resolve().parents[3] / "docs" / "access-control.md"


def parse_matrix(text: str) -> dict[str, frozenset[str]]:
    lines = (
        text.split("<!-- matrix:start -->", 1)[1]
        .split("<!-- matrix:end -->", 1)[0]
        .strip()
        .splitlines()
    )
    header = [cell.strip().strip("`") for cell in lines[0].strip("|").split("|")]
    roles = header[1:]
    parsed: dict[str, frozenset[str]] = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        perm = cells[0].strip("`")
        parsed[perm] = frozenset(
            role for role, mark in zip(roles, cells[1:], strict=True) if mark == "yes"
        )
    return parsed


def test_doc_lists_every_role_and_permission() -> None:
    text = DOC.read_text(encoding="utf-8")
    header = text.split("<!-- matrix:start -->", 1)[1].strip().splitlines()[0]
    assert [c.strip().strip("`") for c in header.strip("|").split("|")][1:] == list(Role.values)
    assert set(parse_matrix(text)) == set(Perm.values)


def test_doc_and_code_agree() -> None:
    assert parse_matrix(DOC.read_text(encoding="utf-8")) == {str(k): v for k, v in MATRIX.items()}


def test_doc_pages_table_is_the_route_specification() -> None:
    from safepassage.access.routes import pages_table

    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- routes:start -->", 1)[1].split("<!-- routes:end -->", 1)[0].strip()
    assert table == pages_table(), (
        "docs/access-control.md differs from ROUTES: replace the table between the routes "
        "markers with the output of `python -m safepassage.access.routes`"
    )
