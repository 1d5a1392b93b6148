"""The DNS record a domain needs at its DNS host, as a table: the domain screen shows it
and the CNAME plan repeats it (a module of its own so neither screen imports the other)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from tui.dns_plan import host_record
from tui.dns_rules import FREE_MIN_TTL
from tui.safe_text import shown


def record_table(domain: str, cname: str, ttl: int = FREE_MIN_TTL) -> Table:
    table = Table(box=None, padding=(0, 2, 0, 0), show_edge=False)
    for column in ("Host", "Type", "Value", "TTL"):
        table.add_column(column, style="bold" if column == "Value" else "")
    table.add_row(
        Text(shown(host_record(domain))), Text("CNAME"), Text(shown(cname)), Text(str(ttl))
    )
    return table
