"""Issue 10's duplicate review in a real browser: a data manager of office A opens a pair that
record linkage sent to review (one person registered with the Cyrillic name, one with another
transliteration), compares the two side by side, marks them as the same person, and undoes it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from safepassage.audit.models import AccessEvent
from safepassage.cases.tests.factories import make_case
from safepassage.conftest import PASSWORD, World
from safepassage.linkage.models import CandidatePair, PairStatus, PersonCluster
from safepassage.linkage.tests.test_views import _pair as review_pair
from safepassage.web.tests.browser.helpers import log_in, screenshot
from safepassage.web.tests.browser.walks import accept_confirmations, expect_flash

pytestmark = pytest.mark.browser


def transliteration_pair(world: World) -> CandidatePair:
    """Two office A persons, as linkage's own view tests set them up: Oleksandr Kovalenko
    (Олександр Коваленко) and Oleksandr Kowalenko, born the same day."""
    cw = world.user("A", "caseworker")
    first = make_case(
        world.office_a, cw, given_names_original="Олександр", family_names_original="Коваленко"
    )
    second = make_case(world.office_a, cw, given="Oleksandr", family="Kowalenko")
    return review_pair(first, second, probability=0.83)


def individuals(pair: CandidatePair) -> set[int]:
    return set(
        PersonCluster.objects.filter(
            person_id__in=[pair.person_a_id, pair.person_b_id]
        ).values_list("individual_id", flat=True)
    )


def test_data_manager_accepts_a_pair_then_undoes_it(
    page: Page, live_server: LiveServer, world: World
) -> None:
    accept_confirmations(page)
    pair = transliteration_pair(world)
    dm = world.user("A", "data_manager")
    log_in(page, live_server.url, dm, PASSWORD)

    # the queue lists the pair by id and offices only
    page.get_by_role("link", name="Duplicate review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Duplicate review")
    waiting = page.locator("section.card").filter(
        has=page.get_by_role("heading", name=re.compile(r"^Waiting for review"))
    )
    expect(waiting.locator(".badge")).to_have_text("1")
    queued = waiting.locator("tbody tr")
    expect(queued).to_have_count(1)
    expect(queued).to_contain_text("UA-KYIV / UA-KYIV")
    expect(queued).to_contain_text("0.830")
    expect(page.get_by_role("main")).not_to_contain_text("Kowalenko")
    screenshot(page, "duplicate-review-01-queue")

    # side by side: both persons with their names, Cyrillic included
    queued.get_by_role("link", name=f"Pair {pair.pk}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Pair {pair.pk}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Waiting for review")
    sides = page.locator(".grid2 section.card")
    expect(sides).to_have_count(2)
    expect(sides.nth(0)).to_contain_text(f"Person {pair.person_a_id} at UA-KYIV")
    expect(sides.nth(0)).to_contain_text("Kovalenko")
    expect(sides.nth(0)).to_contain_text("Олександр")
    expect(sides.nth(0)).to_contain_text("Коваленко")
    expect(sides.nth(1)).to_contain_text(f"Person {pair.person_b_id} at UA-KYIV")
    expect(sides.nth(1)).to_contain_text("Kowalenko")
    for side in (sides.nth(0), sides.nth(1)):
        expect(side).to_contain_text("Oleksandr")
        expect(side).to_contain_text("1990-05-17")
    expect(page.get_by_text("Confidential: this view is recorded")).to_be_visible()
    screenshot(page, "duplicate-review-02-side-by-side")
    assert AccessEvent.objects.filter(
        actor=dm, target_type="linkage.candidatepair", target_id=str(pair.pk)
    ).exists()
    assert len(individuals(pair)) == 2

    # "same person": the only pair, so back to the queue with the confirmation
    page.get_by_role("button", name="Same person", exact=True).click()
    expect_flash(page, "Marked as the same person; the individuals were merged.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Duplicate review")
    expect(waiting.locator(".badge")).to_have_text("0")
    expect(waiting).to_contain_text("Nothing waiting.")
    decided = page.locator("section.card").filter(
        has=page.get_by_role("heading", name="Latest decisions")
    )
    expect(decided.locator("tbody tr").first).to_contain_text(f"Pair {pair.pk}")
    expect(decided.locator("tbody tr").first).to_contain_text("Same person")
    expect(decided.locator("tbody tr").first).to_contain_text("a_data_manager")
    screenshot(page, "duplicate-review-03-accepted")
    pair.refresh_from_db()
    assert (pair.status, pair.decided_by) == (PairStatus.ACCEPTED, dm)
    assert len(individuals(pair)) == 1

    # the pair page shows the decision and offers to undo it (after a confirmation)
    decided.get_by_role("link", name=f"Pair {pair.pk}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Same person")
    expect(page.get_by_role("main")).to_contain_text("Decided by a_data_manager")
    expect(page.get_by_role("button", name="Same person")).to_have_count(0)
    page.get_by_role("button", name="Undo").click()
    expect_flash(page, "Decision undone; the pair is back in the queue.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Waiting for review")
    expect(page.get_by_role("button", name="Same person", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Undo")).to_have_count(0)
    expect(page.get_by_role("main")).not_to_contain_text("Decided by")
    screenshot(page, "duplicate-review-04-undone")
    pair.refresh_from_db()
    assert pair.status == PairStatus.PENDING
    assert len(individuals(pair)) == 2
