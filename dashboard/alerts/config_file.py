"""Reading the alerts' JSON configuration files (the rules, the notify file)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_json_file(path: Path, what: str, error: type[ValueError]) -> Any:
    """The document of the JSON file ``path``; ``error`` names the file and why it is unusable."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise error(f"cannot read the {what} {path}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise error(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
