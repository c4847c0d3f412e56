"""Pure domain: money helpers, enums, value objects, events, errors and ports (stdlib only)."""
