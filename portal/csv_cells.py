"""CSV exports streamed row by row, with cells a spreadsheet never evaluates as formulas."""

import csv

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def safe_cell(value) -> str:
    """A cell a spreadsheet never evaluates: a leading formula character gets a ' in front."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def row_writer():
    """A ``csv.writer`` whose ``writerow`` returns the encoded line (for a StreamingHttpResponse)."""
    return csv.writer(_Echo(), quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
