"""The pool editor on a page: the pool's nodes (keep or drop each, its private port, enabled or
disabled) and the data center's servers to add (by name, with their internal addresses and power
state, one private port and status for all of them).

The page posts ``keep`` (row numbers of the nodes kept) with ``address-<n>``, ``port-<n>``,
``status-<n>`` per node, ``add`` (addresses of servers to add), ``add_port``, ``add_status`` and,
when the portal can't list the servers, ``other`` (addresses typed in). Only the inputs of the
nodes and the checked servers count, so a data center of a thousand servers stays a small POST.
``page_nodes`` turns that into the API's node list, which the form validates either way.
"""

import re
from dataclasses import dataclass, field

from django import forms
from django.template.loader import render_to_string

_SPLIT = re.compile(r"[\s,;]+")


def page_nodes(data) -> list[dict]:
    """The node list a page's POST asks for (the API's shape)."""
    out = []
    for n in data.getlist("keep"):
        n = str(n).strip()
        if not n.isdigit():
            continue
        out.append(
            {
                "ipAddress": data.get(f"address-{n}", ""),
                "privatePort": data.get(f"port-{n}", ""),
                "status": data.get(f"status-{n}", "enabled"),
            }
        )
    added = [a for a in data.getlist("add") if a.strip()]
    added += [a for a in _SPLIT.split(data.get("other", "")) if a.strip()]
    for address in dict.fromkeys(a.strip() for a in added):
        out.append(
            {
                "ipAddress": address,
                "privatePort": data.get("add_port", ""),
                "status": data.get("add_status", "enabled"),
            }
        )
    return out


class NodesWidget(forms.Widget):
    """Reads the editor's inputs (a page) or the ``nodes`` list (the API's JSON); renders the
    editor the form prepared (``editor``)."""

    editor = None

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            return page_nodes(data)
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return False

    def render(self, name, value, attrs=None, renderer=None):
        return render_to_string("balancers/_nodes_editor.html", {"editor": self.editor, "name": name})


@dataclass
class KeptRow:
    n: int
    address: str
    port: str
    status: str
    kept: bool = True
    server: object = None
    flag: str = ""


@dataclass
class CandidateRow:
    server: object
    address: str
    checked: bool = False
    in_pool: bool = False


@dataclass
class Editor:
    kept: list = field(default_factory=list)
    candidates: list = field(default_factory=list)
    add_port: str = ""
    add_status: str = "enabled"
    other: str = ""
    listable: bool = True  # the portal could read the data center's servers
    note: str = ""


def editor_of(view, data=None) -> Editor:
    """The editor's rows for a ``PoolView``, with what a page posted (``data``) kept on a re-render."""
    if view is None or not hasattr(view, "rows"):
        return Editor()
    posted = data if data is not None and hasattr(data, "getlist") else None
    keep = set(posted.getlist("keep")) if posted is not None else None
    added = set(posted.getlist("add")) if posted is not None else set()
    editor = Editor(
        add_port=(posted.get("add_port") if posted is not None else None) or str(view.pool.port),
        add_status=(posted.get("add_status") if posted is not None else None) or "enabled",
        other=posted.get("other", "") if posted is not None else "",
        listable=view.index is not None,
        note=view.servers_note,
    )
    for n, row in enumerate(view.rows):
        node = row.node
        editor.kept.append(
            KeptRow(
                n=n,
                address=node.ip_address,
                port=posted.get(f"port-{n}", str(node.private_port))
                if posted is not None
                else str(node.private_port),
                status=posted.get(f"status-{n}", node.status) if posted is not None else node.status,
                kept=str(n) in keep if keep is not None else True,
                server=row.server,
                flag=row.flag,
            )
        )
    in_pool = {row.node.ip_address for row in view.rows}
    if view.index is not None:
        for server in view.index.candidates:
            for address in server.internal_ips:
                editor.candidates.append(CandidateRow(server, address, address in added, address in in_pool))
    return editor
