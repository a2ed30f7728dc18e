"""Rules and notify files: every mistake is a clear start-up error naming the problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.alerts.links import AckLinks, LinkError
from dashboard.alerts.notify import LOG_TARGET, NotifyError, load_notify, parse_notify
from dashboard.alerts.rules import RulesError, load_rules, parse_rules
from dashboard.settings import DEFAULT_ALERT_RULES_FILE


def test_default_rules_are_spec_section_8() -> None:
    rules = load_rules(DEFAULT_ALERT_RULES_FILE)
    overdue = rules.get("overdue")
    assert overdue is not None and overdue.audiences == ("agency", "supervisors")
    assert overdue.repeat_hours == 4
    assert overdue.escalate is not None
    assert overdue.escalate.after_hours == 24 and overdue.escalate.urgency_at_least == 3
    assert overdue.escalate.audiences == ("leaders",)
    assert rules.get("awaiting_forward").audiences == ("supervisors",)  # type: ignore[union-attr]
    assert rules.get("level4").audiences == ("supervisors", "leaders")  # type: ignore[union-attr]
    assert rules.get("board_stale").intervals == 3  # type: ignore[union-attr]
    assert {r.name for r in rules.rules} == {
        "overdue", "awaiting_forward", "level4", "board_stale", "surge", "screen_silent"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("document", "named"),
    [
        ([], "expected an object with a list 'rules'"),
        ({"rules": [{"name": "nope", "audiences": ["leaders"]}]}, "unknown rule 'nope'"),
        ({"rules": [{"name": "level4", "audiences": ["mayor"]}]}, "unknown audience 'mayor'"),
        ({"rules": [{"name": "level4", "audiences": []}]}, "'audiences' must be a non-empty"),
        ({"rules": [{"name": "level4", "audiences": ["leaders"], "repeat_hours": "4"}]},
         "'repeat_hours' must be a number"),
        ({"rules": [{"name": "level4", "audiences": ["leaders"], "for_seconds": -1}]},
         "'for_seconds' must be between"),
        ({"rules": [{"name": "level4", "audiences": ["leaders"], "colour": "red"}]},
         "unknown key 'colour'"),
        ({"rules": [{"name": "level4", "audiences": ["agency"]}]}, "'agency' applies to"),
        ({"rules": [{"name": "level4", "audiences": ["leaders"]}] * 2}, "appears twice"),
        ({"rules": [{"name": "overdue", "audiences": ["agency"], "escalate": {}}]},
         "needs 'after_hours' or 'urgency_at_least'"),
    ],
)  # fmt: skip
def test_bad_rules_name_the_problem(document: object, named: str) -> None:
    with pytest.raises(RulesError, match=None) as caught:
        parse_rules(document, "rules.json")
    assert named in str(caught.value) and "rules.json" in str(caught.value)


def test_unreadable_rules_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(RulesError, match="not valid JSON"):
        load_rules(path)
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(tmp_path / "missing.json")


def test_notify_file_of_the_documented_shape(tmp_path: Path) -> None:
    path = tmp_path / "notify.json"
    document = {
        "supervisors": ["json://127.0.0.1:9000/sup"],
        "leaders": ["mailto://127.0.0.1:2525?from=a@b.vn&to=c@d.vn"],
        "operations": [],
        "agencies": {"so_xay_dung": ["json://127.0.0.1:9000/sxd"]},
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    config = load_notify(path)
    assert len(config.targets("supervisors")) == 1
    assert config.targets("agency:so_xay_dung")[0].startswith("u")
    assert config.url_for(config.targets("agency:so_xay_dung")[0]) == "json://127.0.0.1:9000/sxd"
    assert config.targets("operations") == (LOG_TARGET,)
    assert load_notify(None).targets("leaders") == (LOG_TARGET,)  # no file: the log


@pytest.mark.parametrize(
    ("document", "named"),
    [
        (["json://x"], "expected an object"),
        ({"supervisor": ["json://127.0.0.1/x"]}, "unknown audience 'supervisor'"),
        ({"leaders": "json://127.0.0.1/x"}, "leaders must be a list"),
        ({"leaders": ["not a url"]}, "leaders[0]: 'not a url' is not an Apprise URL"),
        ({"leaders": ["nosuchscheme://host/x"]}, "Apprise does not accept the URL"),
        ({"agencies": {"Sở Xây dựng": ["json://127.0.0.1/x"]}}, "is not an agency code"),
        ({"agencies": ["json://127.0.0.1/x"]}, "agencies must be an object"),
    ],
)
def test_bad_notify_file_names_the_problem(document: object, named: str) -> None:
    with pytest.raises(NotifyError) as caught:
        parse_notify(document, "notify.json")
    assert named in str(caught.value)


def test_a_password_in_a_bad_url_is_not_echoed() -> None:
    with pytest.raises(NotifyError) as caught:
        parse_notify({"leaders": ["nosuchscheme://user:s3cret@host/x"]})
    assert "s3cret" not in str(caught.value)


def test_ack_links_are_signed_and_expire() -> None:
    links = AckLinks("key", max_age_hours=1)
    token = links.token([3, 5], "supervisors")
    claim = links.check(token)
    assert claim.alert_ids == (3, 5) and claim.audience == "supervisors"
    with pytest.raises(LinkError):
        AckLinks("another key", 1).check(token)
    with pytest.raises(LinkError):
        links.check(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])
    with pytest.raises(LinkError):
        links.check("x" * 9000)
    expired = AckLinks("key", max_age_hours=1)
    expired.max_age_seconds = -1
    with pytest.raises(LinkError, match="expired"):
        expired.check(token)
