"""What a command says when it cannot do its job: one line, in the language of the run.

The job often fails before it knows that language (the reference folder is missing, the
lock is taken), so a failure carries its message untranslated, marked with ``N_`` for the
catalog, and its values; the command line translates it when it prints it.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pipeline import formats
from pipeline.labels import translations


class Phrase(str):
    """A catalog message used as a value of another (a reason, a verdict): translated too."""

    __slots__ = ()


class Failure(Exception):
    """The command cannot go on; ``text(lang)`` says why and what to do."""

    def __init__(self, message: str, **values: str | int | Path) -> None:
        super().__init__(message)
        self.message = message  # the catalog's English msgid, with %(name)s placeholders
        self.values = values

    def text(self, lang: str) -> str:
        """The message in ``lang``, numbers written as the language writes them."""
        shown = {name: _shown(value, lang) for name, value in self.values.items()}
        return translations(lang).gettext(self.message) % shown

    def __str__(self) -> str:
        return self.text("en")


def _shown(value: str | int | Path, lang: str) -> str:
    if isinstance(value, Phrase):
        return translations(lang).gettext(value)
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return formats.number(value, lang)
    return str(value)
