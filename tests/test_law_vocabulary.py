"""The law's vocabulary (`law/vocabulary.py`) is complete, agrees with the parameter files, and
stays the only place that names the lists in Danish."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from boligsocial.law import vocabulary
from boligsocial.law.figures import Measure
from boligsocial.law.parameters import load_law
from boligsocial.law.verdicts import Verdict

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "boligsocial"

LIST_DICTS = {
    "LIST_SHORT_DA": vocabulary.LIST_SHORT_DA,
    "LIST_COLUMN_DA": vocabulary.LIST_COLUMN_DA,
    "LIST_MARK": vocabulary.LIST_MARK,
    "LIST_PLURAL_DA": vocabulary.LIST_PLURAL_DA,
}
LIST_FUNCTIONS = {
    "list_title_da": vocabulary.list_title_da,
    "list_name_da": vocabulary.list_name_da,
    "list_era_names_da": vocabulary.list_era_names_da,
}

# Modules still declaring their own list labels until their owner switches them to the
# vocabulary (a parallel restructuring of these files). Delete an entry once the file is clean:
# the test fails on entries that are no longer needed.
PENDING: dict[str, set[str]] = {}


def _reported_lists() -> set[str]:
    return {param.reported_as for rs in load_law().rule_sets for param in rs.lists.values()}


def test_the_rule_sets_report_exactly_the_vocabulary_lists() -> None:
    assert _reported_lists() == set(vocabulary.REPORTED_LISTS)


@pytest.mark.parametrize("variant", sorted(LIST_DICTS))
def test_every_reported_list_has_a_label_in_every_dict_variant(variant: str) -> None:
    labels = LIST_DICTS[variant]
    assert list(labels) == list(vocabulary.REPORTED_LISTS)
    assert all(label.strip() for label in labels.values())


@pytest.mark.parametrize("variant", sorted(LIST_FUNCTIONS))
def test_every_reported_list_has_a_label_from_every_function(variant: str) -> None:
    yaml_labels = {param.label.lower() for rs in load_law().rule_sets for param in rs.lists.values()}
    for name in _reported_lists():
        label = LIST_FUNCTIONS[variant](name)
        assert label.lower().split("/")[0] in yaml_labels, (name, label)


def test_list_titles_are_the_newest_rule_sets_labels() -> None:
    newest = max(load_law().rule_sets, key=lambda rs: rs.list_years.first)
    for param in newest.lists.values():
        assert vocabulary.list_title_da(param.reported_as) == param.label
        assert vocabulary.list_name_da(param.reported_as) == param.label.lower()


def test_era_names_hold_every_eras_label_from_the_parameter_files() -> None:
    for rule_set in load_law().rule_sets:
        for param in rule_set.lists.values():
            eras = vocabulary.list_era_names_da(param.reported_as).split("/")
            assert param.label.lower() in eras
    assert vocabulary.list_era_names_da("parallelsamfund") == "parallelsamfund/ghettoområde"
    assert vocabulary.list_era_names_da("omdannelsesomraade") == "omdannelsesområde/hårdt ghettoområde"


def test_an_unknown_list_name_is_shown_as_is() -> None:
    assert vocabulary.list_title_da("ukendt_liste") == "ukendt_liste"
    assert vocabulary.list_era_names_da("ukendt_liste") == "ukendt_liste"


def test_every_measure_status_and_verdict_has_its_words() -> None:
    for labels in (
        vocabulary.MEASURE_LABELS_DA,
        vocabulary.MEASURE_SHORT_DA,
        vocabulary.MEASURE_COLUMN_DA,
        vocabulary.MEASURE_DIGITS,
    ):
        assert set(labels) == set(Measure)
    for words in (
        vocabulary.STATUS_MARK_DA,
        vocabulary.STATUS_WORD_DA,
        vocabulary.STATUS_LABEL_DA,
        vocabulary.STATUS_SENTENCE_DA,
        vocabulary.STATUS_CSS,
    ):
        assert set(words) == {True, False, None}
    for verdicts in (vocabulary.VERDICT_WORD_DA, vocabulary.VERDICT_LABEL_DA):
        assert set(verdicts) == set(Verdict)
    certainties = {source.certainty for source in load_law().sources.values()}
    assert certainties | {"user"} <= set(vocabulary.CERTAINTY_DA)


def _list_label_dicts(tree: ast.AST) -> list[tuple[str, int]]:
    """Dict literals keyed by at least two reported list names (as strings or `Liste` members),
    with the name they are assigned to (or "?")."""
    names = set(vocabulary.REPORTED_LISTS)
    members = {name.upper() for name in names}
    found: list[tuple[str, int]] = []
    targets: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Dict):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            targets[id(node.value)] = target.id if isinstance(target, ast.Name) else "?"
    for node in ast.walk(tree):
        if not isinstance(node, ast.Dict):
            continue
        keys = [
            key.value
            if isinstance(key, ast.Constant)
            else key.attr.lower()
            if isinstance(key, ast.Attribute) and key.attr in members
            else None
            for key in node.keys
        ]
        if sum(1 for key in keys if key in names) >= 2:
            found.append((targets.get(id(node), "?"), node.lineno))
    return found


def test_list_labels_are_declared_only_in_the_vocabulary() -> None:
    offenders: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        if where == "law/vocabulary.py":
            continue
        found = _list_label_dicts(ast.parse(path.read_text(encoding="utf-8")))
        if found:
            offenders[where] = {name for name, _ in found}
    unexpected = {where: names for where, names in offenders.items() if names - PENDING.get(where, set())}
    assert not unexpected, (
        f"list labels declared outside law/vocabulary.py: {unexpected}; take them from boligsocial.law.vocabulary"
    )
    stale = {where for where in PENDING if where not in offenders}
    assert not stale, f"remove {sorted(stale)} from PENDING: the module takes its labels from the vocabulary now"


def test_the_scan_finds_a_list_label_dict() -> None:
    source = 'NAMES = {"udsat_boligomraade": "Udsat", "parallelsamfund": "Parallel"}\n'
    source += "PLURAL = {Liste.OMDANNELSESOMRAADE: 'x', Liste.FOREBYGGELSESOMRAADE: 'y'}\n"
    assert [name for name, _ in _list_label_dicts(ast.parse(source))] == ["NAMES", "PLURAL"]
