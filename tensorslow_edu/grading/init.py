"""``tensorslow-edu init DIR``: start a course folder from the six shipped parts.

The folder it writes::

    DIR/course.toml        marks the course (check(), student, grade and gradescope find it)
    DIR/notebooks/         the instructor notebooks, with the solutions (the one copy of them)
    DIR/exercises/         the course's own exercises and their visible tests (one .py file each part)
    DIR/hidden/            instructor-only: the hidden tests, one .py file each part
    DIR/AUTHORING.md       how to write an exercise, with a complete example

The shipped parts' exercises stay in the installed package (``shipped_parts`` in
course.toml) and upgrade with it; the course's own files add to them or replace them.
"""

import shutil
from pathlib import Path

from ..exercises.course import MARKER
from .grade import instructor_folder

EXERCISES = Path(__file__).resolve().parents[1] / "exercises"

COURSE_TOML = """\
# A tensorslow_edu course. check(), tensorslow-edu student, grade and gradescope find this file
# by walking up from the notebook's folder (or the current one), or through the environment
# variable TENSORSLOW_EDU_COURSE; the rules are in AUTHORING.md.
title = {title!r}
# the shipped parts whose exercises this course uses, as the installed package defines them
shipped_parts = [1, 2, 3, 4, 5, 6]
# folders, relative to this file
exercises = "exercises"   # the course's own exercises (visible tests): give these to students too
hidden = "hidden"         # instructor-only: hidden tests, never given to students
notebooks = "notebooks"   # instructor notebooks, with the solutions
"""

EXERCISES_README = """\
# The course's own exercises

Every `.py` file here (not starting with `_`) defines exercises with `@register`, each with
its visible tests; they add to the shipped parts' exercises, or replace one with the same id.
`AUTHORING.md` (one folder up) shows a complete example. The student command copies this
folder and `course.toml` beside the student notebooks, so that `check()` knows them.
"""


def shipped_notebooks():
    """The folder of the shipped instructor notebooks: the repository's, or the copy a wheel installs."""
    checkout = Path(__file__).resolve().parents[2] / "notebooks"
    if checkout.is_dir():
        return checkout
    return instructor_folder("notebooks")


def init_course(folder, title=None):
    """Write a new course folder at ``folder`` (which must not exist or be empty); return its path."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FileExistsError(f"{folder} already exists and is not empty: choose a new folder.")
    notebooks = shipped_notebooks()
    hidden = instructor_folder("hidden")
    missing = [str(p) for p in (notebooks, hidden) if not p.is_dir()]
    if missing:
        raise FileNotFoundError(
            f"the shipped course files are not installed ({', '.join(missing)} missing): "
            f"reinstall tensorslow-edu from its wheel or repository."
        )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text(COURSE_TOML.format(title=title or folder.resolve().name), encoding="utf-8")
    (folder / "notebooks").mkdir()
    for path in sorted(notebooks.glob("*.ipynb")):
        shutil.copyfile(path, folder / "notebooks" / path.name)
    (folder / "hidden").mkdir()
    for path in sorted(hidden.glob("*.py")):
        if not path.name.startswith("_"):
            shutil.copyfile(path, folder / "hidden" / path.name)
    (folder / "exercises").mkdir()
    (folder / "exercises" / "README.md").write_text(EXERCISES_README, encoding="utf-8")
    shutil.copyfile(EXERCISES / "AUTHORING.md", folder / "AUTHORING.md")
    return folder


def add_arguments(parser):
    parser.add_argument("folder", metavar="DIR", help="the new course folder (must not exist, or be empty)")
    parser.add_argument("--title", help="the course's title (default: the folder's name)")


def run(args):
    try:
        folder = init_course(args.folder, args.title)
    except (FileExistsError, FileNotFoundError) as exc:
        print(f"error: {exc}")
        return 2
    print(
        f"started the course {folder}: notebooks/ (instructor versions), exercises/ (your own), "
        f"hidden/ (instructor-only). Add an exercise as {folder / 'AUTHORING.md'} shows."
    )
    return 0
