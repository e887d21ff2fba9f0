"""Build the wheel to give learners: the library without the instructors' files.

    .venv/bin/python tools/learner_wheel.py [--out dist/]

The ordinary wheel (``pip wheel .``) is the instructors' one: beside the
package it installs, under ``<environment>/share/tensorslow-edu/``, the
instructor notebooks with their solutions, the hidden tests and the sample
class, so that ``tensorslow-edu init``, ``grade`` and ``grade --demo`` work
without the repository. This tool builds that wheel and writes a copy without
those data files (the ``*.data/`` folder of the wheel), with the wheel's
``RECORD`` updated to match, so ``pip`` installs it as usual. What remains is
the package itself: the library, ``check()`` and the visible tests.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def strip_data(wheel, out_dir):
    """A copy of ``wheel`` in ``out_dir`` without its ``<name>.data/`` entries; returns its path."""
    out = Path(out_dir) / Path(wheel).name
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            top = info.filename.split("/", 1)[0]
            if top.endswith(".data"):
                continue
            data = source.read(info)
            if top.endswith(".dist-info") and info.filename.endswith("/RECORD"):
                lines = data.decode().splitlines(keepends=True)
                data = "".join(line for line in lines if not line.split("/", 1)[0].endswith(".data")).encode()
            target.writestr(info, data)
    return out


def instructors_wheel(out_dir):
    """Build the ordinary (instructors') wheel into ``out_dir`` from a copy of the sources, so that
    building leaves nothing in the repository; returns its path."""
    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "source"
        ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
        for name in (
            "pyproject.toml",
            "README.md",
            "LICENSE",
            "tensorslow_edu",
            "course/instructor",
            "notebooks",
        ):
            if (ROOT / name).is_dir():
                shutil.copytree(ROOT / name, source / name, ignore=ignore)
            else:
                (source / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(ROOT / name, source / name)
        command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
        subprocess.run(
            [*command, "--wheel-dir", str(out_dir), str(source)], check=True, timeout=300, capture_output=True
        )
    return next(out_dir.glob("tensorslow_edu-*.whl"))


def build(out_dir):
    """The learners' wheel in ``out_dir``: the instructors' one without its data files."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        return strip_data(instructors_wheel(tmp), out_dir)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "dist"), help="folder for the wheel (default: dist/)")
    path = build(parser.parse_args().out)
    print(f"wrote {path}: the library for learners, without solutions, hidden tests or sample class")
