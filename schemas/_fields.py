"""Shared helpers for declaring sheet columns and their checks."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa


def column(
    kind: str, *aliases: str, nullable: bool = True, optional: bool = False, **kwargs: Any
) -> Any:
    """A pandera Field carrying what the reader needs: the header aliases and the value kind.

    Kinds: text, code, commune_code, int, date, month, period, bool, list:<value list>.
    An ``optional`` column may be absent from a return: its values are then "not
    reported" (NULL), never blank, zero or false.
    """
    metadata = {"kind": kind, "aliases": list(aliases), "optional": optional}
    return pa.Field(nullable=nullable, metadata=metadata, **kwargs)


def passes_unless(failure: pd.Series) -> pd.Series:
    """A check result from a failure condition; unknown (NA) never fails, another rule owns it."""
    return ~failure.astype("boolean").fillna(False).astype(bool)
