"""API credentials held in memory for the ccxt constructor (never logged, never stored here)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Credentials:
    """An exchange API key pair; ``repr`` hides every secret field.

    Attributes:
        api_key: the public key id.
        secret: the signing secret.
        password: the passphrase some venues require (OKX, KuCoin), else None.
    """

    api_key: str = field(repr=False)
    secret: str = field(repr=False)
    password: str | None = field(default=None, repr=False)

    def as_ccxt_config(self) -> dict[str, str]:
        """The ccxt constructor keys (``apiKey``, ``secret``, ``password``)."""
        config = {"apiKey": self.api_key, "secret": self.secret}
        if self.password:
            config["password"] = self.password
        return config
