"""Secret storage: API keys live only in the OS keyring (or an opt-in encrypted file).

The settings file holds a *reference* (``exchange:label``), never the secret itself.
"""
