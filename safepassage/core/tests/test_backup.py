"""Backup and restore: an empty database restored from a backup holds every table exactly as
it was, the audit chains verify, and a backup reveals no identifier without the keys."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safepassage.audit.verify import verify_all
from safepassage.cases.models import ConsentScope, Person
from safepassage.cases.tests.factories import give_consent, make_case, screen
from safepassage.core.backup import table_digests

pytestmark = pytest.mark.django_db(transaction=True)


def build_world(world) -> None:
    actor = world.user("A", "caseworker")
    case = make_case(
        world.office_a, actor, given="Backupova", family="Restorenko", phone="+380 00 111 2233"
    )
    give_consent(case, actor, ConsentScope.INTERVIEW, ConsentScope.ASSISTANCE)
    screen(case, actor)
    make_case(world.office_b, world.user("B", "caseworker"), given="Second", family="Person")


def test_restore_into_an_empty_database_reproduces_every_table(world, tmp_path: Path) -> None:
    # given a database with cases, consents, screenings and their audit trail
    build_world(world)
    before = table_digests()
    path = tmp_path / "backup.jsonl.gz"
    call_command("backup", out=path)
    # the backup holds ciphertext only
    raw = gzip.decompress(path.read_bytes())
    for plaintext in (b"Backupova", b"Restorenko", b"111 2233", b"1990-05-17"):
        assert plaintext not in raw
    # when the database is emptied (as a freshly migrated one) and the backup restored
    call_command("flush", interactive=False)
    assert not Person.objects.exists()
    call_command("restore", str(path))
    # then every table holds exactly what it held, and the audit chains verify
    after = table_digests()
    changed = {
        t
        for t in before
        if before[t] != after[t] and t not in ("audit_auditevent", "audit_chainhead")
    }
    assert changed == set()
    assert all(report.problem is None for report in verify_all())
    restored = {p.family_names: p for p in Person.objects.all()}
    assert restored["Restorenko"].phone == "+380 00 111 2233"


def test_restore_refuses_a_database_with_data(world, tmp_path: Path) -> None:
    build_world(world)
    path = tmp_path / "backup.jsonl.gz"
    call_command("backup", out=path)
    with pytest.raises(CommandError, match="already holds data"):
        call_command("restore", str(path))


def test_restore_refuses_a_damaged_backup_and_writes_nothing(world, tmp_path: Path) -> None:
    build_world(world)
    path = tmp_path / "backup.jsonl.gz"
    call_command("backup", out=path)
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    truncated = tmp_path / "truncated.jsonl.gz"
    truncated.write_bytes(gzip.compress("\n".join(lines[:-5]).encode()))
    call_command("flush", interactive=False)
    with pytest.raises(CommandError, match="truncated"):
        call_command("restore", str(truncated))
    assert not Person.objects.exists()
    tampered = tmp_path / "tampered.jsonl.gz"
    tampered.write_bytes(
        gzip.compress(
            "\n".join(
                line.replace('"NGO"', '"ngo"')
                if '"ngo"' not in line
                else line.replace('"ngo"', '"police"')
                for line in lines
            ).encode()
        )
    )
    with pytest.raises(CommandError, match="differ"):
        call_command("restore", str(tampered))
    assert not Person.objects.exists()
