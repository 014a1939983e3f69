"""Reference data and province settings maintained by the province (SPEC §2).

``data/reference/`` holds ``communes``, ``targets`` and optionally
``referral_targets`` (each ``.csv`` or ``.xlsx``), and ``province.toml``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.values import fold

CONFIG_FILE = "province.toml"


class ReferenceError(Exception):
    """The reference folder cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class Settings:
    """Province-level settings (``province.toml``)."""

    province_name: str = "Tỉnh"
    deadline_days: int = 10
    stale_years: int = 3
    language: str = "vi"


@dataclass(frozen=True)
class Reference:
    settings: Settings
    communes: pd.DataFrame  # commune_code, commune_name, cluster
    targets: pd.DataFrame  # commune_code, year, admissions_target
    referral_targets: pd.DataFrame  # commune_code, year, referred_by, referrals_target


_COLUMNS = {
    "communes": {"commune_code": "str", "commune_name": "str", "cluster": "str"},
    "targets": {"commune_code": "str", "year": "int", "admissions_target": "int"},
    "referral_targets": {
        "commune_code": "str",
        "year": "int",
        "referred_by": "str",
        "referrals_target": "int",
    },
}
_OPTIONAL = {("communes", "cluster")}


def load_reference(folder: Path) -> Reference:
    """Read the reference folder; raises ``ReferenceError`` with what to fix."""
    if not folder.is_dir():
        raise ReferenceError(f"The reference folder {folder} does not exist.")
    config = folder / CONFIG_FILE
    settings = Settings()
    if config.exists():
        try:
            raw = tomllib.loads(config.read_text(encoding="utf-8"))
            settings = Settings(**{k: raw[k] for k in Settings.__dataclass_fields__ if k in raw})
        except (tomllib.TOMLDecodeError, TypeError) as exc:
            raise ReferenceError(f"{config} cannot be read: {exc}") from exc
    return Reference(
        settings=settings,
        communes=_table(folder, "communes", required=True),
        targets=_table(folder, "targets", required=True),
        referral_targets=_table(folder, "referral_targets", required=False),
    )


def _table(folder: Path, name: str, *, required: bool) -> pd.DataFrame:
    columns = _COLUMNS[name]
    path = next((p for p in (folder / f"{name}.csv", folder / f"{name}.xlsx") if p.exists()), None)
    if path is None:
        if required:
            raise ReferenceError(f"{folder} has no {name}.csv or {name}.xlsx.")
        return _typed(pd.DataFrame({c: [] for c in columns}, dtype="str"), columns, name)
    if path.suffix == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    else:
        frame = pd.read_excel(path, dtype=str, engine="calamine").fillna("")
    frame.columns = [fold(str(c)).replace(" ", "_") for c in frame.columns]
    for column in columns:
        if column not in frame.columns:
            if (name, column) not in _OPTIONAL:
                raise ReferenceError(f"{path} has no column {column}.")
            frame[column] = ""
    return _typed(frame[list(columns)], columns, name)


def _typed(frame: pd.DataFrame, columns: dict[str, str], name: str) -> pd.DataFrame:
    frame = frame.astype("str").apply(lambda s: s.str.strip())
    out = pd.DataFrame(index=frame.index)
    for column, kind in columns.items():
        values = frame[column]
        if kind == "int":
            try:
                out[column] = pd.to_numeric(values).astype("Int64")
            except (ValueError, TypeError) as exc:
                raise ReferenceError(f"{name}: {column} must hold whole numbers ({exc}).") from exc
        elif column == "commune_code":
            # "6253" (a code that lost its leading zero in a spreadsheet) is "06253".
            out[column] = values.str.replace(r"\.0$", "", regex=True).str.zfill(5)
        else:
            out[column] = values.where(values != "", None)
    return out.sort_values(list(out.columns[:2])).reset_index(drop=True)
