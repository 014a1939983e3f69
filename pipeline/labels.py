"""What readers see of codes and names: translated labels, the gettext catalog, file names.

One table of labels serves the templates (the ``label`` global), the charts and the
feedback workbooks.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = Path(__file__).resolve().parent / "locale"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


LABELS: dict[str, str] = {
    # the sheets of the return, as the template names them
    "Info": N_("Info"),
    "Cells": N_("Cells"),
    "Meetings": N_("Meetings"),
    "Admissions": N_("Admissions"),
    # submission status
    "on_time": N_("On time"),
    "late": N_("Late"),
    "rejected": N_("Rejected"),
    "missing": N_("Missing"),
    # profile dimensions
    "sex": N_("Sex"),
    "age_group": N_("Age"),
    "ethnic_minority": N_("Ethnic minority"),
    "religion": N_("Religion"),
    "occupation": N_("Occupation"),
    "education": N_("Education"),
    "referred_by": N_("Referred by"),
    # categories
    "male": N_("Male"),
    "female": N_("Female"),
    "under_30": N_("Under 30"),
    "30_and_over": N_("30 and over"),
    "yes": N_("Yes"),
    "no": N_("No"),
    "civil_servant": N_("Civil servant"),
    "armed_forces": N_("Armed forces"),
    "agriculture": N_("Agriculture"),
    "worker": N_("Worker"),
    "business": N_("Business"),
    "student": N_("Student"),
    "other": N_("Other"),
    "lower_secondary": N_("Lower secondary"),
    "upper_secondary": N_("Upper secondary"),
    "vocational": N_("Vocational"),
    "higher": N_("Higher education"),
    "postgraduate": N_("Postgraduate"),
    "youth_union": N_("Youth Union"),
    "women_union": N_("Women's Union"),
    "farmers_union": N_("Farmers' Union"),
    "veterans_association": N_("Veterans' Association"),
    "fatherland_front": N_("Fatherland Front"),
    "trade_union": N_("Trade Union"),
    "none": N_("None"),
    # meeting ratings
    "good": N_("Good"),
    "fair": N_("Fair"),
    "average": N_("Average"),
    "poor": N_("Poor"),
}


@cache
def translations(lang: str) -> Translations:
    """The gettext catalog of ``lang`` (English is the source language)."""
    po = LOCALES / lang / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return Translations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def label_for(lang: str) -> Callable[[str], str]:
    """Code -> its label in ``lang`` (a code without a label is shown as it is)."""
    gettext = translations(lang).gettext
    return lambda code: gettext(LABELS[code]) if code in LABELS else code


def slug(name: str) -> str:
    """ASCII file-name form of a Vietnamese name ("Xã Tân Phú" -> "xa-tan-phu")."""
    bare = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in bare if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", bare.lower()).strip("-") or "commune"
