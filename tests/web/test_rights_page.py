"""HQ's people and rights page on a fresh campaign: an admin makes an invite link (with its QR
code), sees the contacts and who consented, replaces the topics from a CSV, and sees the audit
trail of those reads."""

from __future__ import annotations

import pytest

from server.consent.texts import current_version
from tests.conftest import add_user, agree_to_location, bearer, set_vocabulary

pytestmark = pytest.mark.browser


async def test_rights_page(live_server, browser, pool, campaign, client, tmp_path):
    slug = campaign["slug"]
    admin, vol = await add_user(pool, slug, "admin", "Admin"), await add_user(pool, slug, "volunteer", "Ada")
    await set_vocabulary(pool, campaign["id"])
    await agree_to_location(pool, slug, vol["login"])
    r = await client.post(
        f"/api/campaigns/{slug}/contacts",
        headers=bearer(vol["token"]),
        json={
            "name": "Zoé",
            "email": "zoe@example.org",
            "topics": ["sante"],
            "consent": {"version": current_version("contact"), "lang": "fr", "agreed": True},
        },
    )
    assert r.status_code == 201
    page = await browser.new_page(locale="en-GB")
    try:
        await page.goto(f"{live_server}/rights?campaign={slug}#token={admin['token']}")
        await page.wait_for_selector("#contact-list td", timeout=15_000)
        assert "Zoé" in await page.inner_text("#contact-list")
        assert "Ada" in await page.inner_text("#consent-list") and current_version("location") in await page.inner_text(
            "#consent-list"
        )
        await page.click("#invite-form button[type=submit]")
        await page.wait_for_selector("#inv-qr svg", timeout=10_000)
        assert "/volunteer?invite=" in await page.inner_text("#inv-url")
        # the list is read again after the QR shows: wait for it, not for the QR alone
        await page.wait_for_function(
            "document.getElementById('inv-list').textContent.includes('unused')", timeout=10_000
        )
        csv = tmp_path / "tags.csv"
        csv.write_text("tag,label_fr,label_en\nparcs,Parcs,Parks\n", encoding="utf-8")
        await page.set_input_files("#tags-file", str(csv))
        await page.wait_for_function(
            "document.getElementById('tag-list').textContent.includes('Parks')", timeout=10_000
        )
        assert "logement" not in await page.inner_text("#tag-list")
        await page.reload()
        await page.wait_for_selector("#audit-list td", timeout=15_000)
        assert "contacts" in await page.inner_text("#audit-list")  # the page's own reads are audited
    finally:
        await page.close()
