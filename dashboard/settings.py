"""Typed settings read from the environment (and an optional ``.env``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, AliasGenerator, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from data_access.values import CallTargets

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'hotline.db'}"
DEFAULT_REFERENCE_FILE = PROJECT_ROOT / "data" / "reference.json"
DEFAULT_ALERT_RULES_FILE = PROJECT_ROOT / "data" / "alert_rules.json"


class SettingsError(ValueError):
    """A setting has an invalid value; the message names the variable."""


def _known_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


def _valid_shifts(value: str) -> str:
    from dashboard.shifts import parse_shifts

    parse_shifts(value)
    return value


def _valid_level(value: str) -> str:
    value = value.upper()
    if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return value


def _valid_shift_numbers(value: str) -> str:
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if not all(part.isdigit() and 1 <= int(part) <= 12 for part in parts):
        raise ValueError("must be shift numbers separated by commas, e.g. 3")
    return ",".join(parts)


def _valid_rate_limit(value: str) -> str:
    from limits import parse_many

    try:
        if not parse_many(value):
            raise ValueError("empty")
    except ValueError:
        raise ValueError(f"not a rate limit like '30 per minute;300 per hour': {value!r}") from None
    return value


# The kinds of value that settings share: their bounds and checks are declared once here.
Seconds = Annotated[int, Field(ge=1, le=3600)]  # one second to an hour
Hours = Annotated[int, Field(ge=1, le=720)]  # one hour to thirty days
TimeZoneName = Annotated[str, AfterValidator(_known_zone)]
ShiftSpec = Annotated[str, AfterValidator(_valid_shifts)]
LogLevel = Annotated[str, AfterValidator(_valid_level)]
ShiftNumbers = Annotated[str, AfterValidator(_valid_shift_numbers)]
RateLimit = Annotated[str, AfterValidator(_valid_rate_limit)]


def _hotline_variable(field: str) -> str:
    """The environment variable of a field that does not name its own: ``HOTLINE_<FIELD>``."""
    return f"HOTLINE_{field.upper()}"


class Settings(BaseSettings):
    """Every setting of the board; the README's settings table mirrors this class.

    Each field reads the variable ``HOTLINE_<FIELD>`` unless it names another one, and is
    described by the docstring under it.
    """

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        alias_generator=AliasGenerator(validation_alias=_hotline_variable),
        use_attribute_docstrings=True,
    )

    database_url: str = Field(DEFAULT_DATABASE_URL, validation_alias="DATABASE_URL")
    """SQLAlchemy URL of the ticket database; `postgresql://` uses psycopg2."""
    host: str = "127.0.0.1"
    """Address the server listens on."""
    port: int = Field(8050, ge=1, le=65535)
    """Port of the server."""
    refresh_seconds: Seconds = 5
    """How often the snapshot is recomputed and the screens poll it."""
    timezone: TimeZoneName = "Asia/Ho_Chi_Minh"
    """IANA time zone of everything shown (timestamps are stored in UTC)."""
    shifts: ShiftSpec = "06:00-14:00,14:00-22:00,22:00-06:00"
    """The shifts Ca 1, Ca 2, Ca 3 as HH:MM-HH:MM, covering 24 h; the first shift's start
    begins the operating day."""
    intake_limit_minutes: int = Field(15, ge=1, le=10080)
    """A ticket still received/classified after this long is awaiting forward."""
    overdue_list_size: int = Field(10, ge=1, le=200)
    """How many of the most overdue tickets the snapshot lists."""
    stale_after_intervals: int = Field(3, ge=2, le=100)
    """The data counts as stale when older than this many refresh intervals."""
    statement_timeout_ms: int = Field(5000, ge=100, le=600_000)
    """Upper bound of one query of the board, in milliseconds."""
    simulate: bool = False
    """Run the live demo feed (new tickets, status changes) inside the server."""
    simulate_per_hour: int = Field(120, ge=1, le=100_000)
    """Average new tickets per hour of the live demo feed."""
    reference_file: Path = DEFAULT_REFERENCE_FILE
    """JSON file of categories, agencies, areas and operators that init-db loads."""
    redis_url: str | None = Field(None, validation_alias="REDIS_URL")
    """Redis URL for the snapshot shared between processes; unset: in-process."""
    secret_key: str | None = None
    """Key that signs sessions; unset: a random key per start."""
    log_level: LogLevel = "INFO"
    """Logging level."""

    # --- access (see docs/ACCESS.md) ---
    users_file: Path | None = None
    """JSON file of the login accounts (supervisors, leaders) and the wall-screen links,
    written by `python -m dashboard add-user` / `wall-link`; unset: no login."""
    allow_anonymous: bool = False
    """Serve every page without login also beyond loopback (a closed network only)."""
    session_hours: Hours = 12
    """How long a supervisor's or leader's login lasts; wall links never expire."""
    cookie_secure: bool = False
    """Send the session cookie over HTTPS only (set it when served behind TLS)."""

    # --- the switchboard (issue 12, SPEC section 10) ---
    queue_log_path: Path | None = Field(None, validation_alias="HOTLINE_QUEUE_LOG")
    """The PBX's queue_log that the server follows and the demo feed writes; unset:
    `var/queue_log` with the embedded default database, none otherwise."""
    follow_queue_log: bool = False
    """Follow `HOTLINE_QUEUE_LOG` inside the server (always on with the demo feed)."""
    queue_waiting_alert: int = Field(3, ge=1, le=1000)
    """The wall shows the waiting callers in alarm from this many on."""
    queue_longest_wait_alert_seconds: Seconds = 60
    """The wall shows the longest wait in alarm from this many seconds on."""
    service_level_seconds: Seconds = 20
    """A call answered within this many seconds meets the service level."""
    short_abandon_seconds: int = Field(5, ge=0, le=300)
    """A caller who hangs up sooner than this is a short abandon, counted apart."""

    # --- operations intelligence (issue 13; see docs/WALL.md and docs/VIEWS.md) ---
    repeat_window_days: int = Field(14, ge=1, le=365)
    """Reports of the same field and ward are linked as repeats within this many days of
    an earlier one (open, or closed within the span)."""
    surge_factor: float = Field(3.0, ge=1.0, le=100.0)
    """A surge: this many times the field's usual count for that hour of the week."""
    surge_min_count: int = Field(8, ge=1, le=10_000)
    """A surge needs at least this many reports in the surge window."""
    surge_window_minutes: int = Field(30, ge=5, le=360)
    """The span a surge is counted over (and its baseline slots)."""
    surge_baseline_weeks: int = Field(4, ge=1, le=12)
    """The baseline: the same span of the week in this many previous weeks."""
    screen_silent_intervals: int = Field(6, ge=2, le=1000)
    """A wall screen that has not polled for this many refresh intervals is silent."""
    night_shifts: ShiftNumbers = "3"
    """Shift numbers (comma-separated) during which the wall dims itself (`?night=auto`);
    empty: never."""

    # --- alerts (issue 9; see README "Alerts") ---
    alerts_enabled: bool = Field(True, validation_alias="HOTLINE_ALERTS")
    """Evaluate the alert rules and deliver their messages (lease holder only)."""
    alert_rules_file: Path = DEFAULT_ALERT_RULES_FILE
    """JSON file of the alert rules (audiences, timings, escalation)."""
    notify_file: Path | None = None
    """JSON file of Apprise URLs per audience and agency; unset: the server log."""
    alerts_database_url: str | None = None
    """Read-write URL of the board's own tables (alerts, outbox); unset: DATABASE_URL
    through a separate writer connection."""
    public_base_url: str = "http://127.0.0.1:8050"
    """The board's address as its readers reach it (links in alert messages)."""
    alert_ack_link_hours: Hours = 24
    """How long the acknowledge link in an alert message stays valid."""
    alert_english_audiences: str = ""
    """Audiences that get messages in English (comma-separated, e.g.
    `leaders,agency:so_xay_dung`); the others get Vietnamese."""
    alert_retry_max_seconds: Seconds = 60
    """Longest wait between two delivery attempts of a message (back-off cap)."""

    # --- issue 10: the citizens' page and Open311 (see docs/OPEN311.md) ---
    public_rate_limit: RateLimit = "30 per minute;300 per hour"
    """Requests per client address to the citizens' page `/tra-cuu` (Flask-Limiter
    notation, `;` between limits); beyond: 429 with Retry-After."""
    georeport_rate_limit: RateLimit = "60 per minute;1000 per hour"
    """Requests per client address to `/open311/v2/` (Flask-Limiter notation); counted in
    Redis when `REDIS_URL` is set, in each process otherwise."""

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

    @property
    def call_targets(self) -> CallTargets:
        """The switchboard's targets (service level and short abandon)."""
        return CallTargets(self.service_level_seconds, self.short_abandon_seconds)


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
