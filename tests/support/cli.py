"""The board's commands in a child process, as an operator runs them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping

from dashboard.settings import PROJECT_ROOT


def run_module(
    *args: str, env: Mapping[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """``python -m <args>`` in the repository with only ``env``; its output kept as text."""
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=PROJECT_ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
