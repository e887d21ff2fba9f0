"""``tensorslow-edu student``: student notebooks from instructor notebooks.

Each region between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` becomes a
stub that raises ``NotImplementedError`` naming the exercise; the outputs of
exercise and check cells are cleared; everything else is kept. The rules are
in ``tensorslow_edu/exercises/AUTHORING.md``.
"""

import ast
import copy
import re
from pathlib import Path

from ..exercises.core import exercises_of_part
from .notebooks import part_of, python_source

BEGIN = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION\b.*$")
END = re.compile(r"^[ \t]*### END SOLUTION\b.*$")
CHECK_CALL = re.compile(r"\bcheck\(\s*['\"]")
FORBIDDEN = ("course/instructor", "course.instructor", "instructor/hidden")


class AuthoringError(Exception):
    """An instructor notebook breaks a rule of AUTHORING.md; the message names the cell and the fix."""


def stub(indent, exercise_id, piece=None):
    """The lines that replace a solution region; ``piece`` names the object the region belongs to
    when it is not the one the exercise is named after (negative in part3.multiply, say)."""
    part_of_it = f"{piece} is part of this exercise; " if piece else ""
    return [
        f"{indent}# YOUR CODE HERE",
        f'{indent}raise NotImplementedError("{exercise_id}: not started yet '
        f'({part_of_it}replace this line with your code)")',
    ]


def _piece_at(tree, number, exercise_id, part):
    """The name of the top-level def or class holding line ``number``, when it is not the object
    the exercise is named after; else None."""
    named = next(e.obj for e in exercises_of_part(part) if e.id == exercise_id)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.lineno <= number <= node.end_lineno:
            return node.name if node.name != named else None
    return None


def exercise_of_cell(source, part, where):
    """The id of the exercise a cell with solution markers defines."""
    objects = {e.obj: e.id for e in exercises_of_part(part)}
    try:
        tree = ast.parse(python_source(source))
    except SyntaxError as exc:
        raise AuthoringError(
            f"{where}: the cell is not valid Python ({exc.msg}, line {exc.lineno})."
        ) from None
    defined = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    found = [objects[name] for name in defined if name in objects]
    if len(found) != 1:
        names = ", ".join(sorted(objects))
        what = "none" if not found else ", ".join(found)
        raise AuthoringError(
            f"{where}: a cell with solution markers must define exactly one exercise object of "
            f"Part {part} at its top level ({names}); it defines {what}."
        )
    return found[0], tree


def _function_lines(tree):
    ranges = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            ranges.append((node.lineno + 1, node.end_lineno))
    return ranges


def strip_cell(source, part, where):
    """(student source, exercise id) for a cell with markers, or (source, None) without."""
    lines = source.split("\n")
    if not any(BEGIN.match(line) for line in lines):
        if any(END.match(line) for line in lines):
            raise AuthoringError(f"{where}: '### END SOLUTION' without a '### BEGIN SOLUTION' before it.")
        return source, None
    exercise_id, tree = exercise_of_cell(source, part, where)
    inside = _function_lines(tree)
    out, region = [], None
    for number, line in enumerate(lines, start=1):
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            if region is not None:
                raise AuthoringError(
                    f"{where}, line {number}: a second '### BEGIN SOLUTION' before '### END SOLUTION'."
                )
            if not any(a <= number <= b for a, b in inside):
                raise AuthoringError(
                    f"{where}, line {number}: '### BEGIN SOLUTION' must be inside a function or method "
                    f"body, so that the stub raises only when called and the notebook still runs top "
                    f"to bottom. Move the markers into the body of the def."
                )
            region = begin.group("indent")
            piece = _piece_at(tree, number, exercise_id, part)
        elif end:
            if region is None:
                raise AuthoringError(
                    f"{where}, line {number}: '### END SOLUTION' without a '### BEGIN SOLUTION' before it."
                )
            out += stub(region, exercise_id, piece)
            region = None
        elif region is None:
            out.append(line)
    if region is not None:
        raise AuthoringError(f"{where}: '### BEGIN SOLUTION' is never closed by '### END SOLUTION'.")
    student = "\n".join(out)
    try:
        ast.parse(python_source(student))
    except SyntaxError as exc:
        raise AuthoringError(
            f"{where}: the student version is not valid Python ({exc.msg}, line "
            f"{exc.lineno}); check the indentation of the markers."
        ) from None
    return student, exercise_id


def make_student(nb, name="notebook"):
    """A student copy of an instructor notebook (nbformat node); the input is not modified."""
    part = part_of(nb)
    if part is None:
        raise AuthoringError(
            f"{name}: the notebook metadata has no part: add "
            f'{{"tensorslow_edu": {{"part": N}}}} to the notebook metadata.'
        )
    nb = copy.deepcopy(nb)
    seen = {}
    for number, cell in enumerate(nb.cells, start=1):
        where = f"{name}, cell {number}"
        if any(f in cell.source for f in FORBIDDEN):
            raise AuthoringError(
                f"{where}: refers to the instructor folder; hidden tests must never reach student material."
            )
        if cell.cell_type != "code":
            continue
        student, exercise_id = strip_cell(cell.source, part, where)
        if exercise_id is not None:
            if exercise_id in seen:
                raise AuthoringError(
                    f"{where}: exercise {exercise_id} is already in cell {seen[exercise_id]}."
                )
            seen[exercise_id] = number
        if exercise_id is not None or CHECK_CALL.search(cell.source):
            cell.outputs = []
            cell.execution_count = None
        cell.source = student
    return nb, sorted(seen)


def add_arguments(parser):
    parser.add_argument("notebooks", nargs="+", metavar="NOTEBOOK", help="instructor notebooks")
    parser.add_argument(
        "--out",
        default="student",
        metavar="DIR",
        help="folder for the student notebooks (default: ./student)",
    )
    parser.add_argument(
        "--course",
        metavar="DIR",
        help="the course folder (default: $TENSORSLOW_EDU_COURSE, else the nearest folder "
        "holding a course.toml above each notebook, else the shipped parts)",
    )


def run(args):
    try:
        import nbformat  # slow to import: only when this command runs
    except ImportError:
        print(
            "error: writing student notebooks needs the nbformat package: "
            "pip install 'tensorslow-edu[instructor]'"
        )
        return 2

    from ..exercises.core import use_course
    from ..exercises.course import Course, CourseError, find_course

    out = Path(args.out)
    courses = set()
    try:
        results = []
        for path in map(Path, args.notebooks):
            course = Course(args.course) if args.course else find_course(path.resolve().parent)
            courses.add(course)
            nb = nbformat.read(path, as_version=4)
            use_course(course)
            try:
                results.append((path, *make_student(nb, name=str(path))))
            finally:
                use_course(None)
    except (AuthoringError, CourseError) as exc:
        print(f"error: {exc}")
        return 2
    except (OSError, nbformat.reader.NotJSONError) as exc:
        print(f"error: cannot read the notebook: {exc}")
        return 2
    out.mkdir(parents=True, exist_ok=True)
    from .report import write_atomic

    for path, nb, ids in results:
        target = out / path.name
        if target.resolve() == path.resolve():
            print(f"error: {target} would overwrite the instructor notebook; choose another --out.")
            return 2
        write_atomic(target, nbformat.writes(nb) + "\n")
        print(f"{target}: {len(ids)} exercise(s) stubbed: {', '.join(ids) or 'none'}")
    for course in courses:
        if not course.shipped and out.resolve() != course.root:
            copy_visible_course(course, out)
            print(
                f"{out}: the course's course.toml and exercise files (visible tests) copied beside the "
                f"notebooks, so that check() knows the course's exercises"
            )
    return 0


def copy_visible_course(course, out):
    """Copy what ``check()`` needs of a course folder into ``out``: course.toml and the exercise files.

    Never the hidden tests nor the instructor notebooks.
    """
    from .report import write_atomic

    write_atomic(out / "course.toml", (course.root / "course.toml").read_text(encoding="utf-8"))
    for path in course.exercise_files():
        target = out / path.relative_to(course.root)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, path.read_text(encoding="utf-8"))
