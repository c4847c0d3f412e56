"""Linux packages: the .deb installs the bundle under /opt with links, menu entry and icons."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import tarfile
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]

needs_dpkg = pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs dpkg-deb")


@pytest.fixture()
def packaged(tmp_path: Path) -> Path:
    """build_linux.sh --package-only run on a stand-in bundle; returns the dist folder."""
    dist = tmp_path / "dist"
    bundle = dist / "cryptobot"
    (bundle / "_internal").mkdir(parents=True)
    executable = bundle / "cryptobot"
    executable.write_text("#!/bin/sh\necho cryptobot\n")
    executable.chmod(0o755)
    (bundle / "cryptobot-gui").symlink_to("cryptobot")
    env = {**os.environ, "DIST": str(dist), "WORK": str(tmp_path / "work")}
    subprocess.run(
        [str(ROOT / "packaging" / "build_linux.sh"), "--package-only"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return dist


def _deb(dist: Path) -> Path:
    (deb,) = dist.glob(f"cryptobot_{VERSION}_*.deb")
    return deb


@needs_dpkg
def test_deb_control_has_version_and_qt_system_dependencies(packaged: Path) -> None:
    deb = _deb(packaged)
    fields = {}
    for line in subprocess.check_output(["dpkg-deb", "-f", str(deb)], text=True).splitlines():
        name, sep, value = line.partition(": ")
        if sep and not line.startswith(" "):
            fields[name] = value
    assert fields["Package"] == "cryptobot"
    assert fields["Version"] == VERSION
    depends = {item.strip() for item in fields["Depends"].split(",")}
    assert {"libegl1", "libgl1", "libfontconfig1", "libxkbcommon0", "libxcb-cursor0"} <= depends
    assert int(fields["Installed-Size"]) > 0


@needs_dpkg
def test_deb_installs_to_opt_with_usr_bin_links_menu_entry_and_icons(packaged: Path) -> None:
    listing = subprocess.check_output(["dpkg-deb", "-c", str(_deb(packaged))], text=True)
    entries = {line.split()[5]: line for line in listing.splitlines()}
    assert entries["./opt/cryptobot/cryptobot"].startswith("-rwxr-xr-x root/root")
    assert "./usr/bin/cryptobot -> /opt/cryptobot/cryptobot" in listing
    assert "./usr/bin/cryptobot-gui -> /opt/cryptobot/cryptobot-gui" in listing
    assert "./usr/share/applications/cryptobot.desktop" in entries
    assert "./usr/share/icons/hicolor/256x256/apps/cryptobot.png" in entries
    assert "./usr/share/icons/hicolor/scalable/apps/cryptobot.svg" in entries


@needs_dpkg
def test_tarball_holds_the_bundle_folder(packaged: Path) -> None:
    (tarball,) = packaged.glob(f"cryptobot-{VERSION}-linux-*.tar.gz")
    with tarfile.open(tarball) as archive:
        names = set(archive.getnames())
        gui = archive.getmember("cryptobot/cryptobot-gui")
    assert {"cryptobot/cryptobot", "cryptobot/_internal"} <= names
    assert gui.issym() and gui.linkname == "cryptobot"


def test_package_only_without_a_bundle_says_what_to_do(tmp_path: Path) -> None:
    env = {**os.environ, "DIST": str(tmp_path / "dist"), "WORK": str(tmp_path / "work")}
    completed = subprocess.run(
        [str(ROOT / "packaging" / "build_linux.sh"), "--package-only"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 1
    assert "no bundle in" in completed.stderr and "build it first" in completed.stderr


def test_desktop_entry_starts_the_gui_with_the_installed_icon() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(ROOT / "installer" / "cryptobot.desktop")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Exec"] == "cryptobot-gui"
    assert entry["Icon"] == "cryptobot"
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";")
