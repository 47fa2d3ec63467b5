"""Invites: a one-time link (CLI with its QR code, or HQ's API) creates the volunteer's account,
token and team on the phone, and then stops working; the answer carries the tracking apps' settings."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from server.auth.queries import user_by_device_token
from server.cli import main as cli_main
from server.invites.links import device_settings
from tests.conftest import add_user, bearer


def secret_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["invite"][0]


async def test_an_invite_from_the_cli_works_once(client, pool, campaign, capsys, tmp_path):
    slug = campaign["slug"]
    async with pool.acquire() as c:
        team = await c.fetchval(
            "INSERT INTO teams (campaign_id, name) VALUES ($1, 'Nord') RETURNING id", campaign["id"]
        )
    qr = tmp_path / "invite.png"
    code = await asyncio.to_thread(
        cli_main,
        ["invite", "--campaign", slug, "--team", "Nord", "--qr", str(qr), "--base-url", "https://hq.example.org/"],
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["url"].startswith("https://hq.example.org/volunteer?invite=")
    assert qr.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out["qr"] == str(qr.resolve())
    from PIL import Image

    assert Image.open(qr).size[0] > 100  # a real QR code image, not an empty file

    secret = secret_of(out["url"])
    answers = await asyncio.gather(
        *(client.post(f"/api/invites/{secret}/accept", json={"name": "Léa"}) for _ in range(3))
    )  # the link opened on two phones, a double tap
    assert sorted(a.status_code for a in answers) == [201, 404, 404]
    (ok,) = [a.json() for a in answers if a.status_code == 201]
    assert (ok["campaign"], ok["name"], ok["role"]) == (slug, "Léa", "volunteer")
    me = (await client.get("/api/me", headers=bearer(ok["token"]))).json()
    assert me["login"] == ok["login"] and me["campaigns"][0]["slug"] == slug
    async with pool.acquire() as c:
        assert (
            await c.fetchval(
                "SELECT count(*) FROM team_members tm JOIN users u ON u.id = tm.user_id "
                "WHERE u.login = $1 AND tm.team_id = $2",
                ok["login"],
                team,
            )
            == 1
        )
    # The apps get a device token of their own (positions only), never the API's access code.
    device = ok["devices"]["traccar"]["device_identifier"]
    assert ok["devices"]["owntracks"]["user"] == ok["login"] and device.startswith("qdd_") and device != ok["token"]
    assert ok["devices"]["owntracks"]["password"] == device
    assert (await client.get("/api/me", headers=bearer(device))).status_code == 401
    assert ok["devices_qr_svg"]["owntracks"].lstrip().startswith("<svg")
    again = await client.post(f"/api/invites/{secret}/accept", json={"name": "Other"})
    assert again.status_code == 404 and "already used" in again.json()["detail"]


@pytest.mark.parametrize(
    "argv, reason",
    [
        (["--team", "Nowhere"], "no team 'Nowhere'"),
        (["--qr", "invite.gif"], "a .png or .svg file"),
        (["--hours", "0"], "--hours 0"),
    ],
)
def test_bad_invites_are_refused_by_the_cli(database_url, capsys, argv, reason):
    import uuid

    slug = "inv-" + uuid.uuid4().hex[:8]
    assert cli_main(["campaign", "create", slug, "--name", "Invites"]) == 0
    capsys.readouterr()
    assert cli_main(["invite", "--campaign", slug, *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and reason in err


async def test_hq_invites_through_the_api(client, pool, campaign):
    slug = campaign["slug"]
    coord, vol = await add_user(pool, slug, "coordinator"), await add_user(pool, slug, "volunteer")
    url = f"/api/campaigns/{slug}/invites"
    assert (await client.post(url, json={}, headers=bearer(vol["token"]))).status_code == 403
    assert (await client.post(url, json={"role": "admin"}, headers=bearer(coord["token"]))).status_code == 403
    r = await client.post(url, json={"hours": 1}, headers=bearer(coord["token"]))
    assert r.status_code == 201 and r.json()["qr_svg"].lstrip().startswith("<svg")
    listed = (await client.get(url, headers=bearer(coord["token"]))).json()
    assert [(i["role"], i["used_at"]) for i in listed] == [("volunteer", None)]
    accepted = await client.post(f"/api/invites/{secret_of(r.json()['url'])}/accept", json={"name": "Max"})
    assert accepted.status_code == 201
    assert (await client.get(url, headers=bearer(coord["token"]))).json()[0]["used_by"] == "Max"
    assert (await client.post("/api/invites/not-a-real-secret-at-all/accept", json={"name": "X"})).status_code == 404


async def test_a_member_gets_new_app_settings_with_their_qr_codes(client, pool, campaign):
    """The phone page's "new device code": the same settings as an invite brings (text and QR
    codes) with a new device token; the previous one stops working; HQ's API refuses it."""
    slug = campaign["slug"]
    vol = await add_user(pool, slug, "volunteer", "Léa")
    url = f"/api/campaigns/{slug}/apps"
    r = await client.post(url, headers=bearer(vol["token"]))
    assert r.status_code == 201, r.text
    got = r.json()
    token = got["devices"]["traccar"]["device_identifier"]
    assert token.startswith("qdd_") and token not in (vol["token"], vol["device_token"])
    assert got["login"] == vol["login"] == got["devices"]["owntracks"]["user"] and got["campaign"] == slug
    assert got["devices"]["owntracks"]["password"] == token
    assert got["devices"]["owntracks"]["url"].endswith(f"/api/owntracks?campaign={slug}")
    assert all(got["devices_qr_svg"][app].lstrip().startswith("<svg") for app in ("owntracks", "traccar"))
    async with pool.acquire() as c:  # only the newest device token is held (hashed)
        assert await user_by_device_token(c, vol["device_token"]) is None
        assert (await user_by_device_token(c, token)) is not None
    assert (await client.get("/api/me", headers=bearer(token))).status_code == 401
    assert (await client.post(url)).status_code == 401
    assert (await client.post(f"/api/campaigns/not-{slug}/apps", headers=bearer(vol["token"]))).status_code == 404


def test_device_settings_follow_the_ingest_url():
    s = device_settings("https://ingest.example.org", "paris", "lea-1a2b3c", "qd_tok")
    assert s["owntracks"]["url"] == "https://ingest.example.org/api/owntracks?campaign=paris"
    assert s["traccar"] == {
        "server_url": "https://ingest.example.org/api/osmand?campaign=paris",
        "device_identifier": "qd_tok",
    }
    assert device_settings("http://10.0.0.2:8001", "x", "l", "t")["owntracks"]["url"].startswith(
        "http://10.0.0.2:8001/"
    )
