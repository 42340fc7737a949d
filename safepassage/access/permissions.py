"""Roles, permissions and the permission matrix: the single source of who may do what.

docs/access-control.md states the same matrix for people; a test proves the two agree.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Supervisor")
    DATA_MANAGER = "data_manager", _("Data manager")
    RESEARCHER = "researcher", _("Researcher")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


class Perm(models.TextChoices):
    OFFICE_VIEW = "office.view", _("See offices in scope")
    OFFICE_MANAGE = "office.manage", _("Create and change offices")
    USER_VIEW = "user.view", _("See users and memberships in scope")
    USER_MANAGE = "user.manage", _("Create users, grant and revoke roles, reset two-factor")
    AUDIT_VIEW = "audit.view", _("Read the audit and access logs")
    CASE_VIEW = "case.view", _("See cases (personal data included)")
    CASE_WORK = "case.work", _("Open cases, screen, record consent, determinations and assistance")
    CASE_APPROVE = "case.approve", _("Approve determinations, returns and closures")
    DATA_IMPORT = "data.import", _("Import cases and aggregate submissions")
    DATA_EXPORT_PERSONAL = "data.export_personal", _("Export data with identifiers")
    LINKAGE_REVIEW = "linkage.review", _("Review duplicate candidates")
    STATS_VIEW = "stats.view", _("See aggregate statistics and reports")
    RESEARCH_RELEASE = "research.release", _("Create anonymised research releases")
    RESEARCH_DOWNLOAD = "research.download", _("Download anonymised research releases")
    PROJECT_VIEW = "project.view", _("See projects, donors and funds")
    PROJECT_MANAGE = "project.manage", _("Manage projects and funds, import projects, charge funds")


R = Role
MATRIX: dict[str, frozenset[str]] = {
    Perm.OFFICE_VIEW: frozenset(R.values),
    Perm.OFFICE_MANAGE: frozenset({R.ADMIN}),
    Perm.USER_VIEW: frozenset({R.ADMIN, R.AUDITOR, R.SUPERVISOR}),
    Perm.USER_MANAGE: frozenset({R.ADMIN}),
    Perm.AUDIT_VIEW: frozenset({R.AUDITOR}),
    Perm.CASE_VIEW: frozenset({R.CASEWORKER, R.SUPERVISOR, R.DATA_MANAGER}),
    Perm.CASE_WORK: frozenset({R.CASEWORKER, R.SUPERVISOR}),
    Perm.CASE_APPROVE: frozenset({R.SUPERVISOR}),
    Perm.DATA_IMPORT: frozenset({R.DATA_MANAGER}),
    Perm.DATA_EXPORT_PERSONAL: frozenset({R.DATA_MANAGER}),
    Perm.LINKAGE_REVIEW: frozenset({R.DATA_MANAGER}),
    Perm.STATS_VIEW: frozenset({R.CASEWORKER, R.SUPERVISOR, R.DATA_MANAGER, R.RESEARCHER}),
    Perm.RESEARCH_RELEASE: frozenset({R.DATA_MANAGER}),
    Perm.RESEARCH_DOWNLOAD: frozenset({R.DATA_MANAGER, R.RESEARCHER}),
    Perm.PROJECT_VIEW: frozenset({R.CASEWORKER, R.SUPERVISOR, R.DATA_MANAGER, R.ADMIN}),
    Perm.PROJECT_MANAGE: frozenset({R.DATA_MANAGER, R.ADMIN}),
}


def roles_with(perm: str) -> frozenset[str]:
    return MATRIX[perm]
