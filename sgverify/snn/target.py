"""The target raster of the spike-train matching task: a dotted smiley of the project's own.

The image (200 rows = output neurons, 189 columns = 1 ms steps, docs/theory.md §7) is shipped as
``sgverify/data/smiley.pbm`` (binary PBM, ``P4``); :func:`draw` regenerates it from its
geometry, and a test checks that the shipped file is exactly that drawing. Curves are drawn
as dots about 4 pixels apart, so every neuron fires a few isolated spikes rather than bursts.

Examples
--------
>>> from sgverify.snn import target
>>> img = target.load()
>>> img.shape, int(img.sum())
((200, 189), 208)
>>> target.load(rows=50).shape
(50, 189)
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np

from .._validate import positive_int

__all__ = ["HEIGHT", "WIDTH", "draw", "load", "read_pbm", "write_pbm"]

HEIGHT, WIDTH = 200, 189
_FILE = "smiley.pbm"


def _arc(img: np.ndarray, centre: tuple[float, float], radius: tuple[float, float],
         start: float, stop: float, spacing: float = 4.0) -> None:
    length = abs(stop - start) * max(radius)
    phi = np.linspace(start, stop, max(2, int(length / spacing)), endpoint=False)
    rows = np.rint(centre[0] - radius[0] * np.sin(phi)).astype(int)
    cols = np.rint(centre[1] + radius[1] * np.cos(phi)).astype(int)
    img[rows, cols] = 1


def draw() -> np.ndarray:
    """The smiley as a ``(200, 189)`` uint8 array of 0/1 (rows = neurons, columns = steps)."""
    img = np.zeros((HEIGHT, WIDTH), dtype=np.uint8)
    _arc(img, (100.0, 96.0), (92.0, 84.0), 0.0, 2 * np.pi)                # face
    _arc(img, (65.0, 66.0), (12.0, 12.0), 0.0, 2 * np.pi)                 # left eye
    _arc(img, (65.0, 126.0), (12.0, 12.0), 0.0, 2 * np.pi)                # right eye
    _arc(img, (105.0, 96.0), (50.0, 52.0), 1.15 * np.pi, 1.85 * np.pi)    # mouth
    return img


def write_pbm(path: str | Path, img: np.ndarray) -> None:
    """Write a 0/1 image as binary PBM (``P4``; 1 = black = spike)."""
    img = np.asarray(img, dtype=np.uint8)
    header = f"P4\n{img.shape[1]} {img.shape[0]}\n".encode()
    Path(path).write_bytes(header + np.packbits(img, axis=1).tobytes())


def read_pbm(data: bytes) -> np.ndarray:
    """Parse binary PBM (``P4``) bytes into a 0/1 uint8 array."""
    tokens: list[bytes] = []
    pos = 0
    while len(tokens) < 3:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        tokens.append(data[pos:end])
        pos = end
    if tokens[0] != b"P4":
        raise ValueError("data must be a binary PBM image (magic P4)")
    width, height = int(tokens[1]), int(tokens[2])
    raw = np.frombuffer(data[pos + 1:], dtype=np.uint8)
    row_bytes = (width + 7) // 8
    if raw.size < row_bytes * height:
        raise ValueError("data: PBM image is truncated")
    bits = np.unpackbits(raw[: row_bytes * height].reshape(height, row_bytes), axis=1)
    return bits[:, :width]


def load(rows: int | None = None) -> np.ndarray:
    """The shipped target raster ``(neurons, steps)`` as float 0/1.

    ``rows`` keeps that many neurons, evenly spaced (a smaller task with the same shape).
    """
    data = resources.files("sgverify").joinpath("data", _FILE).read_bytes()
    img = read_pbm(data).astype(np.float64)
    if rows is not None:
        keep = np.linspace(0, img.shape[0] - 1, positive_int("rows", rows)).round().astype(int)
        img = img[keep]
    return img
