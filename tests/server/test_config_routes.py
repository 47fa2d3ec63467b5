"""/api/config: the ingest URLs come from settings, never from the request's Host header."""

from __future__ import annotations

from server.public_urls import ingest_http_url, ingest_ws_url


async def test_host_header_does_not_choose_where_phones_send_positions(client, settings):
    r = await client.get("/api/config", headers={"Host": "evil.example"})
    assert r.status_code == 200
    cfg = r.json()
    assert "evil" not in cfg["ingest_ws_url"] and "evil" not in cfg["ingest_http_url"]
    assert cfg["ingest_ws_url"] == ingest_ws_url(settings)


def test_urls_from_settings(settings):
    lan = settings.model_copy(update={"public_host": "192.168.1.20", "ingest_port": 8101, "ingest_public_url": None})
    assert ingest_ws_url(lan) == "ws://192.168.1.20:8101/ws/pings"
    assert ingest_http_url(lan) == "http://192.168.1.20:8101"
    tls = settings.model_copy(update={"ingest_public_url": "wss://ingest.example.org/ws/pings"})
    assert ingest_ws_url(tls) == "wss://ingest.example.org/ws/pings"
    assert ingest_http_url(tls) == "https://ingest.example.org"
    anywhere = settings.model_copy(update={"ingest_host": "0.0.0.0", "public_host": None, "ingest_public_url": None})
    assert ingest_ws_url(anywhere).startswith("ws://127.0.0.1:")
