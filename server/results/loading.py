"""Writing one election's results per polling station: all or nothing, replacing that election."""

from __future__ import annotations

from dataclasses import dataclass, field

import asyncpg

from server.errors import InvalidInput
from server.results.csv_reader import ResultFile
from server.sql import sql


@dataclass
class ResultsImportReport:
    election: str
    imported: int
    replaced: int
    derived: list[str]
    unknown_codes: list[dict] = field(default_factory=list)
    stations_without_results: list[str] = field(default_factory=list)
    totals: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return self.__dict__.copy()


async def import_results(
    conn: asyncpg.Connection,
    campaign_id: int,
    election: str,
    result_file: ResultFile,
    skip_unknown: bool = False,
) -> ResultsImportReport:
    stations = {r["code"] for r in await conn.fetch(sql("results/station_codes"), campaign_id)}
    if not stations:
        raise InvalidInput(
            "this campaign has no polling stations yet: import that layer first "
            "(quadriller areas import … --level polling_station)"
        )
    unknown = [{"line": r.line, "code": r.code} for r in result_file.rows if r.code not in stations]
    if unknown and not skip_unknown:
        shown = ", ".join(f"{u['code']!r} (line {u['line']})" for u in unknown[:20])
        more = f" and {len(unknown) - 20} more" if len(unknown) > 20 else ""
        raise InvalidInput(
            f"{len(unknown)} rows match no polling station: {shown}{more}. Nothing was imported; "
            "fix the codes or pass --skip-unknown to import the others.",
            unknown_codes=unknown,
        )
    rows = [r for r in result_file.rows if r.code in stations]
    async with conn.transaction():
        status = await conn.execute(sql("results/delete_election"), campaign_id, election)
        await conn.execute(
            sql("results/insert_many"),
            campaign_id,
            election,
            result_file.derived,
            [r.code for r in rows],
            [r.registered for r in rows],
            [r.voters for r in rows],
            [r.abstentions for r in rows],
            [r.valid_votes for r in rows],
            [r.lists for r in rows],
        )
        totals = await conn.fetchrow(sql("results/totals"), campaign_id, election)
    covered = {r.code for r in rows}
    return ResultsImportReport(
        election=election,
        imported=len(rows),
        replaced=int(status.split()[-1]),
        derived=list(result_file.derived),
        unknown_codes=unknown,
        stations_without_results=sorted(stations - covered),
        totals=dict(totals),
    )
