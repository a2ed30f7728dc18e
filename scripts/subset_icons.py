"""Cut Bootstrap Icons down to the icons the board uses: ``python scripts/subset_icons.py SRC``.

``SRC`` is the ``font/`` folder of the ``bootstrap-icons`` npm package (with
``bootstrap-icons.min.css`` and ``fonts/bootstrap-icons.woff2``); run by
``scripts/vendor_assets.sh``. The full font is 134 kB and the page used some 40 of its
2,000 icons: the board's pages load a woff2 of those icons only (a few kB) and a stylesheet
with their rules only. An icon class (``bi-...``) used in ``layouts/``, ``callbacks/``,
``dashboard/`` or ``assets/`` (outside ``assets/vendor``) is kept; one that the package does
not have stops the script. ``tests/unit/test_vendored_icons.py`` checks that every icon the
code uses is in both files.

Needs fontTools and brotli (``requirements-dev.txt``).
"""

from __future__ import annotations

import hashlib
import re
import sys
from io import BytesIO
from pathlib import Path

from fontTools import subset

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "assets" / "vendor" / "bootstrap-icons"
SCANNED = ("layouts", "callbacks", "dashboard", "assets")
SUFFIXES = (".py", ".js", ".css")
ICON_CLASS = re.compile(r"\bbi-[a-z0-9]+(?:-[a-z0-9]+)*")
RULE = re.compile(r'\.(bi-[a-z0-9-]+)::before\{content:"\\([0-9a-f]+)"\}')


def used_icons() -> set[str]:
    """Every ``bi-...`` class named in the board's code."""
    found: set[str] = set()
    for folder in SCANNED:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in SUFFIXES and "vendor" not in path.parts:
                found.update(ICON_CLASS.findall(path.read_text(encoding="utf-8")))
    return found


def main(source: Path) -> None:
    css = (source / "bootstrap-icons.min.css").read_text(encoding="utf-8")
    rules = {name: int(code, 16) for name, code in RULE.findall(css)}
    wanted = sorted(used_icons())
    unknown = [name for name in wanted if name not in rules]
    if unknown:
        raise SystemExit(f"icons the package does not have: {', '.join(unknown)}")
    first_rule = RULE.search(css)
    assert first_rule is not None
    head = css[: first_rule.start()]  # licence comment, @font-face, the .bi base rules

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = []
    options.name_IDs = ["*"]  # keep the names (and the licence) of the font
    font = subset.load_font(str(source / "fonts" / "bootstrap-icons.woff2"), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[rules[name] for name in wanted])
    subsetter.subset(font)
    data = BytesIO()
    subset.save_font(font, data, options)
    woff2 = data.getvalue()
    version = hashlib.md5(woff2, usedforsecurity=False).hexdigest()

    face = re.sub(
        r"src:url\([^}]*\}",
        f'src:url("fonts/bootstrap-icons.woff2?{version}") format("woff2")}}',
        head,
        count=1,
    )
    body = "".join(f'.{name}::before{{content:"\\{rules[name]:x}"}}' for name in wanted)
    (OUT / "fonts").mkdir(parents=True, exist_ok=True)
    (OUT / "fonts" / "bootstrap-icons.woff2").write_bytes(woff2)
    (OUT / "bootstrap-icons.min.css").write_text(
        face + "/* the board's icons only: scripts/subset_icons.py */" + body + "\n",
        encoding="utf-8",
    )
    print(f"{len(wanted)} icons, woff2 {len(woff2):,} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
