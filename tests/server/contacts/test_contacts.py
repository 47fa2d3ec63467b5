"""Contacts: stored only with the consent box ticked and closed tags, seen by HQ (filtered and as
CSV) and by the volunteer who added them only, every read audited."""

from __future__ import annotations

import csv
import io
import uuid

import pytest

from server.consent.texts import current_version
from server.contacts.export import contacts_csv
from server.contacts.schemas import Contact
from tests.conftest import add_user, bearer, set_vocabulary
from tests.helpers.doors import station_doors

CONSENT = {"version": current_version("contact"), "lang": "fr", "agreed": True}


def contact(name: str, **more) -> dict:
    return {
        "name": name,
        "phone": "06 12 34 56 78",
        "topics": ["logement"],
        "support": 4,
        "consent": CONSENT,
        "client_id": str(uuid.uuid4()),
        **more,
    }


async def audit_rows(pool, campaign_id: int) -> list[dict]:
    async with pool.acquire() as c:
        return [
            dict(r) for r in await c.fetch("SELECT * FROM audit_log WHERE campaign_id = $1 ORDER BY id", campaign_id)
        ]


async def test_contacts_are_added_listed_filtered_and_exported(client, pool, paris):
    slug = paris["slug"]
    await set_vocabulary(pool, paris["id"])
    ada, bo = await add_user(pool, slug, "volunteer", "Ada"), await add_user(pool, slug, "volunteer", "Bo")
    hq = await add_user(pool, slug, "coordinator", "HQ")
    (st,) = await station_doors(pool, paris["id"])
    body = contact('=HYPERLINK("x")', address=st["doors"][0], topics=["logement", "transports"])
    r = await client.post(f"/api/campaigns/{slug}/contacts", json=body, headers=bearer(ada["token"]))
    assert r.status_code == 201, r.text
    added = r.json()["contact"]
    assert (added["station"], added["topics"], added["support"], added["consent_version"]) == (
        st["code"],
        ["logement", "transports"],
        4,
        CONSENT["version"],
    )
    again = await client.post(f"/api/campaigns/{slug}/contacts", json=body, headers=bearer(ada["token"]))
    assert again.status_code == 200 and again.json()["contact"]["id"] == added["id"]  # an outbox resend
    r = await client.post(
        f"/api/campaigns/{slug}/contacts",
        json=contact("Bob", email="Bob@Example.org", phone=None, topics=["sante"]),
        headers=bearer(bo["token"]),
    )
    assert r.status_code == 201 and r.json()["contact"]["email"] == "bob@example.org"

    before = len(await audit_rows(pool, paris["id"]))
    mine = (await client.get(f"/api/campaigns/{slug}/contacts", headers=bearer(bo["token"]))).json()["contacts"]
    assert [c["name"] for c in mine] == ["Bob"]  # a volunteer sees only the contacts they added
    h = bearer(hq["token"])
    by_tag = (await client.get(f"/api/campaigns/{slug}/contacts", params={"tag": "transports"}, headers=h)).json()
    assert added["id"] in [c["id"] for c in by_tag["contacts"]] and all(
        "transports" in c["topics"] for c in by_tag["contacts"]
    )
    by_station = (await client.get(f"/api/campaigns/{slug}/contacts", params={"station": st["code"]}, headers=h)).json()
    assert [c["id"] for c in by_station["contacts"]] == [added["id"]]
    r = await client.get(f"/api/campaigns/{slug}/contacts/export.csv", params={"station": st["code"]}, headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 1 and rows[0]["topics"] == "logement transports"
    assert rows[0]["name"] == '\'=HYPERLINK("x")'  # no formula runs in HQ's spreadsheet
    assert (
        await client.get(f"/api/campaigns/{slug}/contacts/export.csv", headers=bearer(bo["token"]))
    ).status_code == 403

    audited = (await audit_rows(pool, paris["id"]))[before:]
    assert [(a["action"], a["login"]) for a in audited] == [
        ("contacts", bo["login"]),
        ("contacts", hq["login"]),
        ("contacts", hq["login"]),
        ("contacts_export", hq["login"]),
    ]  # one row per read, none for the refused export
    assert audited[1]["scope"]["tag"] == "transports" and audited[3]["scope"]["rows"] == 1


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"consent": {**CONSENT, "agreed": False}}, "consent box was not ticked"),
        ({"consent": None}, "consent"),
        ({"consent": {**CONSENT, "version": "made-up"}}, "not a contact consent text"),
        ({"topics": ["resident at no 12 refused"]}, "tag 'resident at no 12 refused'"),
        ({"note": "votes for X"}, "note"),
        ({"phone": None}, "give a phone number or an e-mail address"),
        ({"phone": "call me maybe"}, "phone"),
        ({"support": 6}, "support"),
    ],
)
async def test_contacts_without_consent_or_with_free_text_are_refused(client, pool, paris, change, reason):
    await set_vocabulary(pool, paris["id"])
    ada = await add_user(pool, paris["slug"], "volunteer", "Ada")
    r = await client.post(
        f"/api/campaigns/{paris['slug']}/contacts", json={**contact("Cleo"), **change}, headers=bearer(ada["token"])
    )
    assert r.status_code == 422, r.text
    assert reason in r.json()["detail"]
    async with pool.acquire() as c:
        assert (
            await c.fetchval(
                "SELECT count(*) FROM contacts c JOIN users u ON u.id = c.added_by WHERE u.login = $1", ada["login"]
            )
            == 0
        )


def test_csv_cells_that_spreadsheets_would_run_are_quoted():
    import datetime as dt

    now = dt.datetime(2026, 12, 6, tzinfo=dt.timezone.utc)
    c = Contact(
        id=1,
        name="-1+1",
        phone="+33 6",
        email=None,
        topics=[],
        support=None,
        station=None,
        added_by=None,
        consent_version="v",
        consent_lang="fr",
        consented_at=now,
        created_at=now,
        last_contact_at=now,
    )
    row = list(csv.DictReader(io.StringIO(contacts_csv([c]))))[0]
    assert row["name"] == "'-1+1" and row["phone"] == "'+33 6" and row["created_at"] == now.isoformat()
