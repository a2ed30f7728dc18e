"""The shared snapshot's codec: how long publishing and adopting the live state takes.

With ``REDIS_URL`` set, the lease holder encodes the whole live state once per refresh and
every other process decodes it when a new version appears (``dashboard/snapshot_codec.py``).
This measures both on a demo board (8 days of history, the live shift and day, a few
watched windows and the comparison), and writes section (g) of ``docs/PERFORMANCE.md``.
``python -m bench.codec`` runs it alone.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bench.cli import add_update_report
from dashboard.demo import write_demo_history
from dashboard.live_store import LiveState
from dashboard.service import SnapshotService
from dashboard.settings import DEFAULT_REFERENCE_FILE, Settings
from dashboard.shifts import utc_now
from dashboard.snapshot_codec import VALUE_TYPES, decode_tagged, encode_tagged
from data_access.engine import make_engine
from data_access.migrate import upgrade_to_head
from data_access.reference import load_reference_data, read_reference_file

HEADING = "## (g) The shared snapshot's codec"
HISTORY_DAYS = 8
TICKETS_PER_DAY = 490
WATCHED_DAYS = 5
ROUNDS = 50
TARGET_MS = 100.0  # well inside one refresh interval (5 s), for the holder and each reader


@dataclass(frozen=True)
class CodecResult:
    """Median times of one encode and one decode of the live state, and its size."""

    encode_ms: float
    decode_ms: float
    payload_bytes: int
    rounds: int
    value_types: int


def live_state(directory: Path) -> LiveState:
    """The live state of a demo board after one refresh, with a few watched windows."""
    url = f"sqlite:///{directory / 'codec.db'}"
    writer = make_engine(url)
    upgrade_to_head(writer)
    with writer.begin() as conn:
        load_reference_data(conn, read_reference_file(DEFAULT_REFERENCE_FILE))
    settings = Settings.model_validate({"DATABASE_URL": url, "HOTLINE_SIMULATE": False})
    write_demo_history(writer, settings, days=HISTORY_DAYS, per_day=TICKETS_PER_DAY, seed=1022)
    writer.dispose()
    service = SnapshotService(settings)
    try:
        now = utc_now()
        for offset in range(1, WATCHED_DAYS + 1):
            day = service.calendar.operating_day(now) - timedelta(days=offset)
            service.watch(service.calendar.window(day), now)
        if not service.refresh(now):
            raise RuntimeError("the demo board did not refresh")
        return service.state
    finally:
        service.engine.dispose()


def measure(state: LiveState, rounds: int = ROUNDS) -> CodecResult:
    """Encode and decode ``state`` ``rounds`` times (JSON text included); the medians."""
    encodes, decodes = [], []
    payload = ""
    for _ in range(rounds):
        started = time.perf_counter()
        payload = json.dumps(encode_tagged(state), separators=(",", ":"))
        encodes.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        copy = decode_tagged(json.loads(payload))
        decodes.append((time.perf_counter() - started) * 1000)
        if copy != state:
            raise AssertionError("the decoded state differs from the encoded one")
    return CodecResult(
        statistics.median(encodes),
        statistics.median(decodes),
        len(payload.encode("utf-8")),
        rounds,
        len(VALUE_TYPES),
    )


def section(result: CodecResult) -> list[str]:
    """Section (g) of the report."""
    met = result.encode_ms <= TARGET_MS and result.decode_ms <= TARGET_MS
    return [
        HEADING,
        "",
        "`bench/codec.py` (`python -m bench.codec`): the live state of an SQLite demo board "
        f"({HISTORY_DAYS} days of {TICKETS_PER_DAY} tickets, the live shift and day, "
        f"{WATCHED_DAYS} watched days, the comparison and the reference names), encoded to "
        f"JSON and decoded back {result.rounds} times by `dashboard/snapshot_codec.py` "
        f"({result.value_types} registered value types); medians.",
        "",
        "| what | target | measured | met |",
        "|---|---|---|---|",
        f"| publish (encode + JSON) | ≤ {TARGET_MS:.0f} ms | {result.encode_ms:.1f} ms | "
        f"{'yes' if result.encode_ms <= TARGET_MS else 'no'} |",
        f"| adopt (JSON + decode) | ≤ {TARGET_MS:.0f} ms | {result.decode_ms:.1f} ms | "
        f"{'yes' if result.decode_ms <= TARGET_MS else 'no'} |",
        f"| payload | — | {result.payload_bytes / 1024:.1f} KiB | — |",
        "",
        "The holder encodes once per refresh; each other process decodes once per new version "
        "(field types resolved once at import, not per value)."
        + ("" if met else " **Not met on this run.**"),
        "",
    ]


def update_report(result: CodecResult, path: Path) -> None:
    """Put section (g) into the report: replace it, or add it before "## Not met" (or last)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    lines = text.rstrip("\n").split("\n") if text else []
    new = section(result)
    start = next((n for n, line in enumerate(lines) if line == HEADING), None)
    if start is not None:
        end = next((n for n in range(start + 1, len(lines)) if lines[n].startswith("## ")), None)
        lines[start : end if end is not None else len(lines)] = new
    else:
        before = next((n for n, line in enumerate(lines) if line == "## Not met"), len(lines))
        lines[before:before] = new
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")


def run() -> CodecResult:
    """Build the demo board in a temporary directory and measure."""
    with tempfile.TemporaryDirectory(prefix="hotline-codec-") as directory:
        return measure(live_state(Path(directory)))


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.codec [--update-report PATH]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_update_report(parser)
    args = parser.parse_args(argv)
    result = run()
    print("\n".join(section(result)))
    if args.update_report is not None:
        update_report(result, args.update_report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
