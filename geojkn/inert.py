"""Text from data or from a user made inert for each kind of output, one function a kind: a name, a source, a file
or account name reaches a page, a sheet, a spreadsheet or a log only through the function of that output.

- paper (matplotlib's PDF and PNG): control and direction-changing characters dropped, line breaks and tabs made
  spaces; `$` is plain text because matplotlib's math markup is off for every page geojkn draws (printed.py).
- XLSX (openpyxl): the characters a workbook cannot hold (most control characters) dropped, and a text that a
  spreadsheet would run as a formula kept as text (a leading apostrophe).
- CSV: the same formula rule (formatting.safe_cell).
- HTML and JavaScript: escaped (maps/safety.escape_text; Jinja escapes every page).
- log lines: control characters written as escapes, so one line stays one line.
"""

from __future__ import annotations

import re
import unicodedata

from .formatting import safe_cell

# direction controls (LRE..RLO, LRI..PDI, LRM, RLM, ALM): they reorder what follows on paper
_BIDI = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[\r\n\t\v\f\u2028\u2029]+")
# what an XLSX cell cannot hold (openpyxl refuses it): C0 controls but tab, line feed and carriage return
_NOT_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _printable(text: str) -> str:
    """Line breaks and tabs as spaces, then no control or direction-changing character."""
    text = _BIDI.sub("", _SPACES.sub(" ", text))
    return "".join(c for c in text if unicodedata.category(c) != "Cc")


def for_paper(value: object) -> str:
    """Text as a printed page draws it (matplotlib, with its math markup off)."""
    return _printable("" if value is None else str(value))


def for_xlsx(value: object) -> str:
    """Text as a workbook cell holds it: no character openpyxl refuses, never a formula."""
    return safe_cell(_NOT_IN_XLSX.sub("", "" if value is None else str(value)))


def for_csv(value: object) -> str:
    """Text as a CSV cell holds it: never a formula (a spreadsheet opens the file)."""
    return safe_cell(value)


def for_log(value: object) -> str:
    """Text as one log line holds it: control characters as escapes (no forged line)."""
    text = "" if value is None else str(value)
    return "".join(c if unicodedata.category(c) != "Cc" else repr(c)[1:-1] for c in text)
