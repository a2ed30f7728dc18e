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
    def zone(self) -> ZoneInfo:
        """The configured time zone."""
        return ZoneInfo(self.timezone)


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
