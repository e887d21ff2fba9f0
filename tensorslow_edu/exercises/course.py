"""Which course is taught: the six shipped parts, or an instructor's course folder.

A course folder (``tensorslow-edu init DIR`` makes one) holds a ``course.toml``::

    title = "Deep learning from the inside"
    shipped_parts = [1, 2, 3, 4, 5, 6]   # the installed package's exercises this course uses
    exercises = "exercises"              # the course's own exercise files (visible tests)
    hidden = "hidden"                    # instructor-only: the hidden tests
    notebooks = "notebooks"              # instructor notebooks, with the solutions

Every ``.py`` file in the exercises folder (not starting with ``_``) is run once and
registers its exercises with ``@register``; an id it shares with a shipped exercise
replaces that one. Nothing in the installed package needs editing.

Which course ``check()``, ``student``, ``grade`` and ``gradescope`` use, first match wins:

1. ``--course DIR``, for the commands;
2. the folder named by the environment variable ``TENSORSLOW_EDU_COURSE``;
3. the nearest folder holding a ``course.toml``, walking up from the notebook's folder
   (for ``check()`` in Jupyter, the current directory is the notebook's folder);
4. the shipped course: the six parts of the installed package.
"""

import ast
import os
from pathlib import Path

__all__ = ["Course", "SHIPPED", "find_course", "MARKER", "ENVIRONMENT"]

MARKER = "course.toml"
ENVIRONMENT = "TENSORSLOW_EDU_COURSE"
SHIPPED_PARTS = (1, 2, 3, 4, 5, 6)


class CourseError(Exception):
    """A course folder that cannot be used: the message names the file and the fix."""


def _read_toml(path):
    text = path.read_text(encoding="utf-8")
    try:
        import tomllib
    except ImportError:  # Python 3.10: the file holds only `key = value` lines
        data = {}
        for number, line in enumerate(text.splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if not line or line.startswith("["):
                continue
            key, sep, value = line.partition("=")
            try:
                data[key.strip()] = ast.literal_eval(
                    value.strip().replace("true", "True").replace("false", "False")
                )
            except (ValueError, SyntaxError):
                raise CourseError(
                    f"{path}, line {number}: write `key = value` (a string in quotes, "
                    f"or a list of part numbers)"
                ) from None
        return data
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CourseError(f"{path}: not valid TOML ({exc})") from None


class Course:
    """A course: its root folder (None for the shipped course) and where its files are."""

    def __init__(self, root=None):
        self.root = None if root is None else Path(root).resolve()
        settings = {}
        if self.root is not None:
            marker = self.root / MARKER
            if not marker.is_file():
                raise CourseError(
                    f"{self.root} is not a course folder: it has no {MARKER} "
                    f"(start one with `tensorslow-edu init {self.root}`)."
                )
            settings = _read_toml(marker)
        self.title = str(settings.get("title", "tensorslow_edu"))
        parts = settings.get("shipped_parts", list(SHIPPED_PARTS))
        if not isinstance(parts, list) or not all(isinstance(p, int) and p in SHIPPED_PARTS for p in parts):
            raise CourseError(
                f"{self.root / MARKER}: shipped_parts must be a list of part numbers "
                f"among {list(SHIPPED_PARTS)}, got {parts!r}."
            )
        self.shipped_parts = tuple(parts)
        base = self.root
        self.exercises_dir = None if base is None else base / settings.get("exercises", "exercises")
        self.hidden_dir = None if base is None else base / settings.get("hidden", "hidden")
        self.notebooks_dir = None if base is None else base / settings.get("notebooks", "notebooks")

    @property
    def shipped(self):
        return self.root is None

    def exercise_files(self):
        """The course's own exercise files, sorted by name."""
        if self.exercises_dir is None or not self.exercises_dir.is_dir():
            return []
        return sorted(p for p in self.exercises_dir.glob("*.py") if not p.name.startswith("_"))

    def __eq__(self, other):
        return isinstance(other, Course) and other.root == self.root

    def __hash__(self):
        return hash(self.root)

    def __repr__(self):
        return f"Course({str(self.root) if self.root else 'shipped'!r})"


SHIPPED = Course()


def find_course(start=None):
    """The course in use from folder ``start`` (default: the current directory); see the module text."""
    named = os.environ.get(ENVIRONMENT)
    if named:
        return Course(named)
    folder = Path(start if start is not None else os.getcwd()).resolve()
    if folder.is_file():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        try:
            if (candidate / MARKER).is_file():
                return Course(candidate)
        except OSError:  # a folder we may not look into (the grader's sandbox, say)
            break
    return SHIPPED
