"""Invoices for the billing page and the API, cached per person.

Upstream calls: one ``GET /v2/invoice/{alias}/{year}/{month}`` per month shown. The page shows one
month and a chart of the last 12 (the shown month is one of them unless it is older): 12 calls cold,
fanned out; a completed month never changes, so it is kept for ``FINAL_SECONDS``; the running month
for the usual short time (``CLC_CACHE_SECONDS``, then refreshed in the background).
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from apps.accounts.reads import own_client
from apps.actions.registry import role_phrase
from apps.actions.roles import BILLING_VIEW
from apps.clc import billing as clc_billing
from apps.clc import errors
from apps.clc.billing import AccountInvoice, InvoiceLineItem
from apps.clc.fanout import fan_out
from apps.inventory.cache import PersonCache

FINAL_SECONDS = 6 * 3600
HISTORY_MONTHS = 12
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_GROUP = re.compile(r"^Server Group:\s*(.*?)(?:\s+-\s+[A-Za-z0-9]+)?$")
NOT_FOR_ROLE = f"Billing is for the {role_phrase(BILLING_VIEW)} roles; yours may not see invoices."
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def may_see_billing(user) -> bool:
    """AccountAdmin, AccountViewer or BillingAdmin (ROLES.md: billing details and usage history)."""
    return bool(set(getattr(user, "roles", None) or ()) & BILLING_VIEW)


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"

    def shift(self, months: int) -> "Month":
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)

    @classmethod
    def current(cls, now: datetime | None = None) -> "Month":
        now = now or datetime.now(UTC)
        return cls(now.year, now.month)

    @classmethod
    def parse(cls, text: str, *, latest: "Month") -> "Month":
        """``2026-07`` (or ``2026-7``); ``ValueError`` with a message for people."""
        match = _MONTH.match((text or "").strip())
        if not match:
            raise ValueError("A month is a four-digit year and a month 1-12, e.g. 2026-07.")
        month = cls(int(match.group(1)), int(match.group(2)))
        if not 1 <= month.month <= 12:
            raise ValueError("A month is 01 to 12.")
        if month.year < 2000:
            raise ValueError("Choose a month from 2000 on.")
        if month > latest:
            raise ValueError(f"{month.label} has not begun: the latest invoice is {latest.label}'s.")
        return month


# --- one invoice ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Line:
    """A line item as the page shows it: what kind of charge, and for a group its name."""

    item: InvoiceLineItem
    kind: str  # "group" | "deleted" | "ips" | "balancer" | "other"
    title: str

    @classmethod
    def of(cls, item: InvoiceLineItem) -> "Line":
        text = item.description
        match = _GROUP.match(text)
        if match:
            return cls(item, "group", match.group(1) or text)
        lowered = text.lower()
        if lowered.startswith("deleted servers"):
            return cls(item, "deleted", "Deleted servers")
        if lowered.startswith("external ip"):
            return cls(item, "ips", "Public IP addresses")
        if lowered.startswith("shared load balancer"):
            return cls(item, "balancer", "Shared load balancers")
        return cls(item, "other", text)


@dataclass(frozen=True)
class InvoiceView:
    month: Month
    invoice: AccountInvoice
    complete: bool  # a month that has ended (its figures are final)
    lines: tuple[Line, ...] = ()
    datacenters: tuple[tuple[str, float], ...] = ()  # (data center, total), by data center

    @property
    def total(self) -> float:
        return self.invoice.total_amount

    @property
    def server_count(self) -> int:
        return sum(len(line.item.details) for line in self.lines if line.kind in ("group", "deleted"))

    @classmethod
    def of(cls, month: Month, invoice: AccountInvoice, current: Month) -> "InvoiceView":
        totals: dict[str, float] = {}
        for item in invoice.line_items:
            where = item.service_location or "—"
            totals[where] = totals.get(where, 0.0) + item.total
        return cls(
            month=month,
            invoice=invoice,
            complete=month < current,
            lines=tuple(Line.of(item) for item in invoice.line_items),
            datacenters=tuple((dc, round(total, 2)) for dc, total in sorted(totals.items())),
        )


def _invoice(client, cache: PersonCache, month: Month, current: Month, fresh: bool = False) -> AccountInvoice:
    resource = f"invoice:{month.key}"
    if month < current:  # final: kept for hours, whatever the account's generation
        cached = None if fresh else cache.get_stable(resource)
        if isinstance(cached, AccountInvoice):
            return cached
        found = clc_billing.invoice(client, month.year, month.month)
        cache.put_stable(resource, found, FINAL_SECONDS)
        return found
    return cache.get_or_fetch(
        resource, lambda: clc_billing.invoice(client, month.year, month.month), fresh=fresh
    )


def invoice(
    user, month: Month, *, client=None, fresh: bool = False, now: datetime | None = None
) -> InvoiceView:
    current = Month.current(now)
    found = _invoice(own_client(user, client), PersonCache(user), month, current, fresh)
    return InvoiceView.of(month, found, current)


# --- the last months -----------------------------------------------------------------------------
@dataclass(frozen=True)
class MonthTotal:
    month: Month
    total: float | None  # None: could not be read
    complete: bool
    datacenters: tuple[tuple[str, float], ...] = ()
    error: str = ""


@dataclass(frozen=True)
class History:
    months: tuple[MonthTotal, ...]
    failed: int = 0

    @property
    def read(self) -> list[MonthTotal]:
        return [m for m in self.months if m.total is not None]

    def chart_series(self) -> list[tuple[str, list[str], list[float]]]:
        """``line_chart``'s input: the total and each data center, per month read."""
        read = self.read
        labels = [m.month.label for m in read]
        series = [("Total", labels, [m.total for m in read])]
        locations = sorted({dc for m in read for dc, _ in m.datacenters})
        for dc in locations:
            series.append((dc, labels, [dict(m.datacenters).get(dc, 0.0) for m in read]))
        return series if read else []


def history(
    user,
    *,
    months: int = HISTORY_MONTHS,
    client=None,
    fresh: bool = False,
    now: datetime | None = None,
    known: InvoiceView | None = None,
) -> History:
    """The totals of the last ``months`` months (the running one last), read concurrently; a month
    whose invoice can't be read is said, not fatal (except a 401, and a 403 for every month)."""
    current = Month.current(now)
    client = own_client(user, client)
    cache = PersonCache(user)
    wanted = [current.shift(-i) for i in range(months - 1, -1, -1)]

    def read(month: Month):
        if known is not None and known.month == month:
            return known.invoice
        return _invoice(client, cache, month, current, fresh)

    results = fan_out(read, wanted, return_exceptions=True)
    out, failed = [], 0
    for month, result in zip(wanted, results, strict=True):
        if isinstance(result, errors.Unauthorized | errors.Forbidden):
            raise result
        if isinstance(result, errors.ClcError):
            failed += 1
            out.append(MonthTotal(month, None, month < current, error=result.message))
            continue
        view = InvoiceView.of(month, result, current)
        out.append(MonthTotal(month, view.total, view.complete, view.datacenters))
    return History(tuple(out), failed)


@dataclass(frozen=True)
class BillingPage:
    view: InvoiceView
    history: History
    current: Month
    months: tuple[Month, ...] = field(default=())


def billing_page(
    user, month: Month, *, client=None, fresh: bool = False, now: datetime | None = None
) -> BillingPage:
    """The month's invoice and the last 12 months' totals (the month read once when among them)."""
    client = own_client(user, client)
    view = invoice(user, month, client=client, fresh=fresh, now=now)
    past = history(user, client=client, fresh=fresh, now=now, known=view)
    current = Month.current(now)
    return BillingPage(view, past, current, tuple(m.month for m in reversed(past.months)))
