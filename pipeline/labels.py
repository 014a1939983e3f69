"""Display names of the canonical codes, in English; translated through the gettext catalog.

One table serves the templates (the ``label`` global) and the charts.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


LABELS: dict[str, str] = {
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
}
