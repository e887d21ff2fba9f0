"""The machinery shared by every exercise: cases, running the learner's object, comparing.

An exercise is tested in three steps, kept apart so that grading can be trusted:

1. ``run_case`` calls the learner's object on a case's *inputs* and turns what
   it returns into plain data (arrays of float64, numbers, strings, lists,
   dicts). In batch grading this happens in the submission's own process.
2. The data crosses to the grader as JSON (``encode``/``decode``, no pickle), so
   no object the learner made (for example one whose ``__eq__`` always says
   True) ever reaches the grader.
3. ``Exercise.expected`` computes the right answer from the reference library
   and ``Exercise.compare`` compares, both in the grader's own process.

``check(...)`` in a notebook runs the same three steps in the learner's
process, with the visible cases only.
"""

import base64
import difflib
import math
import re
import traceback
import warnings

import numpy as np

from ..grading.forbid import ReferenceUnavailable

__all__ = [
    "Case",
    "Exercise",
    "Verdict",
    "BadReturn",
    "Mistake",
    "register",
    "get_exercise",
    "exercises_of_part",
    "all_exercises",
    "use_course",
    "current_course",
    "catalogue",
    "closest_ids",
    "encode",
    "decode",
    "run_case",
    "evaluate",
    "fmt_array",
    "fmt_value",
]

MAX_ELEMENTS = 1_000_000  # a learner's result larger than this is refused, not serialized


# ---------------------------------------------------------------------------
# Cases and exercises
# ---------------------------------------------------------------------------


class Case:
    """One test of an exercise: a name, the inputs (plain data and arrays), its hints.

    ``hint`` is one text or a list of texts from general to specific: the first
    names the idea and where the notebook explains it, later ones are shown only
    on request (``check(id, hint=2)``); none of them is the answer.
    ``show`` describes the input in feedback; by default it is made from the inputs.
    """

    def __init__(self, name, hint=None, show=None, **inputs):
        self.name = name
        self.hints = [] if hint is None else [hint] if isinstance(hint, str) else list(hint)
        self.show = show
        self.inputs = inputs

    @property
    def hint(self):
        """The first hint (None if there is none)."""
        return self.hints[0] if self.hints else None

    def hint_at(self, level):
        """(the hint of ``level`` or the most specific one below it, its level); (None, 0) if none."""
        if not self.hints:
            return None, 0
        level = max(1, min(int(level), len(self.hints)))
        return self.hints[level - 1], level

    def __repr__(self):
        return f"Case({self.name!r})"


class Verdict:
    """The outcome of one case: passed or not, and the lines explaining why.

    ``short`` is the case's own diagnosis in one line ("x listed more than once"), shown when the
    case is not the one explained in full; None when the lines hold no more than a wrong value
    (the case's hint then serves).
    """

    def __init__(self, passed, lines=(), status=None, short=None):
        self.passed = bool(passed)
        self.lines = list(lines)
        self.status = status or ("passed" if passed else "failed")
        self.short = short


class BadReturn(Exception):
    """The learner's object returned something that is not the kind of value asked for."""


class Mistake(BadReturn):
    """A mistake seen while running the learner's code (an array changed in place, a node
    handled too early, an output not stored): the message explains it in full, ``short`` (if
    given) in one line for the summaries of the other cases that fail the same way."""

    def __init__(self, message, short=None):
        super().__init__(message)
        self.short = short


# ---------------------------------------------------------------------------
# Arrays handed to the learner's code, watched for changes in place
# ---------------------------------------------------------------------------

WHY_UNCHANGED = {
    "grad": (
        "A gradient function must leave `grad` as it found it and return new arrays "
        "(write `grad * s`, not `grad *= s`): when a node has two consumers, backprop hands "
        "gradients on to both, so a gradient changed in place silently corrupts the other's."
    ),
    "input": (
        "An operation must not change its input in place (write `a * b` or `a - m`, never "
        "`a *= b` or `a -= m`, and do not assign into its entries): the "
        "same array is the output of the node before, which other consumers read too, and "
        "Part IV's gradient functions read it again later."
    ),
    "output": (
        "`op.output` and `op.inputs` are the values of the forward pass; other gradient "
        "functions and consumers read them too, so compute new arrays instead of changing them."
    ),
    "sum": (
        "Add a share with `grads[node] = grads[node] + g`, not `grads[node] += g`: a gradient function "
        "may hand the same array to several inputs (add passes `grad` on unchanged), so adding into it "
        "in place changes the gradient of another node too."
    ),
    "data": (
        "The data belong to the caller, who uses them again: shuffle an order of indices "
        "(or a copy), never X or C themselves (shuffled one after the other, their rows would no "
        "longer match either)."
    ),
    "value": (
        "Assign a new array (`v.value = v.value - ...`) rather than changing the old one in place "
        "(`-=`): arrays fetched from the graph before the step, and the outputs of the forward "
        "pass, still refer to the old array and would change behind your back."
    ),
}


class Watched(np.ndarray):
    """An array handed to the learner's code that notes what NumPy did with it.

    Every NumPy operation on it still runs as usual, on plain arrays (so the
    results are plain arrays), but an operation that NumPy refused with a
    ValueError is written down in its ``Handed``: shapes that do not broadcast or
    align (NumPy, not the learner's code, found the clash), and an attempt to
    write into it (``+=``, ``out=``) that failed, which the snapshot cannot see.
    """

    def __array_finalize__(self, obj):
        self._handed = getattr(obj, "_handed", None)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        out = kwargs.get("out", ())
        inputs = tuple(_plain(x) for x in inputs)
        if out:
            kwargs["out"] = tuple(_plain(o) for o in out)
        try:
            return getattr(ufunc, method)(*inputs, **kwargs)
        except ValueError as exc:
            self._refused(f"np.{ufunc.__name__}", inputs, exc)
            if self._handed is not None and out:
                self._handed.written(kwargs["out"], f"np.{ufunc.__name__}")
            raise

    def __array_function__(self, func, types, args, kwargs):
        try:
            return super().__array_function__(func, types, args, kwargs)
        except ValueError as exc:
            self._refused(f"np.{func.__name__}", args, exc)
            raise

    def _refused(self, name, inputs, exc):
        if self._handed is not None:
            shapes = [np.shape(x) for x in inputs if isinstance(x, np.ndarray)]
            self._handed.refusals.append((name, shapes, str(exc)))


def _plain(x):
    return x.view(np.ndarray) if isinstance(x, Watched) else x


class Handed:
    """Copies of arrays given to the learner's code, each with a snapshot to compare afterwards;
    ``refusals`` lists the NumPy operations on them that raised a ValueError
    (name, shapes, message)."""

    def __init__(self):
        self.items = []
        self.attempts = []  # (what, kind, operation): a handed array an operation failed to write into
        self.refusals = []

    def give(self, array, what, kind="input"):
        """A fresh copy of ``array`` to hand over; ``what`` names it in feedback (``"grad"``)."""
        given = np.array(array, dtype=np.float64, copy=True).view(Watched)
        given._handed = self
        self.items.append((given, given.view(np.ndarray).copy(), what, kind))
        return given

    def watch(self, array, what, kind="input"):
        """Watch an array that is already handed over (for example a Variable's value)."""
        self.items.append((array, np.array(array, copy=True), what, kind))
        return array

    def written(self, outs, operation):
        """Note that ``operation`` writes into ``outs``, if one of them is a handed array."""
        for array, _, what, kind in self.items:
            if isinstance(array, Watched) and any(
                isinstance(o, np.ndarray) and np.may_share_memory(o, array) for o in outs
            ):
                self.attempts.append((what, kind, operation))
                return

    def changed(self):
        """A Mistake explaining the first array changed in place (or written into), or None."""
        for array, before, what, kind in self.items:
            array = _plain(array)
            if array.shape != before.shape:
                where = f"its shape went from {before.shape} to {array.shape}"
            elif np.array_equal(array, before, equal_nan=True):
                continue
            else:
                differs = array != before
                differs &= ~(np.isnan(array) & np.isnan(before))
                index = tuple(int(i) for i in np.argwhere(differs)[0]) if array.ndim else ()
                at = f" at index {index}" if index else ""
                where = f"{at} it was {_num(before[index])} and is now {_num(array[index])}".lstrip()
            return Mistake(
                f"{what} was changed in place: {where}. {WHY_UNCHANGED[kind]}",
                short=f"{what} was changed in place",
            )
        for what, kind, operation in self.attempts:  # a write into it that NumPy refused
            return Mistake(
                f"{what} was to be changed in place: {operation} was told to write its result into "
                f"it (as `+=`, `-=`, `*=` or out= do), which NumPy refused here only because the "
                f"result has another shape. {WHY_UNCHANGED[kind]}",
                short=f"{what} was changed in place",
            )
        return None


_HANDED = []  # the Handed of the case being run (a stack: cases never nest, but be safe)


def hand(array, what, kind="input"):
    """For ``Exercise.call``: a copy of ``array`` whose change in place fails the case (a
    ``Watched`` array, which also notes the NumPy operations that refused it)."""
    if not _HANDED:
        return np.array(array, dtype=np.float64, copy=True)
    return _HANDED[-1].give(array, what, kind)


def watch(array, what, kind="value"):
    """For ``Exercise.call``: an array already given to the learner, whose change in place fails the case."""
    return _HANDED[-1].watch(array, what, kind) if _HANDED else array


def numpy_refusals():
    """The NumPy operations on the arrays handed over in the case being run that raised a
    ValueError: [(name, shapes, message)] (NumPy found a clash of shapes, not the learner's code)."""
    return list(_HANDED[-1].refusals) if _HANDED else []


class Exercise:
    """Subclasses set ``id``, ``points``, ``obj`` (the name the learner defines) and ``cases``.

    ``call(obj, inputs)`` runs the learner's object and returns plain data;
    ``expected(inputs)`` the reference answer; ``compare`` the verdict.

    ``also`` names further objects the same cell defines (a family of gradient
    functions, say); then ``call`` receives a dict {name: object} of all of them.
    An exercise that is a piece of the learner's engine sets ``piece = True`` and
    ``reference``: the library's stand-in with the learner's signature (a dict
    {name: object} when ``also`` is set), used when the learner's piece is
    missing or fails (``my_pieces``).
    """

    id = None
    points = 0
    obj = None
    summary = ""  # what the learner writes, one sentence: the catalogue page shows it
    also = ()
    kind = "function"  # or "class"
    cases = ()
    rtol, atol = 1e-6, 1e-9
    strict_fp = False  # True: a NumPy overflow/invalid warning fails the case
    piece = False
    reference = None
    composes = (
        False  # True: the stand-in reads the engine's pieces by name, and my_pieces gives it the learner's
    )

    @property
    def part(self):
        return int(self.id.split(".")[0][4:])

    @property
    def names(self):
        """The names the learner defines for this exercise: ``obj`` first, then ``also``."""
        return (self.obj, *self.also)

    def reference_pieces(self):
        """{name: the library's stand-in} for each name of a piece."""
        if not self.piece or self.reference is None:
            return {}
        if isinstance(self.reference, dict):
            return dict(self.reference)
        return {self.obj: self.reference}

    def call(self, obj, inputs):
        raise NotImplementedError

    def expected(self, inputs):
        raise NotImplementedError

    def describe(self, inputs):
        return ", ".join(f"{k} = {fmt_value(v)}" for k, v in inputs.items())

    def compare(self, inputs, got, want):
        return compare_values(got, want, self.rtol, self.atol)


_REGISTRY = {}  # the shipped parts' exercises, registered as their modules are imported
_COLLECTING = [_REGISTRY]  # where @register puts an exercise: a course file being loaded, else the shipped
_COURSE_FILES = {}  # Course -> {id: exercise} of its own exercise files, loaded once
_IN_USE = []  # a course chosen explicitly (use_course), else find_course() decides


def register(cls):
    """Class decorator: add an exercise to the catalogue of the course being loaded."""
    exercise = cls()
    target = _COLLECTING[-1]
    if exercise.id in target:
        raise ValueError(f"exercise {exercise.id!r} is defined twice")
    well_formed = isinstance(exercise.id, str) and re.fullmatch(r"part[0-9]+\.[A-Za-z_]\w*", exercise.id)
    if not well_formed:
        raise ValueError(
            f"{cls.__name__}: the exercise id {exercise.id!r} must read 'partN.name' "
            f"(the part's number, a dot, the name of the object the learner writes)"
        )
    target[exercise.id] = exercise
    return cls


def _load_shipped():
    from . import part1, part2, part3, part4, part5, part6  # noqa: F401  (they register themselves)


def _load_course_files(course):
    if course not in _COURSE_FILES:
        import importlib.util
        import sys

        own = {}
        _COLLECTING.append(own)
        try:
            for path in course.exercise_files():
                name = f"_tensorslow_course_{abs(hash(str(path))):x}_{path.stem}"
                spec = importlib.util.spec_from_file_location(name, path)
                module = importlib.util.module_from_spec(spec)
                sys.modules[name] = module  # dataclasses and pickling look their module up
                spec.loader.exec_module(module)
        finally:
            _COLLECTING.pop()
        _COURSE_FILES[course] = own
    return _COURSE_FILES[course]


def use_course(course):
    """Make ``course`` (a Course, a folder, or None for the automatic choice) the one in use."""
    from .course import Course

    _IN_USE.clear()
    if course is not None:
        _IN_USE.append(course if isinstance(course, Course) else Course(course))


def current_course():
    from .course import find_course

    return _IN_USE[0] if _IN_USE else find_course()


def all_exercises(course=None):
    """{id: exercise} of ``course`` (default: the course in use), by part then in order of definition."""
    _load_shipped()
    course = current_course() if course is None else course
    shipped = [e for e in _REGISTRY.values() if course.shipped or e.part in course.shipped_parts]
    own = list(_load_course_files(course).values())
    chosen = {e.id: e for e in shipped}
    chosen.update({e.id: e for e in own})
    order = {e.id: i for i, e in enumerate(shipped + own)}
    return dict(sorted(chosen.items(), key=lambda kv: (kv[1].part, order[kv[0]])))


def exercises_of_part(part, course=None):
    return [e for e in all_exercises(course).values() if e.part == int(part)]


def catalogue(course=None):
    """Markdown: the table of the course's exercises (id, points, what the learner writes), made
    from the registry; the site's exercise page and the instructors read it."""
    lines = ["| id | points | the learner writes |", "|---|---|---|"]
    for exercise in all_exercises(course).values():
        summary = exercise.summary or f"`{exercise.obj}`"
        lines.append(f"| `{exercise.id}` | {exercise.points:g} | {summary.replace('|', '&#124;')} |")
    return "\n".join(lines) + "\n"


def closest_ids(exercise_id, n=3):
    """The exercise ids closest to a mistyped one, closest first."""
    ids = list(all_exercises())
    close = difflib.get_close_matches(str(exercise_id), ids, n=n, cutoff=0.8)
    if not close:  # 'backprop' alone, say: match on the part after the dot
        tail = str(exercise_id).split(".")[-1]
        by_tail = {i.split(".", 1)[1]: i for i in ids}
        close = [by_tail[t] for t in difflib.get_close_matches(tail, by_tail, n=n, cutoff=0.5)]
    return close


def unknown_id_message(exercise_id):
    close = closest_ids(exercise_id)
    hint = (
        f" The closest is {close[0]!r}"
        + (f" (or {', '.join(map(repr, close[1:]))})" if close[1:] else "")
        + "."
        if close
        else ""
    )
    text = (
        f"there is no exercise {exercise_id!r}.{hint} Each exercise's check cell gives its id, "
        f'for example check("part1.run_graph").'
    )
    course = current_course()
    typo = difflib.get_close_matches(str(exercise_id), list(all_exercises()), n=1, cutoff=0.8)
    if typo or not re.fullmatch(r"part[0-9]+\.\w+", str(exercise_id)):  # a mistyped id, most likely
        return text
    if course.shipped:
        text += (
            " If it is an exercise of your course, keep the course's course.toml and exercises folder "
            "beside the notebook (or set TENSORSLOW_EDU_COURSE to that folder)."
        )
    else:
        text += f" (The course in use is {course.root}.)"
    return text


def get_exercise(exercise_id):
    exercises = all_exercises()
    if exercise_id not in exercises:
        raise KeyError(unknown_id_message(exercise_id))
    return exercises[exercise_id]


# ---------------------------------------------------------------------------
# Plain data across processes: JSON with base64 arrays, never pickle
# ---------------------------------------------------------------------------

_DTYPES = {"f8": np.float64, "i8": np.int64, "b1": np.bool_}


def encode(value):
    """Plain data → JSON-able: arrays become {"$nd": [dtype, shape, base64]}."""
    if isinstance(value, np.ndarray):
        code = {"f": "f8", "i": "i8", "u": "i8", "b": "b1"}.get(value.dtype.kind)
        if code is None:
            raise BadReturn(f"an array of dtype {value.dtype} (numbers were expected)")
        data = np.array(value, dtype=_DTYPES[code], order="C")
        return {"$nd": [code, list(data.shape), base64.b64encode(data.tobytes()).decode("ascii")]}
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if value is None or isinstance(value, str):
        return value if value is None else str(value)
    if isinstance(value, dict):
        return {"$dict": [[str(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    raise BadReturn(f"a value of type {type(value).__name__} cannot be sent")


def decode(data, _depth=0):
    """The inverse of ``encode``; refuses anything that is not plain data (ValueError)."""
    if _depth > 20:
        raise ValueError("data nested too deeply")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(v, _depth + 1) for v in data]
    if isinstance(data, dict):
        if set(data) == {"$nd"}:
            code, shape, text = data["$nd"]
            if (
                code not in _DTYPES
                or not isinstance(shape, list)
                or not all(isinstance(n, int) and n >= 0 for n in shape)
            ):
                raise ValueError("malformed array")
            raw = base64.b64decode(text.encode("ascii"), validate=True)
            array = np.frombuffer(raw, dtype=_DTYPES[code]).copy()
            if array.size != math.prod(shape):
                raise ValueError("array data does not match its shape")
            return array.reshape(tuple(shape))
        if set(data) == {"$dict"}:
            return {str(k): decode(v, _depth + 1) for k, v in data["$dict"]}
        return {str(k): decode(v, _depth + 1) for k, v in data.items()}
    raise ValueError(f"unexpected {type(data).__name__} in data")


def encode_inputs(inputs):
    return {k: encode(v) for k, v in inputs.items()}


# ---------------------------------------------------------------------------
# Turning what the learner returned into plain data (runs with the learner's code)
# ---------------------------------------------------------------------------


def as_array(value, what="the result"):
    """A float64 array from a learner's return value, or BadReturn saying what was wrong."""
    from ..graph import Node

    if isinstance(value, Node):
        raise BadReturn(
            f"{what} is the node {value.name!r}, but a value was expected: run it "
            f"with a Session (or return the NumPy result)."
        )
    if value is None:
        raise BadReturn(f"{what} is None: did you forget `return`?")
    try:
        array = np.array(value, dtype=np.float64)
    except Exception as exc:  # anything the learner's object does while converting
        raise BadReturn(
            f"{what} is a {type(value).__name__}, which is not an array of numbers "
            f"({type(exc).__name__}: {exc})"
        ) from None
    if array.size > MAX_ELEMENTS:
        raise BadReturn(f"{what} has {array.size} numbers, far more than expected")
    return array


def as_node(value, graph, what="the result"):
    from ..graph import Node

    if not isinstance(value, Node):
        raise BadReturn(
            f"{what} is a {type(value).__name__}, but a node of the graph was expected "
            f"(build it with ts operations, do not compute it with NumPy)."
        )
    if value.graph is not graph:
        raise BadReturn(f"{what} belongs to another graph than the one of its inputs.")
    return value


def run_case(exercise, namespace, inputs):
    """Call the learner's object on one case; return a JSON-able result dict.

    ``{"value": data}``, or ``{"status": "not_started" | "missing" | "error" | "bad_return",
    "message": ..., "short": ...}`` (``short``: what went wrong, in one line). Exceptions of the
    learner's code never escape.
    """
    objects = {}
    for name in exercise.names:
        objects[name] = namespace.get(name, _MISSING)
        if objects[name] is _MISSING:
            return {"status": "missing", "message": missing_message(exercise, namespace, name)}
    obj = objects if exercise.also else objects[exercise.obj]
    handed = Handed()
    _HANDED.append(handed)
    try:
        if exercise.strict_fp:
            with warnings.catch_warnings():
                warnings.simplefilter("error", RuntimeWarning)  # overflow, invalid value, divide by zero
                with np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
                    value = exercise.call(obj, inputs)
        else:
            value = exercise.call(obj, inputs)
        changed = handed.changed()
        if changed:
            return _failure("bad_return", str(changed), changed)
        return {"value": encode(value)}
    except NotImplementedError as exc:
        if exercise.id in str(exc) or "not started" in str(exc):
            return _not_started(exc)
        return _failure("error", _error_text(exc), exc)
    except BadReturn as exc:
        if behind := _behind(exc, exercise):
            return behind
        changed = handed.changed()  # an array changed in place is often what led to the mistake
        return _failure("bad_return", str(exc) + (f"\n{changed}" if changed else ""), exc, changed)
    except RuntimeWarning as exc:
        return {
            "status": "error",
            "message": f"NumPy warned: {exc} (the computation overflowed or "
            f"produced NaN; make it numerically stable)",
        }
    except Exception as exc:
        if behind := _behind(exc, exercise):
            return behind
        changed = handed.changed()  # an array changed in place is often why the code failed
        init = operation_init_mistake(exc)
        text = _error_text(exc) + "".join(f"\n{m}" for m in (init, changed) if m)
        return _failure("error", text, init, changed, exc)
    finally:
        _HANDED.pop()


_MISSING = object()


def _behind(exc, exercise):
    """The result for what ``exc`` (or an exercise's own explanation raised from it) comes from,
    when that is the whole story, else None: the library's own piece, refused (the learner's code
    called it), or this exercise's stub, still in place."""
    for _ in range(20):
        if exc is None:
            return None
        if isinstance(exc, ReferenceUnavailable):
            return _failure("error", _error_text(exc), exc)
        if isinstance(exc, NotImplementedError) and f"{exercise.id}: not started" in str(exc):
            return _not_started(exc)
        exc = exc.__cause__ or exc.__context__
    return None


def operation_init_mistake(exc):
    """A Mistake explaining a TypeError from handing ts.Operation.__init__ something else than a
    list of input nodes (``super().__init__(a, name)``), or None for any other error."""
    if not isinstance(exc, TypeError):
        return None
    frames = traceback.extract_tb(exc.__traceback__)
    inside = bool(frames) and frames[-1].name == "__init__" and frames[-1].filename.endswith("graph.py")
    wrong_count = re.search(r"Operation\.__init__\(\) takes", str(exc))
    if not (inside and "not iterable" in str(exc)) and not wrong_count:
        return None
    return Mistake(
        "ts.Operation.__init__ takes the input nodes as one list, then the name: "
        "super().__init__([a, b], name), even for a single input node, super().__init__([a], name).",
        short="ts.Operation.__init__ was not given one list of the input nodes",
    )


def _not_started(stub):
    """The result of a case whose code raised the exercise's stub ``NotImplementedError``."""
    where = traceback.extract_tb(stub.__traceback__)[-1].name
    said = f" ({where} still raises NotImplementedError)" if where not in ("call", "run_case") else ""
    return {"status": "not_started", "message": f"not started yet{said}"}


def _failure(status, message, *causes):
    """The result dict of a failed case; its short diagnosis is the first cause's ``short``, else
    the message's first line."""
    short = next((c.short for c in causes if isinstance(getattr(c, "short", None), str)), None)
    return {"status": status, "message": message, "short": short or first_line(message)}


def first_line(text, limit=150):
    """The first line of ``text``; when it is long, its first sentence, or what comes before its
    last colon within ``limit`` characters, or its first ``limit`` characters."""
    line = str(text).strip().split("\n", 1)[0]
    if len(line) <= limit:
        return line
    end = line.find(". ", 40, limit)
    if end > 0:
        return line[: end + 1]
    end = line.rfind(": ", 40, limit)
    return line[:end] if end > 0 else line[: limit - 1].rstrip() + "…"


def missing_message(exercise, namespace, name=None):
    name = name or exercise.obj
    names = [n for n in namespace if not n.startswith("_")]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    hint = f" (there is a {close[0]!r}: was it renamed?)" if close else ""
    what = "class" if exercise.kind == "class" and name == exercise.obj else "function"
    return f"no {what} named {name!r} is defined{hint}. Keep the name given in the exercise and run its cell."


def _error_text(exc):
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 600 else text[:600] + " ..."


# ---------------------------------------------------------------------------
# Comparing (runs in the grader's process)
# ---------------------------------------------------------------------------


def evaluate(exercise, inputs, result, want=None):
    """A Verdict for a result dict from ``run_case`` (already decoded)."""
    if not isinstance(result, dict):
        return Verdict(False, ["the result could not be read"], "error")
    status = result.get("status")
    if status is not None:
        message = str(result.get("message", ""))[:2000]
        short = result.get("short")
        return Verdict(
            False,
            message.splitlines() or [""],
            status if status in ("not_started", "missing", "error", "bad_return", "timeout") else "error",
            short=first_line(short) if isinstance(short, str) and short else None,
        )
    if "value" not in result:
        return Verdict(False, ["the result could not be read"], "error")
    if want is None:
        want = exercise.expected(inputs)
    try:
        return exercise.compare(inputs, result["value"], want)
    except Exception as exc:  # a result of an unexpected shape of data
        return Verdict(False, [f"the result could not be compared ({type(exc).__name__}: {exc})"])


def compare_values(got, want, rtol=1e-6, atol=1e-9, label=""):
    """Compare plain data: arrays by shape and value, dicts key by key.

    With a ``label`` (what is compared: ``"p(blue)"``, ``"z.output"``) the lines stand under it,
    the label on a line of its own, and the one-line diagnosis names it in a sentence.
    """
    subject = label or "the result"
    if isinstance(want, dict):
        if not isinstance(got, dict):
            text = f"{subject} must be a dict with the keys {sorted(want)}, not {fmt_value(got)}"
            return Verdict(False, [text], short=text)
        missing = [k for k in want if k not in got]
        if missing:
            text = f"{subject} lacks the keys {missing} (it has the keys {sorted(got)})"
            return Verdict(False, [text], short=text)
        for key in want:
            inner = f"{label}[{key!r}]" if label else str(key)  # a top-level key names itself
            verdict = compare_values(got[key], want[key], rtol, atol, label=inner)
            if not verdict.passed:
                return verdict
        return Verdict(True)

    def failed(lines, short=None):
        return Verdict(
            False, [f"{label}:", *[f"  {line}" for line in lines]] if label else lines, short=short
        )

    want = np.asarray(want, dtype=np.float64)
    if not isinstance(got, np.ndarray):
        if isinstance(got, (int, float)) and not isinstance(got, bool):
            got = np.asarray(float(got))
        else:
            return failed(
                [f"expected: {fmt_array(want)}", f"got a {type(got).__name__}"],
                short=f"{subject} is a {type(got).__name__}, not an array",
            )
    got = got.astype(np.float64)
    lines = [f"expected: {fmt_array(want)}", f"got:      {fmt_array(got)}"]
    if got.shape != want.shape:
        shapes = f"{got.shape} instead of {want.shape}"
        short = f"the shapes of {label} differ: {shapes}" if label else f"the shapes differ: {shapes}"
        return failed(lines + [f"the shapes differ: {shapes}"], short=short)
    if got.size == 0:
        return Verdict(True)
    bad = ~np.isfinite(got) & np.isfinite(want)
    if bad.any():
        return failed(lines + [not_finite_text(got, bad, subject)], short=_not_finite(got, bad, subject))
    diff = np.abs(got - want)
    diff = np.where(np.isfinite(diff), diff, np.where(got == want, 0.0, np.inf))
    if np.all(diff <= atol + rtol * np.abs(want)):
        return Verdict(True)
    flat = int(np.argmax(diff))
    index = tuple(int(i) for i in np.unravel_index(flat, diff.shape))
    where = f" at index {index}" if index else ""
    lines.append(f"largest difference: {_num(diff.flat[flat])}{where}")
    pattern = _pattern(got, want, rtol, atol, subject)
    return failed(lines + [pattern] if pattern else lines, short=pattern)


def _pattern(got, want, rtol, atol, subject):
    """A diagnosis when the wrong values are the right ones with the sign flipped or times one
    constant factor (a sum for a mean, a missing 1/N); None otherwise (the case's hint serves)."""
    if not np.all(np.isfinite(want)) or not np.any(np.abs(want) > atol):
        return None
    if np.allclose(np.sort(got, axis=None), np.sort(want, axis=None), rtol=rtol, atol=atol):
        return None  # the right values in another place: a sign or a factor would mislead
    if np.allclose(got, -want, rtol=rtol, atol=atol):
        return f"{subject} has the wrong sign: it is the negative of what was expected"
    nonzero = np.abs(want) > atol
    if want.size < 2 or nonzero.sum() < 2:
        return None
    ratio = float(np.median(got[nonzero] / want[nonzero]))
    if ratio != 0 and np.allclose(got, ratio * want, rtol=rtol, atol=atol):
        return f"every value of {subject} is {_num(ratio)} times the expected one (a constant factor)"
    return None


def _not_finite(got, bad, subject="the result"):
    """'the result holds 1 NaN and 2 infinite values', for the entries of ``got`` where ``bad``."""
    n_nan, n_inf = int(np.isnan(got[bad]).sum()), int(np.isinf(got[bad]).sum())
    kinds = [f"{n} NaN" for n in [n_nan] if n] + [f"{n} infinite" for n in [n_inf] if n]
    return f"{subject} holds {' and '.join(kinds)} value{'s' if n_nan + n_inf > 1 else ''}"


def not_finite_text(got, bad, subject="the result"):
    """Names the NaN and infinite entries of ``got`` where ``bad``, and where they come from."""
    index = tuple(int(i) for i in np.argwhere(bad)[0]) if got.ndim else ()
    at = f" at index {index}" if index else ""
    first = "NaN" if np.isnan(got[index]) else str(got[index])
    where = (
        "NaN (not a number) comes from 0/0, ∞ − ∞, 0 · ∞ or the log of a negative number"
        if np.isnan(got[index])
        else "an infinite value comes from an exp that overflows, a division by 0 or log(0)"
    )
    return f"{_not_finite(got, bad, subject)} (the first, {first},{at}); {where}"


# ---------------------------------------------------------------------------
# Deterministic text for values
# ---------------------------------------------------------------------------


def _num(x):
    return np.format_float_positional(float(x), precision=6, trim="-") if math.isfinite(x) else str(x)


def fmt_array(a):
    a = np.asarray(a)
    text = np.array2string(
        a, precision=4, suppress_small=True, separator=", ", threshold=24, edgeitems=3, max_line_width=10_000
    )
    text = " ".join(text.split())
    return f"{text}" if a.ndim == 0 else f"shape {a.shape} {text}"


def fmt_value(v):
    if isinstance(v, np.ndarray):
        return fmt_array(v)
    if isinstance(v, float):
        return _num(v)
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k!r}: {fmt_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)) and len(v) > 12:
        return f"[{', '.join(fmt_value(x) for x in v[:12])}, ... ({len(v)} items)]"
    if isinstance(v, (list, tuple)):
        return f"[{', '.join(fmt_value(x) for x in v)}]"
    return repr(v)
