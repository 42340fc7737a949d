"""The office retention period: set by an administrator, audited, shown on the office page."""

from __future__ import annotations

import pytest
from django.test import override_settings

from safepassage.audit.models import AuditEvent
from safepassage.offices.models import Office

pytestmark = pytest.mark.django_db


def test_an_administrator_sets_the_period(world, login):
    client = login(world.user("A", "admin"))
    url = f"/offices/{world.office_a.pk}/retention/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"retention_years": "7"}).status_code == 302
    assert Office.objects.get(pk=world.office_a.pk).retention_years == 7
    event = AuditEvent.objects.get(event_type="office.retention_changed")
    assert event.changed_fields == ["retention_years"]
    assert "7 years after closure" in client.get(f"/offices/{world.office_a.pk}/").content.decode()
    # Blank returns to the organisation default.
    client.post(url, {"retention_years": ""})
    assert Office.objects.get(pk=world.office_a.pk).retention_years is None


def test_out_of_range_is_refused(world, login):
    client = login(world.user("A", "admin"))
    response = client.post(f"/offices/{world.office_a.pk}/retention/", {"retention_years": "0"})
    assert response.status_code == 200
    assert Office.objects.get(pk=world.office_a.pk).retention_years is None


@override_settings(SAFEPASSAGE_RETENTION_YEARS=12)
def test_the_default_applies_when_the_office_sets_none(world):
    assert world.office_a.effective_retention_years == 12
    world.office_a.retention_years = 3
    assert world.office_a.effective_retention_years == 3


@pytest.mark.parametrize(
    "persona", [("A", "supervisor"), ("A", "caseworker"), ("A", "auditor"), ("B", "admin")]
)
def test_others_cannot_change_it(world, login, persona):
    client = login(world.user(*persona))
    url = f"/offices/{world.office_a.pk}/retention/"
    assert client.post(url, {"retention_years": "2"}).status_code == 404
    assert Office.objects.get(pk=world.office_a.pk).retention_years is None
