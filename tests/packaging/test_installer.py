"""The InnoSetup script: upgrades in place, installs per user, keeps user data by default."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ISS = (ROOT / "installer" / "cryptobot.iss").read_text()

# Released installers carry this id; changing it would install a second copy instead of upgrading.
APP_ID = "{{7C4E2A91-5B3D-4F86-A0E2-9D13C5B8F467}"


def _setup(key: str) -> str:
    match = re.search(rf"^{key}=(.*)$", ISS, re.MULTILINE)
    assert match, key
    return match.group(1).strip()


def test_app_id_is_stable() -> None:
    assert _setup("AppId") == APP_ID


def test_installs_per_user_without_admin_by_default() -> None:
    assert _setup("PrivilegesRequired") == "lowest"
    assert _setup("DefaultDirName") == r"{autopf}\{#AppName}"


def test_version_comes_from_the_bundled_executable_unless_given() -> None:
    assert (
        '#define AppVersion GetVersionNumbersString(AddBackslash(BundleDir) + "cryptobot.exe")'
        in ISS
    )
    assert _setup("AppVersion") == "{#AppVersion}"


def test_start_menu_optional_desktop_icon_and_launch_after_install() -> None:
    assert re.search(
        r'^Name: "\{group\}\\\{#AppName\}"; Filename: "\{app\}\\\{#AppExe\}"', ISS, re.M
    )
    assert re.search(r'^Name: "desktopicon".*Flags: unchecked$', ISS, re.M)
    assert re.search(r"^Filename: \"\{app\}\\\{#AppExe\}\".*postinstall skipifsilent$", ISS, re.M)


def test_uninstall_deletes_user_data_only_when_asked() -> None:
    code = ISS.split("[Code]", 1)[1]
    assert "MB_DEFBUTTON2) = IDYES then" in code  # "No" (keep) is the default answer
    assert "not UninstallSilent" in code
    assert code.count("DelTree(") == 1
