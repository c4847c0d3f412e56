"""Secret stores: keyring, encrypted file, credential references and rotation."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from app.core.errors import SecretStoreError
from app.security.api_keys import (
    ApiCredentials,
    credential_reference,
    key_age_days,
    load_credentials,
    mask,
    rotation_due,
    save_credentials,
)
from app.security.encrypted_file_store import EncryptedFileSecretStore
from app.security.keyring_store import KeyringSecretStore, keyring_status
from app.security.memory_store import InMemorySecretStore
from tests.memory_keyring import MemoryKeyring

CREDS = ApiCredentials("AKIAexamplekey1234", "s3cr3t-value-XYZ", "pass-phrase")
DAY = 86_400_000


def test_keyring_store_round_trip_and_delete(memory_keyring: MemoryKeyring) -> None:
    store = KeyringSecretStore()
    ref = credential_reference("binance")
    save_credentials(store, ref, CREDS)
    assert ("cryptobot", "binance:default") in memory_keyring.passwords
    assert load_credentials(store, ref) == CREDS
    store.delete(ref)
    store.delete(ref)  # deleting twice is fine
    with pytest.raises(SecretStoreError, match="enter it again"):
        load_credentials(store, ref)


def test_missing_keyring_backend_is_explained() -> None:
    keyring.set_keyring(fail.Keyring())
    status = keyring_status()
    assert not status.available
    assert "encrypted key file" in status.message
    with pytest.raises(SecretStoreError, match="no system keyring"):
        KeyringSecretStore().set("binance:default", "x")


def test_encrypted_file_store_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "keys.enc"
    store = EncryptedFileSecretStore.create(path, "correct horse")
    save_credentials(store, "kraken:default", CREDS)
    raw = path.read_text()
    assert CREDS.secret not in raw and CREDS.api_key not in raw and "correct horse" not in raw
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    reopened = EncryptedFileSecretStore.unlock(path, "correct horse")
    assert load_credentials(reopened, "kraken:default") == CREDS


def test_encrypted_file_wrong_password_and_tampering_are_detected(tmp_path: Path) -> None:
    path = tmp_path / "keys.enc"
    EncryptedFileSecretStore.create(path, "correct horse").set("a", "b")
    with pytest.raises(SecretStoreError, match="wrong password"):
        EncryptedFileSecretStore.unlock(path, "wrong horse!")
    document = json.loads(path.read_text())
    document["ciphertext"] = document["ciphertext"][:-4] + "AAAA"
    path.write_text(json.dumps(document))
    with pytest.raises(SecretStoreError, match=r"wrong password|modified"):
        EncryptedFileSecretStore.unlock(path, "correct horse")
    path.write_text("not json")
    with pytest.raises(SecretStoreError, match="damaged"):
        EncryptedFileSecretStore.unlock(path, "correct horse")


def test_encrypted_file_refuses_short_password_and_overwrite(tmp_path: Path) -> None:
    with pytest.raises(SecretStoreError, match="at least 8"):
        EncryptedFileSecretStore.create(tmp_path / "k.enc", "short")
    EncryptedFileSecretStore.create(tmp_path / "k.enc", "long enough")
    with pytest.raises(SecretStoreError, match="exists already"):
        EncryptedFileSecretStore.create(tmp_path / "k.enc", "long enough")


def test_credentials_never_show_secrets_in_repr() -> None:
    text = f"{CREDS!r} {CREDS}"
    assert CREDS.secret not in text and CREDS.api_key not in text and "1234" in text
    assert mask("short") == "***"
    assert CREDS.ccxt_credentials() == {
        "apiKey": CREDS.api_key,
        "secret": CREDS.secret,
        "password": "pass-phrase",
    }


def test_empty_key_is_refused() -> None:
    with pytest.raises(SecretStoreError, match="required"):
        save_credentials(InMemorySecretStore(), "x", ApiCredentials(" ", "s"))


def test_rotation_reminder_after_90_days() -> None:
    added = 1_700_000_000_000
    assert not rotation_due(added, added + 89 * DAY)
    assert rotation_due(added, added + 90 * DAY)
    assert not rotation_due(None, added)
    assert key_age_days(added, added + 45 * DAY + 5) == 45
