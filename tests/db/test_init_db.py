"""`python -m dashboard init-db`: schema to head, reference data loaded and re-loadable."""

import json
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text

from dashboard.cli import init_db, main
from dashboard.settings import DEFAULT_REFERENCE_FILE, Settings
from data_access.engine import make_engine
from data_access.migrate import alembic_config
from data_access.schema import categories
from tests.support.cli import run_module


def test_init_db_creates_schema_and_is_idempotent(database_url):
    settings = Settings(DATABASE_URL=database_url)
    assert init_db(settings)["categories"] == 14
    assert init_db(settings)["agencies"] == 13  # again: nothing breaks, nothing doubles
    engine = make_engine(database_url)
    names = set(inspect(engine).get_table_names())
    assert {"tickets", "ticket_events", "categories", "agencies", "areas", "operators"} <= names
    with engine.connect() as conn:
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
        assert conn.execute(text("SELECT count(*) FROM categories")).scalar() == 14
    engine.dispose()


def test_edited_reference_file_updates_without_a_release(database_url, tmp_path):
    document = json.loads(DEFAULT_REFERENCE_FILE.read_text(encoding="utf-8"))
    document["categories"][1]["sla_hours"] = 6
    document["areas"].append({"code": "phuong_moi", "name_vi": "Phường Mới", "name_en": "New Ward"})
    edited = tmp_path / "reference.json"
    edited.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    init_db(Settings(DATABASE_URL=database_url, HOTLINE_REFERENCE_FILE=edited))
    engine = make_engine(database_url)
    with engine.connect() as conn:
        sla = conn.execute(select(categories.c.sla_hours).where(categories.c.code == "dien"))
        assert sla.scalar() == 6
        assert conn.execute(text("SELECT name_vi FROM areas WHERE code='phuong_moi'")).scalar() == (
            "Phường Mới"
        )
    engine.dispose()


def test_bad_reference_file_is_a_clear_error(tmp_path, monkeypatch, capsys):
    broken = tmp_path / "reference.json"
    broken.write_text('{"categories": [{"name_vi": "no code"}]}', encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("HOTLINE_REFERENCE_FILE", str(broken))
    assert main(["init-db"]) == 2
    assert "needs a 'code'" in capsys.readouterr().err


def test_bad_setting_stops_the_cli_naming_it(monkeypatch, capsys):
    monkeypatch.setenv("HOTLINE_PORT", "not-a-port")
    assert main(["init-db"]) == 2
    assert "HOTLINE_PORT" in capsys.readouterr().err


def test_cli_runs_as_a_module(tmp_path: Path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "PATH": "/usr/bin:/bin"}
    result = run_module("dashboard", "init-db", env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "reference data: categories 14" in result.stdout
