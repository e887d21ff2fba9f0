"""``tensorslow-edu gradescope``: the autograder zip that runs the same grader on Gradescope.

The zip holds ``setup.sh`` (installs Python, the pinned grader dependencies
and this package), ``run_autograder`` (grades ``/autograder/submission`` and
writes ``/autograder/results/results.json``), the package source and the
hidden tests. Upload it as the assignment's autograder ("Zip file upload").

``AUTOGRADER_ROOT`` and ``AUTOGRADER_PYTHON`` override ``/autograder`` and the
Python to use, so the zip can be tried locally before uploading.
"""

import re
import shutil
import stat
import zipfile
from pathlib import Path

from .grade import DEFAULT_HIDDEN, PACKAGE_ROOT

GRADER_PACKAGES = ("numpy", "matplotlib", "nbformat", "ipython", "tqdm", "fastjsonschema", "jsonschema",
                   "traitlets", "jupyter-core", "jupyter_core")

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, when the autograder image is built.
set -euo pipefail
apt-get update
apt-get install -y --no-install-recommends python3 python3-pip python3-venv
python3 -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --upgrade pip
/autograder/venv/bin/python -m pip install -r /autograder/source/requirements-grader.txt
/autograder/venv/bin/python -m pip install --no-deps /autograder/source/package
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission. It always leaves a results.json.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PY="${{AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}}"
mkdir -p "$ROOT/results"
"$PY" -m tensorslow_edu.cli grade "$ROOT/submission" --part {part} --hidden "$ROOT/source/hidden" \\
    --out "$ROOT/grading" --jobs 1 --timeout {timeout} --quiet \\
    --gradescope-results "$ROOT/results/results.json"
status=$?
if [ $status -ne 0 ] || [ ! -s "$ROOT/results/results.json" ]; then
    printf '{{"score": 0, "output": "The autograder could not grade this submission (exit code %s). Please contact the course staff.", "tests": []}}\\n' "$status" > "$ROOT/results/results.json"
fi
exit 0
"""


def grader_requirements(lock):
    """The lines of the lock file that the grader needs (numpy, matplotlib, nbformat, IPython, tqdm, ...)."""
    keep = []
    for line in Path(lock).read_text().splitlines():
        name = re.split(r"[=<>!~ ;\[]", line.strip(), maxsplit=1)[0].lower().replace("_", "-")
        if name and not line.lstrip().startswith("#") and name in {p.replace("_", "-") for p in GRADER_PACKAGES}:
            keep.append(line.strip())
    return keep


def build_zip(out, part, hidden_dir=DEFAULT_HIDDEN, timeout=120):
    """Write the autograder zip to ``out``; return its path."""
    out = Path(out)
    hidden_dir = Path(hidden_dir)
    if not (hidden_dir / "__init__.py").is_file():
        raise FileNotFoundError(f"no hidden tests in {hidden_dir}; pass --hidden DIR.")
    package = PACKAGE_ROOT / "tensorslow_edu"
    lock = PACKAGE_ROOT / "requirements" / "lock.txt"
    requirements = grader_requirements(lock) if lock.is_file() else [
        "numpy", "matplotlib", "nbformat", "ipython", "tqdm"]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")

    def add(zf, path, arcname):
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and "__pycache__" not in child.parts and child.suffix != ".pyc":
                    zf.write(child, f"{arcname}/{child.relative_to(path).as_posix()}")
        else:
            zf.write(path, arcname)

    def add_text(zf, arcname, text, executable=False):
        info = zipfile.ZipInfo(arcname, date_time=(2024, 1, 1, 0, 0, 0))
        info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, text)

    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        add_text(zf, "setup.sh", SETUP_SH, executable=True)
        add_text(zf, "run_autograder", RUN_AUTOGRADER.format(part=int(part), timeout=float(timeout)),
                 executable=True)
        add_text(zf, "requirements-grader.txt", "\n".join(requirements) + "\n")
        add(zf, package, "package/tensorslow_edu")
        for name in ("pyproject.toml", "README.md"):
            if (PACKAGE_ROOT / name).is_file():
                add(zf, PACKAGE_ROOT / name, f"package/{name}")
        add(zf, hidden_dir, "hidden")
    shutil.move(tmp, out)
    return out


def add_arguments(parser):
    parser.add_argument("--part", type=int, required=True, help="the part this assignment grades")
    parser.add_argument("--out", default=None, metavar="ZIP",
                        help="where to write the zip (default: autograder-partN.zip)")
    parser.add_argument("--hidden", default=str(DEFAULT_HIDDEN), metavar="DIR", help="folder of hidden tests")
    parser.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                        help="wall-clock limit for the submission on Gradescope (default 120)")


def run(args):
    out = Path(args.out or f"autograder-part{args.part}.zip")
    try:
        path = build_zip(out, args.part, args.hidden, args.timeout)
    except FileNotFoundError as exc:
        print(f"error: {exc}")
        return 2
    print(f"wrote {path}: upload it as the Gradescope autograder of the Part {args.part} assignment")
    return 0
