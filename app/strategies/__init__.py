"""Strategy API, parameter schema, registry, user plug-ins and built-in strategies."""
