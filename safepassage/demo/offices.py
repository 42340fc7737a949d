"""Demo offices and staff accounts: generated, never real people."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from safepassage.access.permissions import Role
from safepassage.accounts.models import User
from safepassage.accounts.services import membership_grant, user_create
from safepassage.offices.models import Office
from safepassage.offices.services import office_create

SOURCE = "demo"


@dataclass(frozen=True)
class DemoOffice:
    code: str
    name: str
    country: str
    kind: str = Office.Kind.COUNTRY
    region: str = ""
    staffed: bool = False


# Offices whose staff get demo logins; other offices exist so that data can be placed in them.
DEMO_OFFICES = (
    DemoOffice("HQ-GVA", "Headquarters", "CHE", Office.Kind.HEADQUARTERS, staffed=True),
    DemoOffice("RO-VIENNA", "Regional Office Vienna", "AUT", Office.Kind.REGIONAL, "vienna"),
    DemoOffice("RU-MOSCOW", "Moscow", "RUS", staffed=True),
    DemoOffice("UA-KYIV", "Kyiv", "UKR", staffed=True),
    DemoOffice("TH-BANGKOK", "Bangkok", "THA"),
    DemoOffice("HT-PAP", "Port-au-Prince", "HTI"),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    office: str
    role: str


def logins_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-logins.txt"


def _write_logins(logins: list[DemoLogin]) -> None:
    path = logins_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        for login in logins:
            handle.write(f"{login.username}\t{login.password}\t{login.office}\t{login.role}\n")


def read_logins() -> list[DemoLogin]:
    path = logins_file()
    if not path.exists():
        return []
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [DemoLogin(*row) for row in rows if len(row) == 4]


def seed_offices_and_staff() -> list[DemoLogin]:
    """Create the demo offices and one account per role at each staffed office, with a fresh
    random password each (kept in var/demo-logins.txt, owner-only)."""
    logins: list[DemoLogin] = []
    with transaction.atomic():
        offices: dict[str, Office] = {}
        for spec in DEMO_OFFICES:
            existing = Office.objects.filter(code=spec.code).first()
            offices[spec.code] = existing or office_create(
                actor=None,
                code=spec.code,
                name=spec.name,
                country=spec.country,
                kind=spec.kind,
                covered_region=spec.region,
                source=SOURCE,
            )
        for spec in DEMO_OFFICES:
            if not spec.staffed:
                continue
            prefix = spec.code.split("-")[-1].lower()
            for role in Role.values:
                username = f"{prefix}_{role}"
                if User.objects.filter(username=username).exists():
                    continue
                password = "-".join(secrets.token_urlsafe(4) for _ in range(3))
                user = user_create(
                    actor=None,
                    username=username,
                    password=password,
                    office=offices[spec.code],
                    role=role,
                    source=SOURCE,
                )
                logins.append(DemoLogin(user.username, password, spec.code, role))
        # The Kyiv caseworker also helps out in Moscow, to show a multi-office user.
        kyiv_cw = User.objects.filter(username="kyiv_caseworker").first()
        if kyiv_cw and not kyiv_cw.memberships.filter(office=offices["RU-MOSCOW"]).exists():
            membership_grant(
                actor=None,
                user=kyiv_cw,
                office=offices["RU-MOSCOW"],
                role=Role.CASEWORKER,
                source=SOURCE,
            )
    if logins:
        _write_logins([*read_logins(), *logins])
    return logins
