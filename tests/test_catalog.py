"""The message catalogue and translations are complete and consistent."""

from __future__ import annotations

import re
import string

from babel.messages.pofile import read_po

from pipeline.labels import LOCALES
from pipeline.problems import CODES, PANDERA_CHECKS, REFERENCE_CODES
from schemas import SHEETS


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_rule_speaks_both_languages_with_the_same_placeholders():
    for code, rule in CODES.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code), code
        assert rule.en.strip() and rule.vi.strip(), code
        assert placeholders(rule.en) == placeholders(rule.vi), code


def test_every_rule_has_a_short_title_of_its_own():
    for catalogue in (CODES, REFERENCE_CODES):
        titles = {code: rule.title for code, rule in catalogue.items()}
        for code, title in titles.items():
            # a few words, as frictionless' error types have ("Missing column"): no
            # placeholder, no sentence
            assert re.fullmatch(r"[A-Z][\w ,'-]{2,44}", title), (code, title)
        assert len(set(titles.values())) == len(titles), "two rules share a title"


def test_every_schema_check_is_a_catalogued_rule():
    for spec in SHEETS:
        schema = spec.model.to_schema()
        names = [c.name for c in schema.checks]
        names += [c.name for column in schema.columns.values() for c in column.checks]
        for name in names:
            assert PANDERA_CHECKS.get(name, name) in CODES, (spec.name, name)


def test_vietnamese_catalogue_has_no_empty_translation():
    with (LOCALES / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    empty = [m.id for m in catalog if m.id and not m.string]
    assert empty == []
    # and the placeholders survive translation
    for message in catalog:
        if message.id:
            assert set(re.findall(r"%\((\w+)\)s", message.id)) == set(
                re.findall(r"%\((\w+)\)s", message.string)
            ), message.id
