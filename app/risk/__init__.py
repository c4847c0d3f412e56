"""Position sizing, pre-trade checks, circuit breakers and the kill switch."""
