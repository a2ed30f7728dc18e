"""Settings: typed, from the environment, bad values named; README table in sync."""

import re
from pathlib import Path

import pytest

from dashboard.settings import Settings, SettingsError, env_name, load_settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_defaults(monkeypatch):
    for name in ("DATABASE_URL", "HOTLINE_PORT", "HOTLINE_TIMEZONE", "HOTLINE_SIMULATE"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.port == 8050
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("var/hotline.db")
    assert settings.simulate is False


def test_values_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("HOTLINE_PORT", "9000")
    monkeypatch.setenv("HOTLINE_SIMULATE", "true")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    settings = load_settings()
    assert (settings.port, settings.simulate, settings.redis_url) == (
        9000,
        True,
        "redis://127.0.0.1:6379/3",
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("HOTLINE_PORT", "eighty"),
        ("HOTLINE_PORT", "70000"),
        ("HOTLINE_REFRESH_SECONDS", "0"),
        ("HOTLINE_TIMEZONE", "Mars/Olympus"),
        ("HOTLINE_SHIFTS", "06:00-14:00,15:00-06:00"),
        ("HOTLINE_SIMULATE", "perhaps"),
        ("HOTLINE_LOG_LEVEL", "LOUD"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=variable):
        load_settings()


def test_readme_settings_table_lists_every_setting_with_its_default():
    text = README.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([A-Z_]+)` \| ([^|]*) \|", text, flags=re.MULTILINE))
    expected = {env_name(field) for field in Settings.model_fields}
    assert set(rows) == expected
    for field, info in Settings.model_fields.items():
        default = info.default
        if field in ("database_url", "reference_file", "alert_rules_file"):
            continue  # absolute paths of the checkout; the README names them relatively
        shown = "unset" if default is None else str(default).lower()
        assert rows[env_name(field)].strip().strip("`").lower() == shown, field
