"""Typed settings read from the environment (and an optional ``.env``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'hotline.db'}"
DEFAULT_REFERENCE_FILE = PROJECT_ROOT / "data" / "reference.json"
DEFAULT_ALERT_RULES_FILE = PROJECT_ROOT / "data" / "alert_rules.json"


class SettingsError(ValueError):
    """A setting has an invalid value; the message names the variable."""


class Settings(BaseSettings):
    """Every setting of the board; the README's settings table mirrors this class."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        validation_alias="DATABASE_URL",
        description="SQLAlchemy URL of the ticket database; `postgresql://` uses psycopg2.",
    )
    host: str = Field(
        "127.0.0.1", validation_alias="HOTLINE_HOST", description="Address the server listens on."
    )
    port: int = Field(
        8050, ge=1, le=65535, validation_alias="HOTLINE_PORT", description="Port of the server."
    )
    refresh_seconds: int = Field(
        5,
        ge=1,
        le=3600,
        validation_alias="HOTLINE_REFRESH_SECONDS",
        description="How often the snapshot is recomputed and the screens poll it.",
    )
    timezone: str = Field(
        "Asia/Ho_Chi_Minh",
        validation_alias="HOTLINE_TIMEZONE",
        description="IANA time zone of everything shown (timestamps are stored in UTC).",
    )
    shifts: str = Field(
        "06:00-14:00,14:00-22:00,22:00-06:00",
        validation_alias="HOTLINE_SHIFTS",
        description="The shifts Ca 1, Ca 2, Ca 3 as HH:MM-HH:MM, covering 24 h; "
        "the first shift's start begins the operating day.",
    )
    intake_limit_minutes: int = Field(
        15,
        ge=1,
        le=10080,
        validation_alias="HOTLINE_INTAKE_LIMIT_MINUTES",
        description="A ticket still received/classified after this long is awaiting forward.",
    )
    overdue_list_size: int = Field(
        10,
        ge=1,
        le=200,
        validation_alias="HOTLINE_OVERDUE_LIST_SIZE",
        description="How many of the most overdue tickets the snapshot lists.",
    )
    stale_after_intervals: int = Field(
        3,
        ge=2,
        le=100,
        validation_alias="HOTLINE_STALE_AFTER_INTERVALS",
        description="The data counts as stale when older than this many refresh intervals.",
    )
    statement_timeout_ms: int = Field(
        5000,
        ge=100,
        le=600_000,
        validation_alias="HOTLINE_STATEMENT_TIMEOUT_MS",
        description="Upper bound of one query of the board, in milliseconds.",
    )
    simulate: bool = Field(
        False,
        validation_alias="HOTLINE_SIMULATE",
        description="Run the live demo feed (new tickets, status changes) inside the server.",
    )
    simulate_per_hour: int = Field(
        120,
        ge=1,
        le=100_000,
        validation_alias="HOTLINE_SIMULATE_PER_HOUR",
        description="Average new tickets per hour of the live demo feed.",
    )
    reference_file: Path = Field(
        DEFAULT_REFERENCE_FILE,
        validation_alias="HOTLINE_REFERENCE_FILE",
        description="JSON file of categories, agencies, areas and operators that init-db loads.",
    )
    redis_url: str | None = Field(
        None,
        validation_alias="REDIS_URL",
        description="Redis URL for the snapshot shared between processes; unset: in-process.",
    )
    secret_key: str | None = Field(
        None,
        validation_alias="HOTLINE_SECRET_KEY",
        description="Key that signs sessions; unset: a random key per start.",
    )
    log_level: str = Field(
        "INFO", validation_alias="HOTLINE_LOG_LEVEL", description="Logging level."
    )
    # --- access (see docs/ACCESS.md) ---
    users_file: Path | None = Field(
        None,
        validation_alias="HOTLINE_USERS_FILE",
        description="JSON file of the login accounts (supervisors, leaders) and the wall-screen "
        "links, written by `python -m dashboard add-user` / `wall-link`; unset: no login.",
    )
    allow_anonymous: bool = Field(
        False,
        validation_alias="HOTLINE_ALLOW_ANONYMOUS",
        description="Serve every page without login also beyond loopback (a closed network only).",
    )
    session_hours: int = Field(
        12,
        ge=1,
        le=720,
        validation_alias="HOTLINE_SESSION_HOURS",
        description="How long a supervisor's or leader's login lasts; wall links never expire.",
    )
    cookie_secure: bool = Field(
        False,
        validation_alias="HOTLINE_COOKIE_SECURE",
        description="Send the session cookie over HTTPS only (set it when served behind TLS).",
    )

    # --- the switchboard (issue 12, SPEC section 10) ---
    queue_log_path: Path | None = Field(
        None,
        validation_alias="HOTLINE_QUEUE_LOG",
        description="The PBX's queue_log that the server follows and the demo feed writes; "
        "unset: `var/queue_log` with the embedded default database, none otherwise.",
    )
    follow_queue_log: bool = Field(
        False,
        validation_alias="HOTLINE_FOLLOW_QUEUE_LOG",
        description="Follow `HOTLINE_QUEUE_LOG` inside the server (always on with the demo feed).",
    )
    queue_waiting_alert: int = Field(
        3,
        ge=1,
        le=1000,
        validation_alias="HOTLINE_QUEUE_WAITING_ALERT",
        description="The wall shows the waiting callers in alarm from this many on.",
    )
    queue_longest_wait_alert_seconds: int = Field(
        60,
        ge=1,
        le=3600,
        validation_alias="HOTLINE_QUEUE_LONGEST_WAIT_ALERT_SECONDS",
        description="The wall shows the longest wait in alarm from this many seconds on.",
    )
    service_level_seconds: int = Field(
        20,
        ge=1,
        le=3600,
        validation_alias="HOTLINE_SERVICE_LEVEL_SECONDS",
        description="A call answered within this many seconds meets the service level.",
    )
    short_abandon_seconds: int = Field(
        5,
        ge=0,
        le=300,
        validation_alias="HOTLINE_SHORT_ABANDON_SECONDS",
        description="A caller who hangs up sooner than this is a short abandon, counted apart.",
    )

    # --- operations intelligence (issue 13; see docs/WALL.md and docs/VIEWS.md) ---
    repeat_window_days: int = Field(
        14,
        ge=1,
        le=365,
        validation_alias="HOTLINE_REPEAT_WINDOW_DAYS",
        description="Reports of the same field and ward are linked as repeats within this "
        "many days of an earlier one (open, or closed within the span).",
    )
    surge_factor: float = Field(
        3.0,
        ge=1.0,
        le=100.0,
        validation_alias="HOTLINE_SURGE_FACTOR",
        description="A surge: this many times the field's usual count for that hour of the week.",
    )
    surge_min_count: int = Field(
        8,
        ge=1,
        le=10_000,
        validation_alias="HOTLINE_SURGE_MIN_COUNT",
        description="A surge needs at least this many reports in the surge window.",
    )
    surge_window_minutes: int = Field(
        30,
        ge=5,
        le=360,
        validation_alias="HOTLINE_SURGE_WINDOW_MINUTES",
        description="The span a surge is counted over (and its baseline slots).",
    )
    surge_baseline_weeks: int = Field(
        4,
        ge=1,
        le=12,
        validation_alias="HOTLINE_SURGE_BASELINE_WEEKS",
        description="The baseline: the same span of the week in this many previous weeks.",
    )
    screen_silent_intervals: int = Field(
        6,
        ge=2,
        le=1000,
        validation_alias="HOTLINE_SCREEN_SILENT_INTERVALS",
        description="A wall screen that has not polled for this many refresh intervals is silent.",
    )
    night_shifts: str = Field(
        "3",
        validation_alias="HOTLINE_NIGHT_SHIFTS",
        description="Shift numbers (comma-separated) during which the wall dims itself "
        "(`?night=auto`); empty: never.",
    )

    @field_validator("night_shifts")
    @classmethod
    def _valid_night_shifts(cls, value: str) -> str:
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if not all(part.isdigit() and 1 <= int(part) <= 12 for part in parts):
            raise ValueError("must be shift numbers separated by commas, e.g. 3")
        return ",".join(parts)

    # --- alerts (issue 9; see README "Alerts") ---
    alerts_enabled: bool = Field(
        True,
        validation_alias="HOTLINE_ALERTS",
        description="Evaluate the alert rules and deliver their messages (lease holder only).",
    )
    alert_rules_file: Path = Field(
        DEFAULT_ALERT_RULES_FILE,
        validation_alias="HOTLINE_ALERT_RULES_FILE",
        description="JSON file of the alert rules (audiences, timings, escalation).",
    )
    notify_file: Path | None = Field(
        None,
        validation_alias="HOTLINE_NOTIFY_FILE",
        description="JSON file of Apprise URLs per audience and agency; unset: the server log.",
    )
    alerts_database_url: str | None = Field(
        None,
        validation_alias="HOTLINE_ALERTS_DATABASE_URL",
        description="Read-write URL of the board's own tables (alerts, outbox); unset: "
        "DATABASE_URL through a separate writer connection.",
    )
    public_base_url: str = Field(
        "http://127.0.0.1:8050",
        validation_alias="HOTLINE_PUBLIC_BASE_URL",
        description="The board's address as its readers reach it (links in alert messages).",
    )
    alert_ack_link_hours: int = Field(
        24,
        ge=1,
        le=720,
        validation_alias="HOTLINE_ALERT_ACK_LINK_HOURS",
        description="How long the acknowledge link in an alert message stays valid.",
    )
    alert_english_audiences: str = Field(
        "",
        validation_alias="HOTLINE_ALERT_ENGLISH_AUDIENCES",
        description="Audiences that get messages in English (comma-separated, e.g. "
        "`leaders,agency:so_xay_dung`); the others get Vietnamese.",
    )
    alert_retry_max_seconds: int = Field(
        60,
        ge=1,
        le=3600,
        validation_alias="HOTLINE_ALERT_RETRY_MAX_SECONDS",
        description="Longest wait between two delivery attempts of a message (back-off cap).",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("shifts")
    @classmethod
    def _valid_shifts(cls, value: str) -> str:
        from dashboard.shifts import parse_shifts

        parse_shifts(value)
        return value

    @field_validator("log_level")
    @classmethod
    def _valid_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value

    @property
    def queue_log_file(self) -> Path | None:
        """The queue_log of the switchboard (issue 12), if any (see ``queue_log_path``)."""
        if self.queue_log_path is not None:
            return self.queue_log_path
        if self.database_url == DEFAULT_DATABASE_URL:
            return PROJECT_ROOT / "var" / "queue_log"
        return None

    @property
    def zone(self) -> ZoneInfo:
        """The configured time zone."""
        return ZoneInfo(self.timezone)

    # --- issue 10: the citizens' page and Open311 (see docs/OPEN311.md) ---
    public_rate_limit: str = Field(
        "30 per minute;300 per hour",
        validation_alias="HOTLINE_PUBLIC_RATE_LIMIT",
        description="Requests per client address to the citizens' page `/tra-cuu` "
        "(Flask-Limiter notation, `;` between limits); beyond: 429 with Retry-After.",
    )
    georeport_rate_limit: str = Field(
        "60 per minute;1000 per hour",
        validation_alias="HOTLINE_GEOREPORT_RATE_LIMIT",
        description="Requests per client address to `/open311/v2/` (Flask-Limiter notation); "
        "counted in Redis when `REDIS_URL` is set, in each process otherwise.",
    )

    @field_validator("public_rate_limit", "georeport_rate_limit")
    @classmethod
    def _valid_rate_limit(cls, value: str) -> str:
        from limits import parse_many

        try:
            if not parse_many(value):
                raise ValueError("empty")
        except ValueError:
            raise ValueError(
                f"not a rate limit like '30 per minute;300 per hour': {value!r}"
            ) from None
        return value


def env_name(field: str) -> str:
    """The environment variable of a settings field."""
    alias = Settings.model_fields[field].validation_alias
    return str(alias)


def load_settings(**overrides: Any) -> Settings:
    """Read settings, turning validation errors into one message naming the variables."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            name = env_name(field) if field in Settings.model_fields else field
            problems.append(f"{name}: {error['msg']}")
        raise SettingsError("invalid settings: " + "; ".join(problems)) from None
