"""The project's single error hierarchy.

Each class's docstring says who handles it and how. Third-party exceptions (ccxt, SQLAlchemy,
keyring) are converted at the boundary with ``raise ... from exc``.
"""

from __future__ import annotations


class CryptobotError(Exception):
    """Base of every error the project raises on purpose.

    Handled by: the caller that can act on the subclass; anything reaching the top level is
    logged with its traceback and shown to the user by the UI's exception hook or the CLI.
    """


# ----------------------------------------------------------------- user input and files
class ConfigError(CryptobotError):
    """Settings are invalid or unreadable.

    Handled by: the start-up code and the settings dialog, which show the message (it names the
    field and the problem) and refuse to continue with the bad value. Never auto-repaired.
    """


class DataError(CryptobotError):
    """Input data (a CSV, candles, a reply's payload) is malformed.

    Handled by: the importer/command that read it, which reports the line and reason to the user
    and stores nothing of the bad input.
    """


class StorageError(CryptobotError):
    """The database could not be read or written (locked, corrupt, migration failed).

    Handled by: the engine, which stops trading and alerts (it cannot record orders), and the
    CLI/UI, which show the message.
    """


class SecretStoreError(CryptobotError):
    """The keyring (or the encrypted file store) is unavailable or refused the operation.

    Handled by: the settings wizard/dialog, which explains the situation and offers the
    encrypted file store where no keyring backend exists.
    """


class StrategyError(CryptobotError):
    """A strategy failed to load, has invalid parameters, or raised while computing signals.

    Handled by: the strategy registry (a broken user file is reported, never crashes the app)
    and the strategy runner, which stops that one strategy and surfaces the error.
    """


class BacktestError(CryptobotError):
    """A backtest could not run (not enough data, bad settings).

    Handled by: the CLI and the backtest panel, which show the message.
    """


# ----------------------------------------------------------------- risk
class RiskRejected(CryptobotError):
    """A pre-trade check or circuit breaker refused an order.

    Handled by: the strategy runner / manual-order command, which records the rejection (audit
    log, backtest results) and does not submit. Never retried automatically.
    """


class KillSwitchEngaged(RiskRejected):
    """The kill switch is engaged: every new order is refused until a person resets it.

    Handled by: every order path; only the explicit reset command clears it.
    """


# ----------------------------------------------------------------- exchange
class ExchangeError(CryptobotError):
    """Any failure talking to an exchange.

    Handled by: the exchange adapter's callers according to the subclass below.
    """


class TemporaryExchangeError(ExchangeError):
    """A transient failure (network glitch, 5xx, maintenance) on a READ request.

    Handled by: the adapter, which retries reads with exponential backoff and jitter; after the
    last attempt it propagates to the worker, whose supervisor backs off and restarts it.
    """


class NetworkError(TemporaryExchangeError):
    """The connection failed or timed out.

    Handled by: the adapter's read retry; for order submission see :class:`OrderOutcomeUnknown`.
    """


class RateLimitExceeded(TemporaryExchangeError):
    """The exchange throttled us (HTTP 429/418). ``retry_after`` seconds, when the venue sent it.

    Handled by: the adapter, which waits at least ``retry_after`` before the next read.
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ExchangeUnavailable(TemporaryExchangeError):
    """The exchange is down or in maintenance (5xx).

    Handled by: the adapter's read retry and the per-exchange circuit breaker.
    """


class OrderOutcomeUnknown(ExchangeError):
    """An order request may or may not have reached the exchange (timeout, disconnect, 5xx).

    Handled by: the order executor, which NEVER resubmits: it looks the order up by its client
    order id and reconciles. Raised by the adapter only when that lookup also failed.
    """

    def __init__(self, message: str, client_order_id: str) -> None:
        super().__init__(message)
        self.client_order_id = client_order_id


class PermanentExchangeError(ExchangeError):
    """A request the exchange will refuse again if repeated.

    Handled by: the caller, which reports it and does not retry.
    """


class AuthenticationError(PermanentExchangeError):
    """API key/secret rejected, signature invalid, or IP not allowed.

    Handled by: the wizard's Test connection and the engine, which stops trading and asks the
    user to fix the key.
    """


class PermissionDenied(AuthenticationError):
    """The key lacks a needed permission, or has one we refuse (withdrawals).

    Handled by: the wizard (refuses the key) and the engine (stops trading).
    """


class ClockSkewError(AuthenticationError):
    """The exchange rejected the request timestamp (local clock out of sync).

    Handled by: the wizard and engine, which tell the user to sync the system clock.
    """


class InsufficientFunds(PermanentExchangeError):
    """The account cannot cover the order.

    Handled by: the order executor, which marks the order rejected and reports it.
    """


class InvalidOrder(PermanentExchangeError):
    """The exchange refused the order's parameters (precision, min notional, price band).

    Handled by: the order executor, which marks the order rejected and reports it.
    """


class DuplicateOrder(InvalidOrder):
    """The client order id was already used on the exchange.

    Handled by: the order executor, which looks the existing order up instead of placing another.
    """


class OrderNotFound(PermanentExchangeError):
    """The exchange does not know the order id / client order id.

    Handled by: reconciliation (the order never reached the exchange: mark it rejected) and
    cancel (already gone: refresh its state).
    """


class BadSymbol(PermanentExchangeError):
    """The exchange does not list the symbol.

    Handled by: the command or settings validation that named it; shown to the user.
    """


class StreamNotSupported(PermanentExchangeError):
    """The exchange (or this implementation of the port) cannot stream the asked data.

    Handled by: the market-data worker, which uses REST polling instead for the rest of the
    run and does not ask for the stream again.
    """


class BadExchangeReply(PermanentExchangeError):
    """The exchange answered with something we cannot parse.

    Handled by: the adapter's caller; logged with the payload (never the credentials).
    """


# ----------------------------------------------------------------- engine
class EngineError(CryptobotError):
    """The engine runtime cannot perform a command (not running, unknown strategy id, ...).

    Handled by: the facade's caller (UI/CLI), which shows the message.
    """
