"""Secret storage over the OS keyring (and an opt-in encrypted file store)."""
