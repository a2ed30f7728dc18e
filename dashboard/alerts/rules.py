"""Alert rules as data: a JSON file a deployment edits (``HOTLINE_ALERT_RULES_FILE``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboard.alerts.config_file import read_json_file

# The rules the board knows how to evaluate; a file may tune, disable or omit them.
KNOWN_RULES: tuple[str, ...] = (
    "overdue",
    "awaiting_forward",
    "level4",
    "board_stale",
    "surge",
    "screen_silent",
)
# Rules whose candidates come from a provider (operations intelligence, issue 13).
PROVIDED_RULES: tuple[str, ...] = ("surge", "screen_silent")
AUDIENCES: tuple[str, ...] = ("supervisors", "leaders", "operations", "agency")
RULE_KEYS = frozenset(
    {"name", "enabled", "audiences", "for_seconds", "repeat_hours", "escalate", "intervals"}
)
ESCALATE_KEYS = frozenset({"after_hours", "urgency_at_least", "audiences"})


class RulesError(ValueError):
    """The rules file is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class Escalation:
    """When an alert escalates, and to whom."""

    after_hours: float | None
    urgency_at_least: int | None
    audiences: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    """One rule: its audiences and timings."""

    name: str
    enabled: bool
    audiences: tuple[str, ...]
    for_seconds: float = 0.0
    repeat_hours: float = 4.0
    escalate: Escalation | None = None
    intervals: int = 3  # board_stale: how many refresh intervals without the database


@dataclass(frozen=True)
class RuleSet:
    """The rules of the board, by name."""

    rules: tuple[Rule, ...]

    def get(self, name: str) -> Rule | None:
        """The enabled rule of that name (None when absent or disabled)."""
        for rule in self.rules:
            if rule.name == name and rule.enabled:
                return rule
        return None

    def enabled(self) -> tuple[Rule, ...]:
        """The enabled rules."""
        return tuple(rule for rule in self.rules if rule.enabled)


def _number(where: str, key: str, value: Any, *, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RulesError(f"{where}: '{key}' must be a number, not {value!r}")
    if not low <= float(value) <= high:
        raise RulesError(f"{where}: '{key}' must be between {low:g} and {high:g}, not {value!r}")
    return float(value)


def _audiences(where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise RulesError(f"{where}: 'audiences' must be a non-empty list of {', '.join(AUDIENCES)}")
    result: list[str] = []
    for item in value:
        if item not in AUDIENCES:
            raise RulesError(f"{where}: unknown audience {item!r} (known: {', '.join(AUDIENCES)})")
        if item not in result:
            result.append(item)
    return tuple(result)


def _escalation(where: str, value: Any) -> Escalation | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RulesError(f"{where}: 'escalate' must be an object")
    unknown = sorted(set(value) - ESCALATE_KEYS)
    if unknown:
        raise RulesError(f"{where}.escalate: unknown key {unknown[0]!r}")
    after = value.get("after_hours")
    urgency = value.get("urgency_at_least")
    if after is None and urgency is None:
        raise RulesError(f"{where}.escalate: needs 'after_hours' or 'urgency_at_least'")
    return Escalation(
        after_hours=None
        if after is None
        else _number(where + ".escalate", "after_hours", after, low=0, high=24 * 365),
        urgency_at_least=None
        if urgency is None
        else int(_number(where + ".escalate", "urgency_at_least", urgency, low=1, high=4)),
        audiences=_audiences(where + ".escalate", value.get("audiences", ["leaders"])),
    )


def parse_rules(document: Any, source: str = "rules file") -> RuleSet:
    """Validate a rules document; RulesError names the problem."""
    if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
        raise RulesError(f"{source}: expected an object with a list 'rules'")
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, item in enumerate(document["rules"]):
        where = f"{source}: rules[{index}]"
        if not isinstance(item, dict):
            raise RulesError(f"{where} must be an object")
        name = item.get("name")
        if name not in KNOWN_RULES:
            raise RulesError(f"{where}: unknown rule {name!r} (known: {', '.join(KNOWN_RULES)})")
        where = f"{source}: rule {name!r}"
        if name in seen:
            raise RulesError(f"{where} appears twice")
        seen.add(name)
        unknown = sorted(set(item) - RULE_KEYS)
        if unknown:
            raise RulesError(f"{where}: unknown key {unknown[0]!r}")
        enabled = item.get("enabled", True)
        if not isinstance(enabled, bool):
            raise RulesError(f"{where}: 'enabled' must be true or false")
        audiences = _audiences(where, item.get("audiences"))
        if "agency" in audiences and name != "overdue":
            raise RulesError(f"{where}: the audience 'agency' applies to the rule 'overdue' only")
        rules.append(
            Rule(
                name=name,
                enabled=enabled,
                audiences=audiences,
                for_seconds=_number(
                    where, "for_seconds", item.get("for_seconds", 0), low=0, high=86400
                ),
                repeat_hours=_number(
                    where, "repeat_hours", item.get("repeat_hours", 4), low=0.01, high=24 * 30
                ),
                escalate=_escalation(where, item.get("escalate")),
                intervals=int(
                    _number(where, "intervals", item.get("intervals", 3), low=1, high=1000)
                ),
            )
        )
    return RuleSet(tuple(rules))


def load_rules(path: Path) -> RuleSet:
    """Read and validate the rules file."""
    document = read_json_file(path, "rules file", RulesError)
    return parse_rules(document, str(path))
