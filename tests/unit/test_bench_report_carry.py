"""`make bench` (no browser) keeps the figures of the last `make bench-browser` in the report."""

from datetime import UTC, datetime

from bench.browser import BrowserResult
from bench.lighthouse import SECTION_END, SECTION_START
from bench.report import (
    ALL_MET,
    BROWSER_HEADING,
    BROWSER_NOTE,
    BROWSER_TARGET,
    BROWSER_WHAT,
    carry_browser_parts,
    update_browser_section,
)

LIGHTHOUSE = f"{SECTION_START}\n## (l) Lighthouse\n\n| `/` | desktop | 98 |\n{SECTION_END}"


def report(row: str, section: str, unmet: str, *, dated: bool, lighthouse: bool) -> str:
    lines = ["# Performance", "", "- mode: full"]
    if dated:
        lines.append("- browser part: (f) measured on its own on 2026-12-04 19:48 UTC")
    lines += ["", "## Targets", "", "| what | target | measured | |", "|---|---|---|---|"]
    lines += ["| snapshot | ≤ 100 ms | 60 ms | **met** |", f"| {BROWSER_WHAT} | {row}", ""]
    lines += ["## (e) SQLite", "", "same numbers", "", BROWSER_HEADING, "", section, ""]
    lines += ["## (g) The codec", "", "12 ms", "", "## Not met", "", unmet, "", "## How", ""]
    text = "\n".join(lines)
    return text + "\n" + LIGHTHOUSE + "\n" if lighthouse else text


MEASURED = report(
    f"{BROWSER_TARGET} | first render median 1.20 s | **not met** |",
    "Five cold loads: first render 1.20 s.",
    f"- **{BROWSER_WHAT}**: first render median 1.20 s. See (f).",
    dated=True,
    lighthouse=True,
)
SKIPPED = report(
    f"{BROWSER_TARGET} | not measured (`--skip-browser`) | – |",
    "Not measured (`--skip-browser`).",
    ALL_MET,
    dated=False,
    lighthouse=False,
)


def test_a_run_without_the_browser_keeps_the_measured_browser_parts():
    text = carry_browser_parts(MEASURED, SKIPPED.replace("60 ms", "55 ms"))
    assert "55 ms" in text and "60 ms" not in text  # the new run's own figures
    assert "first render median 1.20 s | **not met** |" in text
    assert "- browser part: (f) measured on its own on 2026-12-04 19:48 UTC" in text
    assert "Five cold loads: first render 1.20 s." in text and "Not measured" not in text
    assert f"- **{BROWSER_WHAT}**: first render median 1.20 s." in text
    assert ALL_MET not in text  # the browser's miss is still a miss
    assert text.count(SECTION_START) == 1 and text.count(SECTION_END) == 1
    assert text.index("## (e) SQLite") < text.index(BROWSER_HEADING) < text.index("## (g)")


def test_nothing_is_carried_from_a_report_without_browser_figures():
    assert carry_browser_parts(SKIPPED, SKIPPED) == SKIPPED
    assert carry_browser_parts("", SKIPPED) == SKIPPED


def test_carrying_twice_changes_nothing_more():
    once = carry_browser_parts(MEASURED, SKIPPED)
    assert carry_browser_parts(once, SKIPPED) == once


def test_the_browser_note_keeps_the_lighthouse_marker_after_it(tmp_path):
    path = tmp_path / "PERFORMANCE.md"
    path.write_text(MEASURED.replace("## How\n", "## How\n\n" + BROWSER_NOTE), encoding="utf-8")
    update_browser_section(BrowserResult(started=datetime(2026, 12, 7, tzinfo=UTC)), path)
    text = path.read_text(encoding="utf-8")
    assert text.count(SECTION_START) == 1 and text.count(SECTION_END) == 1
    assert text.index(SECTION_START) < text.index("## (l) Lighthouse")
