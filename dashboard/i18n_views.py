"""Former home of the views' texts, now part of the one catalogue in :mod:`dashboard.i18n`.

``vtext`` stays importable for modules not yet moved to ``text``.
"""

from __future__ import annotations

from dashboard.i18n import TEXTS, text

VIEW_TEXTS = TEXTS
vtext = text

__all__ = ["VIEW_TEXTS", "text", "vtext"]
