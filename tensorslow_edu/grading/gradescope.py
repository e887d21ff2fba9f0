"""``tensorslow-edu gradescope``: the autograder zip that runs the same grader on Gradescope.

The zip holds ``setup.sh`` (run once when Gradescope builds the image:
system packages, then ``install_python.sh``), ``install_python.sh`` (a
virtual environment with what the notebooks and the grader import, at the
course's pinned versions, then this package), ``run_autograder`` (grades the
one notebook among the uploaded files and writes
``/autograder/results/results.json``), the package source and the hidden
tests. Upload it as the assignment's autograder ("Zip file upload") on the
base image Ubuntu 22.04.

``AUTOGRADER_ROOT`` and ``AUTOGRADER_PYTHON`` override ``/autograder`` and the
Python to use, so the zip can be tried locally before uploading.
"""

import argparse
import importlib.metadata
import json
import re
import shutil
import stat
import sys
import time
import zipfile
from pathlib import Path

from .grade import DEFAULT_HIDDEN, PACKAGE_ROOT, SKIP_NAMES

VISIBILITIES = ("visible", "after_due_date", "hidden")
# the course's packages that only serve Jupyter itself: a grader runs no notebook server or kernel
NOT_FOR_GRADING = {"jupyterlab", "ipykernel"}

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, when the autograder image is built (base image: Ubuntu 22.04).
set -euo pipefail
apt-get update
# Python, and Graphviz with what building pygraphviz needs
apt-get install -y --no-install-recommends python3 python3-pip python3-venv python3-dev \\
    graphviz libgraphviz-dev pkg-config build-essential
bash "${AUTOGRADER_ROOT:-/autograder}/source/install_python.sh"
"""

INSTALL_PYTHON_SH = """#!/usr/bin/env bash
# The grader's Python: a fresh virtual environment with what the notebooks and the grader
# import, at the course's pinned versions (constraints.txt), then the package itself.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${AUTOGRADER_BASE_PYTHON:-python3}"
"$PYTHON" -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --quiet --disable-pip-version-check \\
    -r "$ROOT/source/requirements-grader.txt" -c "$ROOT/source/constraints.txt"
"$ROOT/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "$ROOT/source/package"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission. It always leaves a results.json.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PY="${{AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}}"
mkdir -p "$ROOT/results"
"$PY" -m tensorslow_edu.grading.gradescope --root "$ROOT" --part {part} --timeout {timeout} \\
    --hidden-visibility {visibility}
status=$?
if [ $status -ne 0 ] || [ ! -s "$ROOT/results/results.json" ]; then
    printf '{{"score": 0, "output": "The autograder failed (exit code %s) before it could grade this submission. Please contact the course staff.", "tests": []}}\\n' "$status" > "$ROOT/results/results.json"
fi
exit 0
"""


def _requirement_name(line):
    return re.split(r"[=<>!~ ;\[]", line.strip(), maxsplit=1)[0].lower().replace("_", "-")


def grader_requirements():
    """What the grader's image installs: the course's packages (what the notebooks and the library
    import) and the instructor's, each with its pin and environment marker, from this package's metadata."""
    try:
        requires = importlib.metadata.requires("tensorslow-edu") or []
    except importlib.metadata.PackageNotFoundError:
        raise FileNotFoundError(
            "tensorslow-edu is not installed, so its requirements are unknown: "
            "install it (pip install -e . in the repository)"
        ) from None
    keep = []
    for line in requires:
        requirement, _, marker = line.partition(";")
        extras = re.findall(r"""extra\s*==\s*["']([^"']+)["']""", marker)
        if not extras:
            keep.append(requirement.strip())  # the package's own dependencies (numpy)
            continue
        if (
            set(extras) & {"course", "instructor"}
            and _requirement_name(requirement) not in NOT_FOR_GRADING
            and _requirement_name(requirement) != "tensorslow-edu"
        ):
            rest = re.sub(r"""\s*(and\s+)?extra\s*==\s*["'][^"']+["']""", "", marker).strip()
            rest = re.sub(r"^and\s+", "", rest).strip()
            keep.append(requirement.strip() + (f"; {rest}" if rest else ""))
    return list(dict.fromkeys(keep))


def build_zip(out, part, hidden_dir=None, timeout=120, visibility="visible", course=None):
    """Write the autograder zip to ``out``; return its path.

    ``visibility``: when students see the hidden tests' results (Gradescope's
    ``visible``, ``after_due_date`` or ``hidden``). ``course``: the course (default: the one
    in use); a course folder's ``course.toml`` and exercise files travel in the zip.
    """
    from ..exercises.core import current_course
    from ..exercises.course import Course
    from .grade import hidden_folder

    course = current_course() if course is None else course if isinstance(course, Course) else Course(course)
    hidden_dir = hidden_folder(course) if hidden_dir is None else hidden_dir
    if visibility not in VISIBILITIES:
        raise ValueError(
            f"the hidden tests' visibility must be one of {', '.join(VISIBILITIES)}, not {visibility!r}"
        )
    out = Path(out)
    hidden_dir = Path(hidden_dir)
    if not any(p.suffix == ".py" and not p.name.startswith("_") for p in hidden_dir.glob("*.py")):
        raise FileNotFoundError(f"no hidden tests in {hidden_dir}; pass --hidden DIR.")
    package = PACKAGE_ROOT / "tensorslow_edu"
    lock = PACKAGE_ROOT / "requirements" / "lock.txt"
    requirements = grader_requirements()
    # every package the install brings in, pinned as in the course (none without a lock file)
    constraints = lock.read_text() if lock.is_file() else ""
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
        add_text(zf, "install_python.sh", INSTALL_PYTHON_SH, executable=True)
        add_text(
            zf,
            "run_autograder",
            RUN_AUTOGRADER.format(part=int(part), timeout=float(timeout), visibility=visibility),
            executable=True,
        )
        add_text(zf, "requirements-grader.txt", "\n".join(requirements) + "\n")
        add_text(zf, "constraints.txt", constraints)
        add(zf, package, "package/tensorslow_edu")
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            if (PACKAGE_ROOT / name).is_file():
                add(zf, PACKAGE_ROOT / name, f"package/{name}")
        add(zf, hidden_dir, "hidden")
        if not course.shipped:  # the exercises the grader reads; never its notebooks (solutions)
            add(zf, course.root / "course.toml", "course/course.toml")
            for path in course.exercise_files():
                add(zf, path, f"course/{path.relative_to(course.root).as_posix()}")
    shutil.move(tmp, out)
    return out


def find_notebook(folder, part):
    """(path, note) of the notebook to grade among the uploaded files, or (None, why not).

    One ``.ipynb`` file: that one. Several: the one whose metadata says it is
    this part, if exactly one does. Folders such as ``.ipynb_checkpoints`` and
    ``__MACOSX`` are skipped, and other files (data, a PDF) are ignored.
    """
    from . import notebooks

    folder = Path(folder)
    found = sorted(
        p
        for p in folder.rglob("*.ipynb")
        if p.is_file()
        and not any(
            part_ in SKIP_NAMES or part_.startswith(".") or part_ == "__MACOSX"
            for part_ in p.relative_to(folder).parts
        )
    )
    names = ", ".join(str(p.relative_to(folder)) for p in found)
    if not found:
        others = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
        return None, (
            "no notebook (.ipynb file) was uploaded"
            + (f"; the files were: {', '.join(others)}" if others else "")
            + f". Submit the Part {part} notebook."
        )
    if len(found) == 1:
        return found[0], ""
    of_part = [p for p in found if notebooks.load(p).part == int(part)]
    if len(of_part) == 1:
        return of_part[0], f"several notebooks were uploaded ({names}); graded the Part {part} one"
    return None, (
        f"several notebooks were uploaded ({names}) and the grader cannot tell which to grade: "
        f"submit only the Part {part} notebook."
    )


def autograde(root, part, timeout=120.0, visibility="visible"):
    """Grade the upload in ``root/submission`` into ``root/results/results.json`` (what run_autograder does)."""
    from ..exercises.core import exercises_of_part, use_course
    from ..exercises.course import SHIPPED, Course
    from .grade import GradingSetupError, grade_class
    from .report import gradescope_results, write_atomic
    from .sandbox import Limits

    root = Path(root)
    course = Course(root / "source" / "course") if (root / "source" / "course").is_dir() else SHIPPED
    use_course(course)
    start = time.monotonic()
    path, note = find_notebook(root / "submission", part)
    if path is None:
        results = {"score": 0, "output": f"Not graded: {note}", "output_format": "text", "tests": []}
    else:
        try:
            records = grade_class(
                [path],
                root / "grading",
                part=part,
                jobs=1,
                limits=Limits(timeout=timeout),
                hidden_dir=root / "source" / "hidden",
                progress=False,
                course=course.root,
            )
        except GradingSetupError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        results = gradescope_results(
            records[0],
            exercises_of_part(part, course),
            visibility,
            graded_file=str(path.relative_to(root / "submission")),
            note=note,
        )
    results["execution_time"] = round(time.monotonic() - start, 1)
    write_atomic(root / "results" / "results.json", json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(results["output"])
    return 0


def add_arguments(parser):
    parser.add_argument("--part", type=int, required=True, help="the part this assignment grades")
    parser.add_argument(
        "--out", default=None, metavar="ZIP", help="where to write the zip (default: autograder-partN.zip)"
    )
    parser.add_argument(
        "--course",
        metavar="DIR",
        help="the course folder (default: as for grade: $TENSORSLOW_EDU_COURSE, the nearest "
        "course.toml above the current folder, else the shipped parts)",
    )
    parser.add_argument(
        "--hidden",
        metavar="DIR",
        help=f"folder of hidden tests (default: the course's; for the shipped parts {DEFAULT_HIDDEN})",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="wall-clock limit for the submission on Gradescope (default 120)",
    )
    parser.add_argument(
        "--hidden-visibility",
        choices=VISIBILITIES,
        default="visible",
        help="when students see the hidden tests' results: visible (at once, the default), "
        "after_due_date, or hidden (never; the instructor sees them)",
    )


def run(args):
    from ..exercises.course import CourseError

    out = Path(args.out or f"autograder-part{args.part}.zip")
    try:
        path = build_zip(out, args.part, args.hidden, args.timeout, args.hidden_visibility, args.course)
    except (FileNotFoundError, ValueError, CourseError) as exc:
        print(f"error: {exc}")
        return 2
    print(
        f"wrote {path}: upload it as the Gradescope autograder of the Part {args.part} assignment "
        f"(base image: Ubuntu 22.04)"
    )
    return 0


def main(argv=None):
    """What run_autograder calls: grade the one uploaded notebook."""
    parser = argparse.ArgumentParser(description=autograde.__doc__)
    parser.add_argument("--root", default="/autograder")
    parser.add_argument("--part", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--hidden-visibility", choices=VISIBILITIES, default="visible")
    args = parser.parse_args(argv)
    return autograde(args.root, args.part, args.timeout, args.hidden_visibility)


if __name__ == "__main__":
    sys.exit(main())
