"""Render resources/icons/cryptobot.svg to PNG sizes and a Windows .ico (run after editing the SVG).

Usage: ``python packaging/render_icons.py [--check]``. Uses Qt's SVG renderer, so it needs only the
app's own dependencies; ``--check`` exits 1 when a rendered file is missing or out of date.
"""

from __future__ import annotations

import argparse
import io
import struct
import sys
from collections.abc import Sequence
from pathlib import Path

ICON_DIR = Path(__file__).resolve().parents[1] / "resources" / "icons"
SOURCE = ICON_DIR / "cryptobot.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICO_NAME = "cryptobot.ico"
APP_PNG = "cryptobot.png"
APP_PNG_SIZE = 256


def render_png(svg: Path, size: int) -> bytes:
    """The SVG drawn on a transparent ``size`` x ``size`` canvas, encoded as PNG."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg}: not a valid SVG file")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding each PNG as one image (PNG entries, supported since Vista).

    Args:
        pngs: PNG data by edge length in pixels (at most 256).
    """
    header = struct.pack("<HHH", 0, 1, len(pngs))
    directory = io.BytesIO()
    images = io.BytesIO()
    offset = len(header) + 16 * len(pngs)
    for size, png in sorted(pngs.items()):
        edge = 0 if size >= 256 else size  # 0 means 256 in the ICO directory
        directory.write(struct.pack("<BBBBHHII", edge, edge, 0, 0, 1, 32, len(png), offset))
        images.write(png)
        offset += len(png)
    return header + directory.getvalue() + images.getvalue()


def rendered_files(svg: Path = SOURCE) -> dict[str, bytes]:
    """Every file rendered from ``svg``, by name inside resources/icons."""
    pngs = {size: render_png(svg, size) for size in PNG_SIZES}
    files = {f"cryptobot-{size}.png": data for size, data in pngs.items()}
    files[APP_PNG] = pngs[APP_PNG_SIZE]
    files[ICO_NAME] = ico_bytes({size: pngs[size] for size in ICO_SIZES})
    return files


def main(argv: Sequence[str] | None = None) -> int:
    """Write (or with ``--check`` verify) the rendered icons; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify instead of writing")
    args = parser.parse_args(argv)
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(["render_icons", "-platform", "offscreen"])
    stale = []
    for name, data in rendered_files().items():
        target = ICON_DIR / name
        if args.check:
            if not target.is_file() or target.read_bytes() != data:
                stale.append(name)
        else:
            target.write_bytes(data)
            print(f"wrote {target} ({len(data):,} bytes)")
    if stale:
        print(
            f"out of date: {', '.join(stale)}; run python packaging/render_icons.py",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
