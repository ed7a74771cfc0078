"""Link entities (``{rel, href, id?, name?, verbs?}``) as the Links Framework page defines them."""


def link(rel: str, href: str, *, id: str | None = None, name: str | None = None, verbs=None) -> dict:
    out = {"rel": rel, "href": href}
    if id is not None:
        out["id"] = id
    if name is not None:
        out["name"] = name
    if verbs:
        out["verbs"] = list(verbs)
    return out


def status_link(alias: str, op_id: str) -> dict:
    return {"rel": "status", "href": f"/v2/operations/{alias.lower()}/status/{op_id}", "id": op_id}
