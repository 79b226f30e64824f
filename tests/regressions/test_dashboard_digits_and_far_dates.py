"""``GET /loket/?page=²`` gave a 500 (``str.isdigit()`` takes "²", "³", "①"; ``int()``
does not), and so did the monitoring page and its CSV for a period ending on 9999-12-31
(the day after it does not exist). Both are answered as the bad input they are."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.support.web_harness import PASSWORD, add_web_staff, post_login, web_service

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("page", ["²", "³", "①", "٣", "１", "9" * 5000, "-1", "0", "1e9"])
async def test_a_page_number_in_other_digits_shows_the_first_page(
    tmp_path: Path, page: str
) -> None:
    async with web_service(tmp_path, run_outbox=False) as svc:
        await add_web_staff(svc.app, "anna")
        async with httpx.AsyncClient(base_url=svc.base_url) as browser:
            assert (await post_login(browser, "anna", PASSWORD, "/loket/")).status_code == 303
            listed = await browser.get("/loket/", params={"page": page, "postcode": "²³⁴⁵"})
            assert listed.status_code == 200


@pytest.mark.parametrize(
    ("first", "last"),
    [("9999-12-31", "9999-12-31"), ("2026-01-01", "9999-12-31"), ("31-12-9999", "31-12-9999")],
)
async def test_a_period_at_the_end_of_the_calendar_is_refused_kindly(
    tmp_path: Path, first: str, last: str
) -> None:
    async with web_service(tmp_path, run_outbox=False) as svc:
        await add_web_staff(svc.app, "rita", role="regisseur")
        async with httpx.AsyncClient(base_url=svc.base_url) as browser:
            assert (await post_login(browser, "rita", PASSWORD, "/loket/")).status_code == 303
            period = {"from": first, "to": last}
            page = await browser.get("/loket/monitoring", params=period)
            assert page.status_code == 400
            assert "binnen een jaar na vandaag" in page.text
            assert first in page.text  # what was typed stays in the form
            csv = await browser.get("/loket/monitoring/partner.csv", params=period)
            assert csv.status_code == 400
