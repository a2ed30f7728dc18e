"""Command line: ``python -m dashboard init-db | demo-data | simulate | add-user | wall-link``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from dashboard.access_cli import COMMANDS as ACCESS_COMMANDS
from dashboard.access_cli import add_access_commands, run_access_command
from dashboard.settings import Settings, SettingsError, load_settings
from dashboard.shifts import ShiftCalendar
from data_access.engine import make_engine
from data_access.migrate import upgrade_to_head
from data_access.overview_rollups import sync_rollups
from data_access.reference import ReferenceDataError, load_reference_data, read_reference_file

log = logging.getLogger("dashboard")


def init_db(settings: Settings) -> dict[str, int]:
    """Create or upgrade the schema and load the reference data file."""
    engine = make_engine(settings.database_url, statement_timeout_ms=600_000)
    try:
        upgrade_to_head(engine)
        document = read_reference_file(settings.reference_file)
        with engine.begin() as conn:
            written = load_reference_data(conn, document)
            # PostgreSQL's overview rollups follow the configured time zone and day start.
            day_start = ShiftCalendar.from_spec(settings.timezone, settings.shifts).day_start
            sync_rollups(conn, settings.timezone, day_start.hour * 60 + day_start.minute)
            return written
    finally:
        engine.dispose()


def _positive(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return number


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the CLI."""
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("init-db", help="create or upgrade the schema and load reference data")
    demo = commands.add_parser("demo-data", help="write realistic demo history")
    demo.add_argument("--days", type=_positive, default=30, help="operating days of history")
    demo.add_argument(
        "--per-day",
        type=_positive,
        default=None,
        help="average tickets a day (default: the live feed's rate, HOTLINE_SIMULATE_PER_HOUR x 24,"
        " so that the history is the usual the surge detection compares with)",
    )
    demo.add_argument("--seed", type=int, default=1022, help="random seed (same seed, same data)")
    demo.add_argument(
        "--if-empty", action="store_true", help="only when the database holds no tickets yet"
    )
    simulate = commands.add_parser("simulate", help="feed live tickets until stopped")
    simulate.add_argument("--seed", type=int, default=None, help="random seed")
    simulate.add_argument(
        "--ticks", type=_positive, default=0, help="stop after this many ticks (0: run forever)"
    )
    add_access_commands(commands)
    # The switchboard (issue 12): the queue_log follower, an intake-side writer.
    follow = commands.add_parser("follow-queue-log", help="follow a PBX queue_log into calls")
    follow.add_argument("path", type=Path, help="the queue_log file (Asterisk format)")
    follow.add_argument("--once", action="store_true", help="read to the end, then exit")
    follow.add_argument("--poll-seconds", type=float, default=1.0, help="pause between passes")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(message)s")
    if args.command in ACCESS_COMMANDS:
        return run_access_command(args, settings)
    # APScheduler logs every run of every job at INFO: a line every few seconds.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    try:
        if args.command == "init-db":
            written = init_db(settings)
            print(
                "schema at head; reference data: "
                + ", ".join(f"{k} {v}" for k, v in written.items())
            )
        elif args.command == "demo-data":
            from dashboard.demo import write_demo_history

            engine = make_engine(settings.database_url, statement_timeout_ms=600_000)
            try:
                count = write_demo_history(
                    engine,
                    settings,
                    days=args.days,
                    per_day=args.per_day or settings.simulate_per_hour * 24,
                    seed=args.seed,
                    only_if_empty=args.if_empty,
                )
            finally:
                engine.dispose()
            print(f"demo history: {count} tickets written")
        elif args.command == "follow-queue-log":
            from dashboard.switchboard.follower import follow_from_settings

            return follow_from_settings(settings, args.path, once=args.once, poll=args.poll_seconds)
        elif args.command == "simulate":
            from dashboard.simulator import Simulator

            simulator = Simulator.from_settings(settings, seed=args.seed)
            simulator.run_forever(max_ticks=args.ticks or None)
    except ReferenceDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        # A database that is down or locked: one clear line, not a traceback.
        first_line = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        print(f"error: the database failed: {first_line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0
