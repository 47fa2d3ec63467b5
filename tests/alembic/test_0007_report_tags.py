"""Migration 0007: tour reports' stored free-text tags are dropped (the vocabulary is closed from
now on), with the count in the migration's log; the reports themselves and their counts stay."""

from __future__ import annotations

import logging

import asyncpg

from server.cli import main as cli_main


async def test_free_text_report_tags_are_migrated_out_with_a_count(caplog, scratch_db):
    assert cli_main(["db", "upgrade", "0005"]) == 0
    c = await asyncpg.connect(scratch_db)
    cid = await c.fetchval("INSERT INTO campaigns (slug, name) VALUES ('m', 'M') RETURNING id")
    uid = await c.fetchval("INSERT INTO users (login, name, token_hash) VALUES ('u', 'U', '\\x00') RETURNING id")
    for tags in (["resident at no 12 refused", "logement"], ["transports"], []):
        await c.execute(
            "INSERT INTO tour_reports (campaign_id, user_id, doors_knocked, doors_opened, contacts, "
            "tags) VALUES ($1, $2, 10, 4, 1, $3)",
            cid,
            uid,
            tags,
        )
    caplog.set_level(logging.INFO, logger="alembic.runtime.migration")
    assert cli_main(["db", "upgrade"]) == 0
    assert "tour_reports: 3 free-text tag values dropped from 2 reports" in caplog.text
    rows = await c.fetch("SELECT tags, doors_knocked FROM tour_reports ORDER BY id")
    assert [(list(r["tags"]), r["doors_knocked"]) for r in rows] == [([], 10)] * 3
    await c.close()
