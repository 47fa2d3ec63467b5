"""Settings, one small class per concern, read from QUADRILLER_* environment variables.

Everything that reaches the app goes through `Settings`, which `create_app(settings)` receives:
tests build their own instead of patching globals. `Settings` is the union of the per-concern
classes, flat (`settings.database_url`), so that a module needing one concern can say so in its
signature (`DatabaseSettings`) while callers keep passing the one `Settings`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

_ENV = SettingsConfigDict(env_prefix="QUADRILLER_", extra="ignore")


class DatabaseSettings(BaseSettings):
    model_config = _ENV

    database_url: str = "postgresql://postgres@127.0.0.1:5432/quadriller"
    db_pool_min: int = 1
    db_pool_max: int = 10
    # A request waiting longer than this for a pooled connection gets a 503 (server/db.py).
    db_acquire_timeout_s: float = Field(default=5.0, gt=0)


class RedisSettings(BaseSettings):
    model_config = _ENV

    redis_url: str = "redis://127.0.0.1:6379/0"
    # Prefix of every Redis key and channel (server/events.py): two stacks sharing one Redis
    # with different prefixes never see each other's live state.
    redis_prefix: str = Field(default="q", min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    # Connections of one process's Redis client. Past it, a command waits (up to
    # redis_pool_timeout_s) for a free one instead of failing: the hot paths hold one per
    # batch, not per request, so a handful is busy at once however many clients are connected.
    redis_max_connections: int = Field(default=50, ge=2)
    redis_pool_timeout_s: float = Field(default=1.0, gt=0)


class ApiSettings(BaseSettings):
    model_config = _ENV

    host: str = "127.0.0.1"
    port: int = 8000
    # Where the built front end lives; served at / when it exists.
    web_dist: Path = PROJECT_ROOT / "web" / "dist"
    # Optional raster base map (XYZ template). Empty: the map renders offline without one.
    basemap_url: str = ""
    # Websockets (ingest /ws/pings, HQ /ws/live) not yet authenticated, per client address at once.
    unauthenticated_sockets_per_ip: int = Field(default=20, ge=1)
    # Failed logins per client address and per login (ingest), refilled per minute, with bursts:
    # past it, refused (429 / close 1008) without a database query.
    login_failures_per_min: float = Field(default=10.0, gt=0)
    login_failures_burst: float = Field(default=20.0, ge=1)
    # HQ sessions (server/sessions): the HQ page trades the API token for a session token that
    # expires after hq_session_ttl_s unless renewed, and is never renewed past hq_session_max_s
    # after sign-in. A renewal's replaced token keeps working hq_session_renew_grace_s, for
    # requests already in flight.
    hq_session_ttl_s: float = Field(default=900.0, gt=0)
    hq_session_max_s: float = Field(default=12 * 3600.0, gt=0)
    hq_session_renew_grace_s: float = Field(default=5.0, ge=0, le=60)


class IngestSettings(BaseSettings):
    model_config = _ENV

    ingest_host: str = "127.0.0.1"
    ingest_port: int = 8001
    # The ingest websocket as phones reach it (the volunteer page), e.g. wss://ingest.example.org/ws/pings
    # behind a proxy. Unset: ws://<public_host or ingest_host>:<ingest_port>/ws/pings. Never taken from
    # a request's Host header, which the client chooses.
    ingest_public_url: str | None = None
    # The host name (or LAN address) phones use to reach this machine, when ingest_public_url is unset.
    public_host: str | None = None
    ingest_max_frame_bytes: int = 8192
    ingest_max_accuracy_m: float = 100.0
    ingest_rate_per_device: float = 20.0
    ingest_rate_burst: float = 100.0  # token-bucket size per device, in pings
    ingest_batch_max: int = 2000
    ingest_batch_wait_ms: float = 20.0
    ingest_future_tolerance_s: float = 300.0
    ingest_queue_max: int = 100_000  # pings held uncommitted (e.g. PostgreSQL down) before dropping
    ingest_auth_timeout_s: float = 5.0  # the auth frame must arrive within this
    # Refused frames in a row (malformed; or whose pings were all off shift, too old or out of
    # range) before closing with 1007.
    ingest_malformed_limit: int = 5
    # Frames waiting to go out to one websocket; past it the client is not reading: closed 1008.
    ingest_outbox_max_frames: int = Field(default=1000, ge=10)
    # Frames a websocket may send per second, with bursts (a phone sends one every few seconds;
    # a backlog goes in `pings` frames): past it, closed 1013.
    ingest_frames_per_s: float = Field(default=20.0, gt=0)
    ingest_frames_burst: float = Field(default=60.0, ge=1)
    # Shift start/end frames per connection (each costs a database transaction): past it, answered
    # with `throttle` (seqs []) and not executed.
    ingest_shift_changes_per_min: float = Field(default=6.0, gt=0)
    ingest_shift_changes_burst: float = Field(default=5.0, ge=1)
    ingest_auth_pool_max: int = Field(default=2, ge=1)  # connections for logins, apart from the writer's
    ingest_http_commit_timeout_s: float = 10.0  # OwnTracks/Traccar: wait this long for the commit
    # uvicorn's access log on the ingest service: one line per app request (thousands a second,
    # each costing CPU), without query strings (server/accesslog.py). Errors are logged either way.
    ingest_access_log: bool = False
    # `paused` waits this long at most for the commit of the pings sent before the pause (then
    # says "pending"): a pause must not hang on PostgreSQL.
    ingest_pause_commit_wait_s: float = Field(default=2.0, ge=0)
    # Assignments and shifts of connected volunteers are re-read this often: a shift ended from
    # the HTTP API or by HQ stops a live connection's pings within this delay.
    ingest_refresh_s: float = Field(default=10.0, gt=0)
    # Performance (docs/protocol.md, docs/benchmarks.md).
    ingest_workers: int = Field(default=1, ge=1)  # ingest processes sharing the port (SO_REUSEPORT)
    ingest_tick_ms: float = Field(default=5.0, ge=0)  # the pipeline gathers this long at most
    # ... and stops gathering at the first step of this many ms that brought nothing (0: always
    # the whole tick): ingest/frames.gather_more.
    ingest_gather_gap_ms: float = Field(default=1.0, ge=0)
    # ... and gathers this long at most once an OwnTracks or Traccar request waits in the tick:
    # the app waits for the commit before sending its next fix.
    ingest_app_tick_ms: float = Field(default=1.0, ge=0)
    ingest_write_concurrency: int = Field(default=3, ge=1)  # batches in flight per process
    # permessage-deflate on /ws/pings: off, because pings and acks are a hundred bytes each and
    # every compressing connection holds two zlib contexts (docs/benchmarks.md, "Connections
    # and memory"). Browsers offer it; refusing it is part of the protocol.
    ingest_ws_deflate: bool = False


class PrivacySettings(BaseSettings):
    model_config = _ENV

    retention_days: int = Field(default=30, ge=1)
    # A shift left open (a phone that died, a volunteer who forgot) ends, for tracking, after this.
    shift_max_hours: float = Field(default=12.0, gt=0, le=48)
    # The HQ server runs the retention job (server/retention) at start and then this often.
    retention_every_s: float = Field(default=3600.0, gt=0)
    # A device token (OwnTracks, Traccar, in app settings and OsmAnd URLs) is refused this long
    # after it was issued; the phone page issues a new one. None (unset): no expiry.
    device_token_max_age_days: float | None = Field(default=90.0, gt=0)
    # Shifts past shift_max_hours are closed (ended_by "timeout", live state removed) this often.
    shift_timeout_sweep_s: float = Field(default=60.0, gt=0)
    # Every Redis key holding a position (the volunteer-state hash) expires after this long
    # without a new fix: no position outlives its use on the map, even if nothing removes it.
    live_state_ttl_s: float = Field(default=3600.0, ge=1)


class LiveSettings(BaseSettings):
    """The HQ live feed (server/live)."""

    model_config = _ENV

    live_frames_per_second: float = 4.0
    live_stale_after_s: float = 300.0
    live_auth_timeout_s: float = 5.0  # an HQ viewer's auth frame must arrive within this
    live_send_timeout_s: float = 30.0  # a viewer whose frame send stalls this long is closed (1013)
    # Each viewer's membership is re-checked this often: a person removed from the campaign
    # (`quadriller users revoke`) stops receiving positions within it.
    live_access_recheck_s: float = Field(default=1.0, gt=0)
    # A viewer that sent its view gets the hex counts of the volunteers outside it this often
    # (changed cells only): the rest of the campaign at a glance, for a few bytes a second.
    live_aggregate_every_s: float = Field(default=1.0, gt=0)


class AlertSettings(BaseSettings):
    """Field alerts (server/alerts): out of zone, idle, stale, low battery, SOS."""

    model_config = _ENV

    alerts_every_s: float = Field(default=15.0, gt=0)  # the HQ server evaluates them this often


class Settings(
    DatabaseSettings, RedisSettings, ApiSettings, IngestSettings, PrivacySettings, LiveSettings, AlertSettings
):
    """Every concern at once: what the apps, the CLI and the tests pass around."""

    model_config = _ENV
