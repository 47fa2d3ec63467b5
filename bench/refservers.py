"""Reference servers for the ingest benchmark, on the same stack as the ingest service
(FastAPI websocket under uvicorn, ws="websockets-sansio"), so that the comparison is like for like:

- `bare`: parses each frame and acknowledges its seqs at once. Nothing is stored: this is the
  ceiling of the web stack, what no real ingest can beat.
- `naive`: one INSERT per ping (asyncpg, autocommit), ack after the insert: what a first
  implementation would do. Writes to its own table, `bench_naive_pings`.

Both speak the ingest protocol (auth → ready, ping/pings → ack):

    python -m bench.refservers bare --port 9101
    python -m bench.refservers naive --port 9102 --database-url postgresql://…
    python -m bench.refservers bare --port 9101 --workers 2     # like `quadriller ingest --workers 2`

With --workers N, N processes share the port through SO_REUSEPORT, exactly as the ingest
service does (ingest/workers.py), so that ratios compare like with like.
"""

from __future__ import annotations

import argparse
import resource

import orjson
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

PATH = "/ws/pings"
NAIVE_TABLE = "bench_naive_pings"
NAIVE_DDL = f"""
CREATE TABLE IF NOT EXISTS {NAIVE_TABLE} (
    volunteer_id bigint NOT NULL,
    seq          bigint NOT NULL,
    ts           timestamptz NOT NULL,
    acc          real,
    geom         geometry(Point, 4326) NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (volunteer_id, seq)
)
"""
NAIVE_INSERT = f"""
INSERT INTO {NAIVE_TABLE} (volunteer_id, seq, ts, acc, geom)
VALUES ($1, $2, to_timestamp($3), $4, ST_SetSRID(ST_MakePoint($5, $6), 4326))
ON CONFLICT (volunteer_id, seq) DO NOTHING
"""
USER_BY_TOKEN = "SELECT id FROM users WHERE token_hash = $1"


def _ready(volunteer) -> str:
    # "shift": the references do not check shifts, so every client counts as on shift.
    return orjson.dumps(
        {
            "type": "ready",
            "protocol": 1,
            "volunteer": volunteer,
            "campaign": None,
            "shift": {"id": 0, "since": 0},
            "max_frame_bytes": 8192,
            "max_pings_per_s": 1_000_000,
        }
    ).decode()


def _pings(msg: dict) -> list[dict]:
    kind = msg.get("type")
    if kind == "ping":
        return [msg]
    if kind == "pings":
        return msg.get("pings") or []
    return []


def create_bare_app() -> FastAPI:
    app = FastAPI()
    dumps, loads = orjson.dumps, orjson.loads

    @app.websocket(PATH)
    async def pings(ws: WebSocket) -> None:
        await ws.accept()
        try:
            auth = loads(await ws.receive_text())
            if auth.get("type") != "auth" or not auth.get("token"):
                await ws.close(code=1008)
                return
            await ws.send_text(_ready(None))
            while True:
                msg = loads(await ws.receive_text())
                seqs = [p["seq"] for p in _pings(msg)]
                if seqs:
                    await ws.send_text(dumps({"type": "ack", "seqs": seqs}).decode())
        except (WebSocketDisconnect, RuntimeError):
            return

    return app


def create_naive_app(database_url: str, pool_max: int = 20) -> FastAPI:
    import contextlib
    import hashlib

    import asyncpg

    state: dict = {}

    @contextlib.asynccontextmanager
    async def lifespan(app):
        conn = await asyncpg.connect(database_url)
        try:
            await conn.execute(NAIVE_DDL)
        except asyncpg.UniqueViolationError:  # another worker created it at the same moment
            pass
        finally:
            await conn.close()
        state["pool"] = await asyncpg.create_pool(database_url, min_size=2, max_size=pool_max)
        yield
        await state["pool"].close()

    app = FastAPI(lifespan=lifespan)
    dumps, loads = orjson.dumps, orjson.loads

    @app.websocket(PATH)
    async def pings(ws: WebSocket) -> None:
        await ws.accept()
        pool = state["pool"]
        try:
            auth = loads(await ws.receive_text())
            token = auth.get("token") if auth.get("type") == "auth" else None
            volunteer = None
            if token:
                volunteer = await pool.fetchval(USER_BY_TOKEN, hashlib.sha256(token.encode()).digest())
            if volunteer is None:
                await ws.close(code=1008)
                return
            await ws.send_text(_ready(volunteer))
            while True:
                msg = loads(await ws.receive_text())
                seqs = []
                for p in _pings(msg):
                    # The naive way: one round trip and one commit per ping.
                    await pool.execute(NAIVE_INSERT, volunteer, p["seq"], p["t"], p.get("acc"), p["lon"], p["lat"])
                    seqs.append(p["seq"])
                if seqs:
                    await ws.send_text(dumps({"type": "ack", "seqs": seqs}).decode())
        except (WebSocketDisconnect, RuntimeError):
            return

    return app


def raise_nofile() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("kind", choices=("bare", "naive"))
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--database-url")
    p.add_argument("--pool-max", type=int, default=20)
    p.add_argument("--workers", type=int, default=1, help="processes sharing the port (SO_REUSEPORT)")
    args = p.parse_args(argv)
    raise_nofile()
    if args.kind == "naive" and not args.database_url:
        p.error("naive needs --database-url")
    if args.workers <= 1:
        _serve(args)
        return
    import multiprocessing as mp
    import signal

    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_serve, args=(args, True)) for _ in range(args.workers)]
    for proc in procs:
        proc.start()

    def stop(*_):
        for proc in procs:
            if proc.is_alive():
                proc.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for proc in procs:
        proc.join()


def _serve(args, reuseport: bool = False) -> None:
    import uvicorn

    if args.kind == "bare":
        app = create_bare_app()
    else:
        app = create_naive_app(args.database_url, args.pool_max)
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        ws="websockets-sansio",
        log_level="warning",
        backlog=8192,
        ws_max_size=1 << 20,
        access_log=False,
    )
    server = uvicorn.Server(config)
    if not reuseport:
        server.run()
        return
    from ingest.workers import _die_with_parent, reuseport_socket

    _die_with_parent()
    server.run(sockets=[reuseport_socket(args.host, args.port)])


if __name__ == "__main__":
    main()
