"""Settings, one small class per concern, read from QUADRILLER_* environment variables.

Everything that reaches the app goes through `Settings`, which `create_app(settings)` receives:
tests build their own instead of patching globals.
"""
from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QUADRILLER_", extra="ignore")

    database_url: str = "postgresql://postgres@127.0.0.1:5432/quadriller"
    redis_url: str = "redis://127.0.0.1:6379/0"
    db_pool_min: int = 1
    db_pool_max: int = 10

    host: str = "127.0.0.1"
    port: int = 8000
    # Where the built front end lives; served at / when it exists.
    web_dist: Path = PROJECT_ROOT / "web" / "dist"
    # Optional raster base map (XYZ template). Empty: the map renders offline without one.
    basemap_url: str = ""

    # Ingest (issue: live ingest).
    ingest_host: str = "127.0.0.1"
    ingest_port: int = 8001
    # The ingest websocket as phones reach it (the volunteer page), e.g. wss://ingest.example.org/ws/pings
    # behind a proxy. Unset: ws://<the host the page was loaded from>:<ingest_port>/ws/pings.
    ingest_public_url: str | None = None
    ingest_max_frame_bytes: int = 8192
    ingest_max_accuracy_m: float = 100.0
    ingest_rate_per_device: float = 20.0
    ingest_batch_max: int = 2000
    ingest_batch_wait_ms: float = 20.0
    ingest_future_tolerance_s: float = 300.0

    # Privacy.
    retention_days: int = Field(default=30, ge=1)
    # A shift left open (a phone that died, a volunteer who forgot) ends, for tracking, after this.
    shift_max_hours: float = Field(default=12.0, gt=0, le=48)
    # The HQ server runs the retention job (server/retention) at start and then this often.
    retention_every_s: float = Field(default=3600.0, gt=0)

    # Live fan-out.
    live_frames_per_second: float = 4.0
    live_stale_after_s: float = 300.0

    # Ingest, continued.
    ingest_rate_burst: float = 100.0  # token-bucket size per device, in pings
    ingest_queue_max: int = 100_000  # pings held uncommitted (e.g. PostgreSQL down) before dropping
    ingest_auth_timeout_s: float = 5.0  # the auth frame must arrive within this
    ingest_malformed_limit: int = 5  # malformed frames in a row before closing with 1007
    ingest_http_commit_timeout_s: float = 10.0  # OwnTracks/Traccar: wait this long for the commit
    # Assignments and shifts of connected volunteers are re-read this often: a shift ended from
    # the HTTP API or by HQ stops a live connection's pings within this delay.
    ingest_refresh_s: float = Field(default=10.0, gt=0)

    # Live fan-out, continued (server/live).
    live_auth_timeout_s: float = 5.0  # an HQ viewer's auth frame must arrive within this
    live_send_timeout_s: float = 30.0  # a viewer whose frame send stalls this long is closed (1013)

    # Ingest, performance (docs/protocol.md, docs/benchmarks.md).
    ingest_workers: int = Field(default=1, ge=1)  # ingest processes sharing the port (SO_REUSEPORT)
    ingest_tick_ms: float = 5.0  # the pipeline processes what arrived, at most this often
    ingest_write_concurrency: int = Field(default=3, ge=1)  # batches in flight per process


def load_settings(**overrides) -> Settings:
    return Settings(**overrides)
