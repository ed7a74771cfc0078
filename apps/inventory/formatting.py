"""Numbers as the inventory pages write them (the ``num`` template filter; the server table's cells)."""


def num(value):
    """A number without a useless ``.0``: ``8.0`` -> ``8``, ``7.5`` -> ``7.5``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.2f}".rstrip("0").rstrip(".")
