"""OCR of one page image with Tesseract (Debian's ``tesseract-ocr``), run as a subprocess.

Chosen by measurement (bench/bench_ocr.py) over rapidocr-onnxruntime, whose PP-OCRv4 models
drop the spaces between English words ("Anyadditionalnotesplayed…", 0.74 similarity to
linn.txt against Tesseract's 0.99). Tesseract's models come with the Debian package
(``tesseract-ocr-eng``, ``tesseract-ocr-osd``): nothing is downloaded at run time.

Rotation: ``--psm 1`` runs Tesseract's orientation detection (OSD) and reads a page turned by
90/180/270 degrees upright. Skew: Tesseract's layout analysis mixes the two columns of a page
scanned a few degrees off, so the image is deskewed here first (projection profile).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess

import numpy as np
import numpy.typing as npt

__all__ = ["OcrFailed", "OcrUnavailable", "deskew", "engine_problem", "ocr_image", "skew_angle"]

Gray = npt.NDArray[np.uint8]

_HINT = "install Tesseract for scanned pages: apt-get install tesseract-ocr tesseract-ocr-eng"


class OcrUnavailable(Exception):
    """No usable engine: Tesseract missing, or a configured language has no traineddata."""


class OcrFailed(Exception):
    """Tesseract failed or timed out on one page."""


@functools.cache
def _installed_languages(binary: str) -> frozenset[str]:
    try:
        out = subprocess.run(
            [binary, "--list-langs"], capture_output=True, timeout=30, check=True, env=_env()
        ).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    # The first line is a header ("List of available languages in ...").
    return frozenset(line.strip() for line in out.splitlines()[1:] if line.strip())


def _binary() -> str | None:
    return shutil.which("tesseract")


def engine_problem(languages: str) -> str | None:
    """Why OCR cannot run with ``languages`` (e.g. "eng+fra"), with what to install; None: it can."""
    binary = _binary()
    if binary is None:
        return f"Tesseract was not found ({_HINT})"
    installed = _installed_languages(binary)
    missing = [lang for lang in languages.split("+") if lang not in installed]
    if missing:
        return f"Tesseract has no model for {'+'.join(missing)} (apt-get install tesseract-ocr-<lang>)"
    return None


def _env() -> dict[str, str]:
    # One thread per Tesseract: OpenMP's default fan-out only fights the other workers' cores.
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def ocr_image(image: Gray, *, dpi: int, languages: str = "eng", timeout_s: float = 120.0) -> str:
    """The text of a grayscale page image, lines in reading order, paragraphs split by blank lines.

    Raises ``OcrUnavailable`` when the engine is missing and ``OcrFailed`` when it fails on
    this image (crash, timeout).
    """
    problem = engine_problem(languages)
    binary = _binary()
    if problem is not None or binary is None:
        raise OcrUnavailable(problem or "Tesseract was not found")
    image = deskew(image)
    # PGM needs no image library and Leptonica reads it from stdin.
    height, width = image.shape
    pgm = b"P5\n%d %d\n255\n" % (width, height) + np.ascontiguousarray(image).tobytes()
    # --psm 1: automatic layout with orientation detection (needs osd.traineddata); --psm 3
    # is the same layout analysis without it.
    psm = "1" if "osd" in _installed_languages(binary) else "3"
    args = [binary, "stdin", "stdout", "-l", languages, "--psm", psm, "--dpi", str(dpi)]
    args += ["-c", "page_separator="]
    try:
        done = subprocess.run(args, input=pgm, capture_output=True, timeout=timeout_s, env=_env())
    except subprocess.TimeoutExpired:
        raise OcrFailed(f"Tesseract took longer than {timeout_s:g} s") from None
    except OSError as exc:
        raise OcrFailed(f"Tesseract could not run: {exc}") from None
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise OcrFailed(f"Tesseract failed (exit {done.returncode}): {tail[0]}")
    return done.stdout.decode("utf-8", "replace").replace("\f", "")


# ---------------------------------------------------------------------------- deskew

_MAX_SKEW = 5.0  # degrees; beyond that it is a rotated page, which OSD handles
_SAMPLE_SIDE = 1000  # the angle is measured on an image about this large
_MAX_POINTS = 200_000


def skew_angle(image: Gray) -> float:
    """The angle in degrees (counter-clockwise positive) that text lines make with the horizontal.

    Projection profile: dark pixels projected onto the axis perpendicular to a candidate line
    angle pile up into sharp peaks (one per text line) only at the right angle.
    """
    step = max(1, max(image.shape) // _SAMPLE_SIDE)
    small = image[::step, ::step]
    ys, xs = np.nonzero(small < 128)
    if len(ys) < 500:  # blank or nearly blank: nothing to measure
        return 0.0
    if len(ys) > _MAX_POINTS:
        pick = np.random.default_rng(0).choice(len(ys), _MAX_POINTS, replace=False)
        ys, xs = ys[pick], xs[pick]
    y = ys.astype(np.float64)
    x = xs.astype(np.float64)

    def score(angle: float) -> float:
        rad = np.deg2rad(angle)
        # Row of each point once the image is turned by -angle (lines made horizontal).
        rows = y * np.cos(rad) + x * np.sin(rad)
        hist = np.bincount((rows - rows.min()).astype(np.int64))
        return float(np.dot(hist, hist))

    coarse = np.arange(-_MAX_SKEW, _MAX_SKEW + 1e-9, 0.25)
    best = max(coarse, key=score)
    fine = np.arange(best - 0.25, best + 0.25 + 1e-9, 0.05)
    return float(max(fine, key=score))


def deskew(image: Gray, *, min_angle: float = 0.1) -> Gray:
    """``image`` turned so that its text lines are horizontal (white fills the corners)."""
    angle = skew_angle(image)
    if abs(angle) < min_angle:
        return image
    return _rotate(image, angle)


def _rotate(image: Gray, angle: float) -> Gray:
    """Nearest-neighbour rotation about the centre, same size, in row blocks to bound memory."""
    height, width = image.shape
    rad = np.deg2rad(angle)
    cos, sin = np.cos(rad), np.sin(rad)
    cy, cx = (height - 1) / 2, (width - 1) / 2
    out = np.full_like(image, 255)
    xs = np.arange(width, dtype=np.float64) - cx
    for top in range(0, height, 256):
        ys = np.arange(top, min(height, top + 256), dtype=np.float64)[:, None] - cy
        # Where each output pixel comes from in the skewed input.
        src_y = np.rint(ys * cos - xs * sin + cy).astype(np.int64)
        src_x = np.rint(ys * sin + xs * cos + cx).astype(np.int64)
        inside = (src_y >= 0) & (src_y < height) & (src_x >= 0) & (src_x < width)
        block = out[top : top + len(ys)]
        block[inside] = image[src_y[inside], src_x[inside]]
    return out
