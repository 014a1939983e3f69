"""The run's clock: the one place that asks what day it is.

``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC), when set, fixes it: reruns on the same
inputs then give byte-identical outputs. It dates the bulletins ("generated on"), decides
whether a period has started, and stamps what ``distribute`` sends.
"""

from __future__ import annotations

import datetime as dt
import os


def now() -> dt.datetime:
    """The run's time, in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC) if epoch else dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """The run's date."""
    return now().date()
