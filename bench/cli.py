"""What every ``python -m bench.*`` command line shares: the report option and the logging."""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Callable
from pathlib import Path

from dashboard.settings import PROJECT_ROOT

REPORT = PROJECT_ROOT / "docs" / "PERFORMANCE.md"


def add_update_report(parser: argparse.ArgumentParser) -> None:
    """``--update-report [PATH]``: put the figures into a report (docs/PERFORMANCE.md)."""
    parser.add_argument(
        "--update-report",
        nargs="?",
        type=Path,
        const=REPORT,
        default=None,
        help="put the figures into this report (default docs/PERFORMANCE.md)",
    )


def finish_report(
    args: argparse.Namespace, update: Callable[[Path], None], log: logging.Logger
) -> int:
    """Put the figures into the report when ``--update-report`` asked for it; exit code 0."""
    if args.update_report is not None:
        update(args.update_report)
        log.info("updated %s", args.update_report)
    return 0


def bench_logging(log: logging.Logger) -> None:
    """Warnings from the libraries, progress (INFO) from the bench's own ``log``."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s")
    log.setLevel(logging.INFO)


def add_database_url(parser: argparse.ArgumentParser) -> None:
    """``--database-url``: the PostgreSQL server of the bench_* databases (BENCH_DATABASE_URL)."""
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )


def write_section(
    path: Path, heading: str, lines: list[str], *, empty: str = "", before: str = "## Not met"
) -> None:
    """Put a section into the report (replacing an older one), before ``before``."""
    existing = path.read_text(encoding="utf-8") if path.exists() else empty
    path.write_text(
        replace_section(existing, heading, lines, before).rstrip() + "\n",
        encoding="utf-8",
    )


def replace_section(text: str, heading: str, new: list[str], before: str) -> str:
    """``text`` with the section under ``heading`` replaced (or put before ``before``)."""
    block = "\n".join(new).rstrip() + "\n\n"
    start = text.find(heading + "\n")
    if start < 0:
        at = text.find(before + "\n")
        return text + "\n" + block if at < 0 else text[:at] + block + text[at:]
    end = text.find("\n## ", start + len(heading))
    return text[:start] + block + (text[end + 1 :] if end >= 0 else "")
