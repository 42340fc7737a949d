"""The route specification: for every URL name and HTTP method, the permission it needs and the
office that permission must cover. `safepassage/access/tests/test_route_matrix.py` walks the URL
resolver and the OpenAPI schema, fails on any route, operation or method missing here (or named
here and gone), and requests each one as every persona to prove the outcome this table predicts.

Roles never appear here: who holds a permission comes from `MATRIX` alone, so the table and the
permission matrix cannot drift apart.

A rule has two halves. `see` with `at`: without that permission at that office the request answers
exactly like a missing record (404 on pages and in the API: "not found, not forbidden"). `act`
with `act_at` (writes only): a viewer who may see the record but not do this is refused (403, or
the form shown again with the refusal, 400) and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from safepassage.access.permissions import MATRIX, Perm


class Where(StrEnum):
    """The office a permission must cover for one request."""

    PUBLIC = "public"  # no login at all
    SIGNED_IN = "signed in"  # any signed-in, two-factor-verified user; no permission
    ANYWHERE = "any office in scope"  # held at some office; the page lists that scope only
    HEADQUARTERS = "headquarters only"  # held at headquarters (every office in scope)
    RECORD = "office of the record"  # the office owning the record in the URL
    SENDING = "sending office"  # a transfer's from_office
    RECEIVING = "receiving office"  # a transfer's to_office; a return's receiving office
    EITHER_END = "either end"  # a transfer's sending or receiving office


class Outcome(StrEnum):
    ALLOWED = "allowed"  # 2xx/3xx; a write may also answer 400/409 on its input
    NOT_FOUND = "not found"  # 404, the same as for a record that does not exist
    REFUSED = "refused"  # visible, but this write is not the viewer's: 400/403/409, no write
    LOGIN = "login"  # anonymous page visit: redirect to the login page
    UNAUTHORIZED = "unauthorized"  # anonymous API call: 401


@dataclass(frozen=True)
class Rule:
    """`see`: every one of these permissions at `at`, or the request is not found. `act`: one of
    these at `act_at` (default `at`), or the write is refused (`refusal`)."""

    see: tuple[str, ...]
    at: Where
    act: tuple[str, ...] = ()
    act_at: Where | None = None
    refusal: Outcome = Outcome.REFUSED
    note: str = ""

    def __post_init__(self) -> None:
        for perm in (*self.see, *self.act):
            if perm not in MATRIX:
                raise ValueError(f"unknown permission {perm!r}")
        if not self.see and self.at not in {Where.PUBLIC, Where.SIGNED_IN}:
            raise ValueError("a rule bound to an office needs a permission")
        if self.refusal not in {Outcome.REFUSED, Outcome.NOT_FOUND}:
            raise ValueError("a write is refused or not found")

    @property
    def label(self) -> str:
        """How docs/access-control.md states the rule."""
        if not self.see:
            return self.at.value
        text = " and ".join(f"`{perm}`" for perm in self.see) + f" ({self.at.value})"
        if self.act:
            acts = " or ".join(f"`{perm}`" for perm in self.act)
            text += f"; to act {acts} ({(self.act_at or self.at).value})"
            if self.refusal is Outcome.NOT_FOUND:
                text += ", else not found"
        return text


def _perms(perms: str | tuple[str, ...]) -> tuple[str, ...]:
    return (perms,) if isinstance(perms, str) else perms


def public(note: str = "") -> Rule:
    return Rule((), Where.PUBLIC, note=note)


def signed_in(note: str = "") -> Rule:
    return Rule((), Where.SIGNED_IN, note=note)


def read(perm: str | tuple[str, ...], at: Where = Where.RECORD, note: str = "") -> Rule:
    return Rule(_perms(perm), at, note=note)


def write(  # the rule's fields, named at every call
    see: str | tuple[str, ...],
    at: Where,
    act: str | tuple[str, ...],
    act_at: Where | None = None,
    *,
    refusal: Outcome = Outcome.REFUSED,
    note: str = "",
) -> Rule:
    return Rule(_perms(see), at, _perms(act), act_at, refusal, note)


def outcome(rule: Rule, *, role: str | None, reaches: frozenset[Where], api: bool) -> Outcome:
    """What a persona gets: `role` held at one office, which covers the offices in `reaches`
    (None: anonymous)."""
    if rule.at is Where.PUBLIC:
        return Outcome.ALLOWED
    if role is None:
        return Outcome.UNAUTHORIZED if api else Outcome.LOGIN
    if not rule.see:
        return Outcome.ALLOWED

    def holds(perm: str, where: Where) -> bool:
        return role in MATRIX[perm] and (where is Where.ANYWHERE or where in reaches)

    if not all(holds(perm, rule.at) for perm in rule.see):
        return Outcome.NOT_FOUND
    if rule.act and not any(holds(perm, rule.act_at or rule.at) for perm in rule.act):
        return rule.refusal
    return Outcome.ALLOWED


P = Perm
W = Where
GET = "GET"
POST = "POST"
NOT_FOUND = Outcome.NOT_FOUND

CASE_PAGE = read(P.CASE_VIEW, note="each viewing is access-logged")
CASE_WORK = write(P.CASE_VIEW, W.RECORD, P.CASE_WORK)
CASE_APPROVAL = write(P.CASE_VIEW, W.RECORD, P.CASE_APPROVE)
RETURN_WORK = write(P.CASE_VIEW, W.RECORD, P.CASE_WORK, note="the return's case's office")
TRANSFER_PAGE = read(P.CASE_VIEW, W.EITHER_END, "the receiving office reads the summary only")
# Answering is the receiving office's, cancelling the sending office's: to the other end the
# transfer is not found for this action (its service checks the side before the permission).
TRANSFER_ANSWER = write(P.CASE_VIEW, W.RECEIVING, P.CASE_WORK, note="the sending end: not found")
TRANSFER_CANCEL = write(P.CASE_VIEW, W.SENDING, P.CASE_WORK, note="the receiving end: not found")

ROUTES: dict[str, dict[str, Rule]] = {
    # --- home, health, accounts -------------------------------------------------------------------
    "web:home": {GET: signed_in()},
    "web:health": {GET: public("liveness and database reachability only")},
    "accounts:login": {GET: public(), POST: public()},
    "accounts:logout": {POST: signed_in("also before the second factor")},
    "accounts:two_factor": {GET: signed_in(), POST: signed_in()},
    "accounts:password_change": {GET: signed_in(), POST: signed_in()},
    "accounts:user_list": {GET: read(P.USER_VIEW, W.ANYWHERE)},
    "accounts:user_create": {
        GET: read(P.USER_MANAGE, W.ANYWHERE),
        POST: read(P.USER_MANAGE, W.ANYWHERE, "the office chosen must be one of the user's"),
    },
    "accounts:user_detail": {
        GET: read(P.USER_VIEW, note="a user holding a role at an office in scope"),
        POST: write(P.USER_VIEW, W.RECORD, P.USER_MANAGE, note="grants a role"),
    },
    "accounts:user_reset_two_factor": {POST: write(P.USER_VIEW, W.RECORD, P.USER_MANAGE)},
    "accounts:user_set_active": {POST: write(P.USER_VIEW, W.RECORD, P.USER_MANAGE)},
    "accounts:membership_revoke": {POST: write(P.USER_VIEW, W.RECORD, P.USER_MANAGE)},
    # --- offices, audit ---------------------------------------------------------------------------
    "offices:office_list": {GET: read(P.OFFICE_VIEW, W.ANYWHERE)},
    "offices:office_create": {
        GET: read(P.OFFICE_MANAGE, W.HEADQUARTERS),
        POST: read(P.OFFICE_MANAGE, W.HEADQUARTERS),
    },
    "offices:office_detail": {GET: read(P.OFFICE_VIEW)},
    "offices:office_retention": {
        GET: read(P.OFFICE_MANAGE, note="the office's retention period"),
        POST: read(P.OFFICE_MANAGE, note="the office's retention period"),
    },
    "audit:event_list": {
        GET: read(P.AUDIT_VIEW, W.ANYWHERE, "office-less rows for headquarters only")
    },
    "audit:access_list": {GET: read(P.AUDIT_VIEW, W.ANYWHERE)},
    "audit:verify": {GET: read(P.AUDIT_VIEW, W.HEADQUARTERS, "the chain covers every office")},
    # --- cases ------------------------------------------------------------------------------------
    "cases:case_list": {GET: read(P.CASE_VIEW, W.ANYWHERE, "each page shown is access-logged")},
    "cases:case_register": {GET: read(P.CASE_WORK, W.ANYWHERE, "search before create")},
    "cases:person_register": {
        GET: read(P.CASE_WORK, W.ANYWHERE),
        POST: read(P.CASE_WORK, W.ANYWHERE, "at an office where the user holds it"),
    },
    "cases:case_open": {
        GET: read(P.CASE_WORK, note="a person registered at the office"),
        POST: read(P.CASE_WORK),
    },
    "cases:approvals": {GET: read(P.CASE_APPROVE, W.ANYWHERE)},
    "cases:case_detail": {GET: CASE_PAGE},
    "cases:case_print": {GET: CASE_PAGE},
    "cases:note_add": {POST: CASE_WORK},
    "cases:screening": {GET: CASE_PAGE, POST: CASE_WORK},
    "cases:determination": {GET: CASE_PAGE, POST: CASE_WORK},
    "cases:determination_approve": {POST: CASE_APPROVAL},
    "cases:determination_return": {POST: CASE_APPROVAL},
    "cases:consent": {GET: CASE_PAGE, POST: CASE_WORK},
    "cases:consent_withdraw": {POST: CASE_WORK},
    "cases:assistance": {GET: CASE_PAGE, POST: CASE_WORK},
    "cases:case_close": {
        GET: CASE_PAGE,
        POST: write(
            P.CASE_VIEW, W.RECORD, P.CASE_WORK, note="a caseworker's request waits for approval"
        ),
    },
    "cases:case_reopen": {POST: CASE_WORK},
    "cases:closure_approve": {POST: CASE_APPROVAL},
    "cases:closure_decline": {POST: CASE_APPROVAL},
    # --- screening in the field -------------------------------------------------------------------
    "screening:xlsform": {GET: read(P.CASE_WORK, W.ANYWHERE)},
    "screening:submissions": {
        GET: read(P.CASE_WORK, W.ANYWHERE),
        POST: read(P.CASE_WORK, W.ANYWHERE, "submissions only for cases in scope"),
    },
    # --- transfers and referrals ------------------------------------------------------------------
    "transfers:inbox": {
        GET: read(P.CASE_VIEW, W.ANYWHERE, "transfers from or to offices in scope")
    },
    "transfers:transfer_request": {GET: CASE_PAGE, POST: CASE_WORK},
    "transfers:referrals": {GET: CASE_PAGE, POST: CASE_WORK},
    "transfers:transfer_detail": {GET: TRANSFER_PAGE},
    "transfers:transfer_accept": {POST: TRANSFER_ANSWER},
    "transfers:transfer_reject": {POST: TRANSFER_ANSWER},
    "transfers:transfer_cancel": {POST: TRANSFER_CANCEL},
    # --- returns ----------------------------------------------------------------------------------
    "returns:case_returns": {GET: CASE_PAGE, POST: CASE_WORK},
    "returns:return_detail": {GET: CASE_PAGE, POST: RETURN_WORK},
    "returns:risk_record": {POST: RETURN_WORK},
    "returns:risk_approve": {POST: CASE_APPROVAL},
    "returns:risk_return": {POST: CASE_APPROVAL},
    "returns:return_schedule": {POST: RETURN_WORK},
    "returns:return_depart": {POST: RETURN_WORK},
    "returns:return_cancel": {POST: RETURN_WORK},
    "returns:arrivals": {GET: read(P.CASE_VIEW, W.ANYWHERE)},
    "returns:arrival": {
        GET: read(
            P.CASE_VIEW,
            W.RECEIVING,
            "the sending office when none; the return and transfer summary, never the case",
        ),
        POST: write(P.CASE_VIEW, W.RECEIVING, P.CASE_WORK),
    },
    "returns:reintegration": {GET: CASE_PAGE, POST: CASE_WORK},
    "returns:monitoring_visit": {POST: CASE_WORK},
    "returns:alerts": {GET: read(P.CASE_VIEW, W.ANYWHERE)},
    # --- retention: erasure on request, right of access ----------------------------------------
    "retention:erasure_list": {GET: read(P.CASE_VIEW, W.ANYWHERE)},
    "retention:erasure_new": {
        GET: read(P.CASE_WORK, note="the person's office"),
        POST: read(P.CASE_WORK, note="the person's office"),
    },
    "retention:erasure_detail": {GET: read(P.CASE_VIEW)},
    "retention:erasure_approve": {
        POST: write(P.CASE_VIEW, W.RECORD, P.CASE_APPROVE, note="not by who recorded it")
    },
    "retention:erasure_reject": {
        POST: write(P.CASE_VIEW, W.RECORD, P.CASE_APPROVE, note="not by who recorded it")
    },
    "retention:person_export": {
        GET: read(P.CASE_VIEW, note="right of access; each export is access-logged")
    },
    "returns:alert_resolve": {POST: CASE_APPROVAL},
    # --- duplicate review -------------------------------------------------------------------------
    "linkage:review_queue": {GET: read(P.LINKAGE_REVIEW, W.ANYWHERE, "ids and scores only")},
    "linkage:pair_detail": {
        GET: read(P.LINKAGE_REVIEW, note="both persons' offices; personal data with case.view")
    },
    "linkage:pair_decide": {POST: read(P.LINKAGE_REVIEW, note="both persons' offices")},
    "linkage:pair_undo": {POST: read(P.LINKAGE_REVIEW, note="both persons' offices")},
    # --- statistics -------------------------------------------------------------------------------
    "stats:dashboard": {GET: read(P.STATS_VIEW, W.ANYWHERE, "?office= outside scope: not found")},
    "stats:report": {GET: read(P.STATS_VIEW, W.ANYWHERE, "json, html, pdf, xlsx")},
    # --- projects and funds -----------------------------------------------------------------------
    "projects:project_list": {GET: read(P.PROJECT_VIEW, W.ANYWHERE)},
    "projects:project_create": {
        GET: read(P.PROJECT_MANAGE, W.ANYWHERE),
        POST: read(P.PROJECT_MANAGE, W.ANYWHERE, "at every office added"),
    },
    "projects:project_import": {
        GET: read(P.PROJECT_MANAGE, W.ANYWHERE),
        POST: read(P.PROJECT_MANAGE, W.ANYWHERE),
    },
    "projects:project_detail": {
        GET: read(P.PROJECT_VIEW, note="an office of the project"),
        POST: write(P.PROJECT_VIEW, W.RECORD, P.PROJECT_MANAGE, refusal=NOT_FOUND),
    },
    "projects:project_edit": {
        GET: read(P.PROJECT_MANAGE, note="one of the project's offices"),
        POST: read(P.PROJECT_MANAGE, note="every office added or removed"),
    },
    "projects:project_funding_remove": {
        POST: write(P.PROJECT_VIEW, W.RECORD, P.PROJECT_MANAGE),
    },
    "projects:donor_list": {
        GET: read(P.PROJECT_VIEW, W.ANYWHERE),
        POST: write(P.PROJECT_VIEW, W.ANYWHERE, P.PROJECT_MANAGE, refusal=NOT_FOUND),
    },
    "projects:fund_list": {GET: read(P.PROJECT_VIEW, W.ANYWHERE, "global funds for everyone")},
    "projects:fund_create": {
        GET: read(P.PROJECT_MANAGE, W.ANYWHERE),
        POST: read(P.PROJECT_MANAGE, W.ANYWHERE, "each office of the fund; global: headquarters"),
    },
    "projects:fund_detail": {
        GET: read(P.PROJECT_VIEW, note="a fund's offices; a global fund for everyone with it")
    },
    "projects:fund_charge": {
        GET: write(
            (P.PROJECT_VIEW, P.CASE_VIEW),
            W.RECORD,
            (P.CASE_WORK, P.PROJECT_MANAGE),
            refusal=NOT_FOUND,
            note="the case by reference: another office's case is a missing reference",
        ),
        POST: write(
            (P.PROJECT_VIEW, P.CASE_VIEW),
            W.RECORD,
            (P.CASE_WORK, P.PROJECT_MANAGE),
            refusal=NOT_FOUND,
        ),
    },
    # --- imports ----------------------------------------------------------------------------------
    "interop:import_start": {
        GET: read(P.DATA_IMPORT, W.ANYWHERE),
        POST: read(P.DATA_IMPORT, W.ANYWHERE, "into an office where the user holds it"),
    },
    "interop:import_confirm": {POST: read(P.DATA_IMPORT, W.ANYWHERE, "the upload in the session")},
    "interop:aggregates": {
        GET: read(P.DATA_IMPORT, W.ANYWHERE),
        POST: read(P.DATA_IMPORT, W.ANYWHERE),
    },
    "interop:aggregate_template": {GET: read(P.DATA_IMPORT, W.ANYWHERE)},
    # --- research releases ------------------------------------------------------------------------
    "research:release_list": {GET: read(P.RESEARCH_DOWNLOAD, W.ANYWHERE)},
    "research:release_create": {POST: read(P.RESEARCH_RELEASE, W.ANYWHERE, "covers their scope")},
    "research:release_detail": {GET: read(P.RESEARCH_DOWNLOAD, note="every office of the release")},
    "research:release_download": {
        GET: read(P.RESEARCH_DOWNLOAD, note="every office of the release; access-logged")
    },
    "research:release_utility": {GET: read(P.RESEARCH_RELEASE, note="internal utility report")},
    # --- API: /api/v1/ (token authentication; anonymous requests get 401) -------------------------
    "api:schema": {GET: public("describes the API, holds no data")},
    "api:docs": {GET: public()},
    "api:case_list": {
        GET: read(P.CASE_VIEW, W.ANYWHERE),
        POST: read(P.CASE_WORK, W.ANYWHERE, "at the office named in the body"),
    },
    "api:case_detail": {GET: CASE_PAGE},
    "api:consent_create": {POST: CASE_WORK},
    "api:consent_withdraw": {POST: CASE_WORK},
    "api:note_create": {POST: CASE_WORK},
    "api:screening_save": {POST: CASE_WORK},
    "api:determination_suggestion": {GET: read(P.CASE_VIEW)},
    "api:determination_create": {POST: CASE_WORK},
    "api:determination_approve": {POST: CASE_APPROVAL},
    "api:determination_return": {POST: CASE_APPROVAL},
    "api:assistance_create": {POST: CASE_WORK},
    "api:case_close": {POST: CASE_WORK},
    "api:case_reopen": {POST: CASE_WORK},
    "api:transfer_request": {POST: CASE_WORK},
    "api:referral_create": {POST: CASE_WORK},
    "api:transfer_list": {GET: read(P.CASE_VIEW, W.ANYWHERE)},
    "api:transfer_detail": {GET: TRANSFER_PAGE},
    "api:transfer_accept": {POST: TRANSFER_ANSWER},
    "api:transfer_reject": {POST: TRANSFER_ANSWER},
    "api:transfer_cancel": {POST: TRANSFER_CANCEL},
    "api:return_create": {POST: CASE_WORK},
    "api:return_detail": {GET: read(P.CASE_VIEW)},
    "api:return_update": {POST: RETURN_WORK},
    "api:risk_create": {POST: RETURN_WORK},
    "api:risk_approve": {POST: CASE_APPROVAL},
    "api:return_schedule": {POST: RETURN_WORK},
    "api:return_depart": {POST: RETURN_WORK},
    "api:return_cancel": {POST: RETURN_WORK},
    "api:return_arrival": {
        POST: write(
            P.CASE_VIEW,
            W.EITHER_END,
            P.CASE_WORK,
            W.RECEIVING,
            note="addressed by the return's id; the sending office is refused, not 'not found'",
        )
    },
    "api:monitoring_create": {POST: CASE_WORK},
    "api:reintegration_save": {POST: CASE_WORK},
    "api:xlsform": {GET: read(P.CASE_WORK, W.ANYWHERE)},
    "api:submissions_import": {POST: read(P.CASE_WORK, W.ANYWHERE)},
    "api:report": {GET: read(P.STATS_VIEW, W.ANYWHERE)},
    "api:case_import": {POST: read(P.DATA_IMPORT, W.ANYWHERE, "into an office in scope")},
}


def _paths() -> dict[str, str]:
    from django.urls import URLPattern, URLResolver, get_resolver

    found: dict[str, str] = {}

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern, prefix + str(pattern.pattern), pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                found[f"{namespace}:{pattern.name}"] = "/" + prefix + str(pattern.pattern)

    walk(get_resolver(), "", "")
    return found


def pages_table() -> str:
    """The table of docs/access-control.md between its `routes` markers, generated from ROUTES:
    `python -m safepassage.access.routes` prints it."""
    paths = _paths()
    lines = [
        "| route | path | method | permission (office it must cover) | note |",
        "|---|---|---|---|---|",
    ]
    for name in sorted(ROUTES):
        for method, rule in ROUTES[name].items():
            path = paths.get(name, "?").replace("<int:", "<").replace("<str:", "<")
            lines.append(f"| `{name}` | `{path}` | {method} | {rule.label} | {rule.note} |")
    return "\n".join(lines)


if __name__ == "__main__":
    import django

    django.setup()
    print(pages_table())  # noqa: T201  # the command's output
