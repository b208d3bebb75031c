"""DOCX numbering labels: longdoc against LibreOffice's rendering (issue 17).

    python bench/docx_labels.py            # compare longdoc with the committed fixtures; prints figures
    python bench/docx_labels.py --write    # regenerate the fixtures with LibreOffice, then compare

``--write`` converts every DOCX under ``--data`` (default ``$LONGDOC_SHARED_DATA/docx`` or
``../shared/data/docx``, recursively) with ``soffice --headless --convert-to txt:Text``
(Debian's ``libreoffice-writer-nogui``; a private user profile, so parallel runs do not collide)
and writes one fixture per DOCX to ``tests/fixtures/docx_labels/<folder>/<name>.txt``: one line
per numbered paragraph of the body (tables included), ``label<TAB>first 40 characters of the
paragraph text`` (whitespace runs as one space). The tests compare against these files and never
need LibreOffice.

How a label is read from LibreOffice: each DOCX is converted twice, as it is and with every
w:numPr removed from its document and styles. Both exports have one line per paragraph; where a
line differs, the numbered one is the plain one with the label in front (Writer's text filter
writes list items as four spaces per level, the label and a space; outline-numbered headings
without the indent), so the label is that prefix, stripped. Reading the label off one export
alone cannot tell "1. Software" typed by hand from a rendered "1." before "Software"; the diff can.
Decided here and kept the same on both sides:

* bullets are kept, as "•" (LibreOffice exports the bullet character; longdoc reads every
  bullet glyph as U+2022);
* a numbered paragraph with no text is kept, with empty text;
* paragraphs in text boxes, headers, footers and notes are not compared (LibreOffice's text
  export leaves them out).

Figures on the 31 shared DOCX: 787 labels, all equal to LibreOffice's (before the fix of
issue 17, 297 of 790 differed in 3 files: an empty paragraph carrying a section break was
numbered "1." and every clause after it shifted by one).

Exit status 1 when any file differs, so the script can gate a change.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.config import LimitsConfig  # noqa: E402
from pipeline.ingest.docx import numbering_labels  # noqa: E402

DATA = Path(os.environ.get("LONGDOC_SHARED_DATA", ROOT.parent / "shared" / "data")) / "docx"
FIXTURES = ROOT / "tests" / "fixtures" / "docx_labels"
TEXT_CHARS = 40
_NUMPR = re.compile(rb"<w:numPr\b[^>]*/>|<w:numPr\b.*?</w:numPr>", re.S)

Labels = list[tuple[str, str]]


def short(text: str) -> str:
    """The first ``TEXT_CHARS`` characters with whitespace runs as one space (no tabs in a fixture line)."""
    return " ".join(text.split())[:TEXT_CHARS].rstrip()


def without_numbering(data: bytes) -> bytes:
    """The same package with every w:numPr removed from the document and its styles."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            raw = src.read(info)
            if info.filename in ("word/document.xml", "word/styles.xml"):
                raw = _NUMPR.sub(b"", raw)
            dst.writestr(info, raw)
    return buf.getvalue()


def diff_labels(numbered: str, plain: str) -> Labels:
    """(label, text) from two text exports of one DOCX, with and without its numbering.

    Each paragraph is one line in both; a numbered line is the plain line with the label in
    front (list paragraphs also indented four spaces a level, outline-numbered headings not).
    """
    out: Labels = []
    a, b = numbered.lstrip("\ufeff").splitlines(), plain.lstrip("\ufeff").splitlines()
    if len(a) != len(b):
        raise ValueError(f"line counts differ: {len(a)} numbered, {len(b)} plain")
    for line, base in zip(a, b, strict=True):
        if line == base:
            continue
        if not line.endswith(base):
            raise ValueError(f"not a label in front: {line[:60]!r} vs {base[:60]!r}")
        out.append((line[: len(line) - len(base)].strip(), short(base)))
    return out


def libreoffice_labels(paths: list[Path], soffice: str) -> dict[Path, Labels]:
    """Each DOCX converted twice, as it is and without numbering; one soffice run per batch."""
    out: dict[Path, Labels] = {}
    with tempfile.TemporaryDirectory(prefix="lo-labels-") as tmp:
        profile = Path(tmp, "profile").as_uri()
        cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "txt:Text"]
        for n, path in enumerate(paths):  # numbered names: the same file name occurs in two folders
            Path(tmp, "in", "numbered").mkdir(parents=True, exist_ok=True)
            Path(tmp, "in", "plain").mkdir(parents=True, exist_ok=True)
            Path(tmp, "in", "numbered", f"{n}.docx").write_bytes(path.read_bytes())
            Path(tmp, "in", "plain", f"{n}.docx").write_bytes(without_numbering(path.read_bytes()))
        for kind in ("numbered", "plain"):
            files = sorted(str(p) for p in Path(tmp, "in", kind).glob("*.docx"))
            subprocess.run([*cmd, "--outdir", str(Path(tmp, kind)), *files], check=True, capture_output=True)
        for n, path in enumerate(paths):
            texts = [Path(tmp, kind, f"{n}.txt") for kind in ("numbered", "plain")]
            if not all(t.exists() for t in texts):
                print(f"{path.name}: LibreOffice wrote no text", file=sys.stderr)
                out[path] = []
                continue
            numbered, plain = (t.read_text(encoding="utf-8", errors="replace") for t in texts)
            out[path] = diff_labels(numbered, plain)
    return out


def fixture_path(path: Path, data: Path) -> Path:
    return FIXTURES / path.relative_to(data).with_suffix(".txt")


def write_fixture(target: Path, labels: Labels) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(f"{label}\t{text}\n" for label, text in labels), encoding="utf-8")


def read_fixture(target: Path) -> Labels:
    lines = target.read_text(encoding="utf-8").splitlines()
    return [(a, b) for a, _, b in (line.partition("\t") for line in lines)]


def longdoc_labels(path: Path) -> Labels:
    limits = LimitsConfig.model_validate({})
    return [(label, short(text)) for label, text in numbering_labels(path.read_bytes(), limits=limits)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--write", action="store_true", help="regenerate the fixtures with LibreOffice")
    ap.add_argument("--soffice", default=shutil.which("soffice") or "soffice")
    ap.add_argument("--verbose", "-v", action="store_true", help="print every differing label")
    args = ap.parse_args()
    data = args.data.resolve()
    paths = sorted(data.rglob("*.docx"))
    if not paths:
        print(f"no DOCX under {data}", file=sys.stderr)
        return 2
    if args.write:
        for path, labels in libreoffice_labels(paths, args.soffice).items():
            write_fixture(fixture_path(path, data), labels)
    files = compared = mismatched = bad_files = 0
    for path in paths:
        target = fixture_path(path, data)
        if not target.exists():
            print(f"{path.relative_to(data)}: no fixture (run with --write)")
            continue
        ref, ours = read_fixture(target), longdoc_labels(path)
        files += 1
        compared += max(len(ref), len(ours))
        # a label on the wrong paragraph is as wrong as a wrong label: compare both
        diffs = [(i, r, o) for i, (r, o) in enumerate(zip(ref, ours, strict=False)) if r != o]
        wrong = len(diffs) + abs(len(ref) - len(ours))
        mismatched += wrong
        bad_files += bool(wrong)
        state = "ok" if not wrong else f"{wrong} differ"
        print(f"{str(path.relative_to(data)):60} libreoffice {len(ref):4}  longdoc {len(ours):4}  {state}")
        for i, r, o in diffs[: None if args.verbose else 5]:
            print(f"    #{i}: libreoffice {r[0]!r} {r[1]!r}  longdoc {o[0]!r} {o[1]!r}")
        if len(ref) != len(ours):
            print(f"    count differs: libreoffice {len(ref)}, longdoc {len(ours)}")
    print(f"\n{files} DOCX, {compared} labels compared, {mismatched} mismatched, in {bad_files} file(s)")
    return 1 if mismatched else 0


if __name__ == "__main__":
    raise SystemExit(main())
