"""Who may set the account's webhooks up (ROLES.md "Webhooks: add, edit, delete"); every role may
see them."""

MANAGERS = frozenset({"AccountAdmin", "SecurityAdmin"})
