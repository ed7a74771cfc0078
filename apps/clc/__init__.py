"""The CenturyLink Cloud API v2 client (see docs/client.md)."""
