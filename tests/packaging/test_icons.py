"""The app icon: PNG sizes and the Windows .ico are rendered from the committed SVG."""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
ICONS = ROOT / "resources" / "icons"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def render_icons() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "render_icons", ROOT / "packaging" / "render_icons.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_committed_icons_match_the_svg(render_icons: ModuleType, qapp: object) -> None:
    assert render_icons.main(["--check"]) == 0, "run python packaging/render_icons.py"


def test_png_sizes_from_16_to_512(render_icons: ModuleType) -> None:
    for size in render_icons.PNG_SIZES:
        assert _png_size((ICONS / f"cryptobot-{size}.png").read_bytes()) == (size, size)
    assert min(render_icons.PNG_SIZES) == 16 and max(render_icons.PNG_SIZES) == 512


def test_ico_holds_every_windows_size_as_png() -> None:
    data = (ICONS / "cryptobot.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    sizes = []
    for index in range(count):
        width, height, _, _, _, bits, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * index : 22 + 16 * index]
        )
        image = data[offset : offset + length]
        edge = width or 256
        assert _png_size(image) == (edge, edge)
        assert height == width and bits == 32
        sizes.append(edge)
    assert sizes == [16, 24, 32, 48, 64, 128, 256]


def test_app_icon_is_not_blank(qapp: object) -> None:
    from PySide6.QtGui import QImage

    image = QImage(str(ICONS / "cryptobot-64.png"))
    colours = {image.pixel(x, y) for x in range(0, 64, 4) for y in range(0, 64, 4)}
    assert len(colours) > 4
    assert image.pixelColor(0, 0).alpha() == 0, "corners are transparent"
    assert image.pixelColor(32, 32).alpha() == 255
