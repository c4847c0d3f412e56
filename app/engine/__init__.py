"""Trading runtime: event bus, workers, order execution, reconciliation, facade."""
