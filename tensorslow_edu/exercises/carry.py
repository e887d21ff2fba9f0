"""Carrying the learner's pieces from notebook to notebook.

At the end of a part, ``keep("part1", traverse_postorder, run_graph, add, matmul)``
writes the source of those pieces (and of the helpers they call) into
``my_tensorslow/part1.py``, next to the notebook, and says for each piece whether it
passes its check. A later notebook gets them back
with ``mine = my_pieces("part1", "part2")``: each piece is run through its
exercise's visible check, and a piece that is missing or fails is replaced by
the library's stand-in (the exercise's ``reference``), with one line saying
which and why. So every notebook runs, and is graded, on its own.
"""

import ast
import dis
import inspect
import linecache
import math
import os
import sys
import textwrap
import types
from pathlib import Path

import numpy as np

from . import check as _check
from .core import exercises_of_part

__all__ = ["keep", "my_pieces", "finished", "Pieces", "FOLDER"]

FOLDER = "my_tensorslow"
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 9: "IX"}

HEADER = '''"""The pieces of Part {part} I wrote, kept by keep() at the end of Part {part}'s notebook.

Edit them in the notebook and run keep() again: this file is rewritten each time.
my_pieces() runs it with math, numpy as np, tensorslow_edu as ts and the pieces of the
earlier parts already defined.
"""

import math

import numpy as np
import tensorslow_edu as ts
'''


def _part_number(part):
    text = str(part).lower().removeprefix("part")
    if not text.isdigit():
        raise ValueError(f"a part is named like 'part1' (or given as 1), not {part!r}")
    return int(text)


def _pieces_of(number):
    """{name: exercise} for every piece of part ``number``."""
    return {name: e for e in exercises_of_part(number) if e.piece for name in e.names}


def _class_source(cls):
    """The source of a class defined in a notebook cell, from the kernel's input history.

    ``inspect.getsource`` finds functions defined in cells but (before Python 3.13)
    not classes, so the cell a method of the class comes from is read instead.
    """
    try:
        return inspect.getsource(cls)
    except (OSError, TypeError):
        pass
    # the cell a method was compiled from is in linecache under the method's file name
    cells = [
        "".join(linecache.getlines(f.__code__.co_filename))
        for f in vars(cls).values()
        if isinstance(f, types.FunctionType)
    ]
    history = sys.modules["__main__"].__dict__.get("In") or []
    for cell in [*cells, *reversed(history)]:
        try:
            tree = ast.parse(cell)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
                return ast.get_source_segment(cell, node, padded=True)
    raise OSError(f"the source of class {cls.__name__} was not found: run its cell again")


def _source(obj):
    if isinstance(obj, type):
        source = _class_source(obj)
    else:
        source = inspect.getsource(obj)
    return textwrap.dedent(source)


def _helpers(pieces, namespace):
    """Functions and classes of the notebook that the pieces call but that were not named."""
    chosen = {p.__name__ for p in pieces}
    found, todo = [], list(pieces)
    while todo:
        for name in sorted({name for name, _ in _globals_read(todo.pop())}):
            obj = namespace.get(name)
            if (
                name not in chosen
                and isinstance(obj, (types.FunctionType, type))
                and getattr(obj, "__module__", None) == namespace.get("__name__", "__main__")
            ):
                chosen.add(name)
                found.append(obj)
                todo.append(obj)
    return found


def keep(part, *pieces, folder=None):
    """Write ``pieces`` (functions and classes defined in the notebook) into ``my_tensorslow/partN.py``.

    Prints what was kept, and for each piece what its check says, run quietly: ✓ passes,
    ✗ not started, fails (and why) or not yours. A piece that does not pass is still kept, but
    later parts use the library's in its place until it passes. Nothing here raises: a piece
    whose source cannot be read is named, and the others are still kept.
    """
    number = _part_number(part)
    if _check.GRADING:
        return None
    known = _pieces_of(number)
    namespace = sys._getframe(1).f_globals
    # each piece is checked as kept: under its own name, with the notebook's other names around it
    checked = {**namespace, **{getattr(p, "__name__", None): p for p in pieces}}
    reports = {}
    lines, sources, stand_ins = [], [], []
    for obj in [*pieces, *_helpers(pieces, namespace)]:
        name = getattr(obj, "__name__", None)
        if not isinstance(obj, (types.FunctionType, type)):
            lines.append(f"  ✗ {name or obj!r}: not a function or class, not kept")
            continue
        try:
            sources.append(_source(obj))
        except (OSError, TypeError) as exc:
            lines.append(f"  ✗ {name}: its source could not be read ({exc}), not kept")
            stand_ins += [name] if name in known else []
            continue
        if name not in known:
            role = "a helper the pieces use" if obj not in pieces else f"not a piece of Part {_roman(number)}"
            lines.append(f"  · {name}: kept ({role})")
            continue
        exercise = known[name]
        if exercise.id not in reports:
            reports[exercise.id] = _check.run_visible(exercise, checked)
        report = reports[exercise.id]
        lines.append(f"  {'✓' if report.passed else '✗'} {name}: {report.summary()}")
        stand_ins += [] if report.passed else [name]
    missing = [name for name in known if name not in {getattr(p, "__name__", None) for p in pieces}]
    path = Path(folder or FOLDER) / f"part{number}.py"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / "__init__.py").touch()
        # two blank lines between top-level definitions, whether a cell ended with blank lines or none
        body = "\n\n\n".join(source.strip("\n") for source in sources)
        # written whole or not at all: a later notebook running at the same time never reads half a file
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        partial.write_text(HEADER.format(part=_roman(number)) + "\n\n" + body + "\n")
        os.replace(partial, path)
    except OSError as exc:
        print(f"could not write {path.as_posix()}: {exc}")
        return None
    print(f"kept in {path.as_posix()}:")
    print("\n".join(lines))
    if missing:
        print(f"  not kept: {', '.join(missing)}")
    later = [*stand_ins, *missing]
    if later:
        one = len(later) == 1
        print(
            f"Later parts will use the library's {_listed(later)} until yours "
            + (
                "passes its check; run this cell again when it does."
                if one
                else "pass their checks; run this cell again when they do."
            )
        )


def _roman(number):
    return ROMAN.get(number, number)


def _listed(names):
    """'a', 'a and b', 'a, b and c'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


class Pieces(types.SimpleNamespace):
    """The engine's pieces by name (``mine.run_graph``); ``mine.whose[name]`` is 'yours' or 'library'.

    ``mine.gradients`` is the engine's table {operation type name: gradient function}, made from
    the pieces named ``<operation>_gradient``.
    """

    def __repr__(self):
        yours = [n for n, w in self.whose.items() if w == "yours"]
        library = [n for n, w in self.whose.items() if w == "library"]
        return f"<pieces: yours {yours}, the library's {library}>"

    def of_parts(self, *parts):
        """The names of the pieces that these parts' exercises ask for: ``mine.of_parts("part4")``."""
        prefixes = tuple(f"part{_part_number(part)}." for part in parts)
        return [name for name, exercise_id in self.exercise_of.items() if exercise_id.startswith(prefixes)]

    def used(self, *used):
        """The names of the pieces that ``used`` needs: each piece named; for a node, the operations
        of the graph that computes it and their gradient functions; and, through their code, the
        pieces those call (your run_graph calls your traverse_postorder)."""
        classes = {id(obj): name for name in self.whose if isinstance(obj := getattr(self, name, None), type)}
        todo = []
        for item in used:
            if isinstance(item, str):
                todo.append(item)
                continue
            for node in _nodes_before(item):
                name = classes.get(id(type(node)))
                todo += [name, f"{name}_gradient"] if name else []
        found = {}
        while todo:
            name = todo.pop(0)
            if name in found or name not in self.whose:
                continue
            found[name] = None
            piece = getattr(self, name)
            todo += [n for n, obj in _globals_read(piece) if n in self.whose and obj is getattr(self, n)]
        return list(found)

    def yours(self, *used):
        """Whether every piece that ``used`` needs (see ``used``) is yours, none the library's."""
        return all(self.whose[name] == "yours" for name in self.used(*used))

    def stand_ins(self, *used):
        """Print which of the pieces that ``used`` needs (piece names and nodes, see ``used``; all
        pieces when none is given) are the library's, not yours, and where to finish them; print
        nothing when they are all yours.

        A cell that runs the learner's pieces calls it, so that what the cell shows is never
        taken for the learner's own work when the library stood in (``my_pieces`` said why).
        """
        names = self.used(*used) if used else list(self.whose)
        library = [name for name in names if self.whose[name] == "library"]
        if not library:
            return
        todo = _where_to_finish(sorted({self.exercise_of[name] for name in library}))
        if len(library) > 3:
            print(
                f"(the library's pieces stand in for {len(library)} of the {len(names)} pieces used here: {todo})"
            )
        else:
            print(f"(the library's {_listed(library)} in place of yours: {todo})")


def _nodes_before(node):
    """``node`` and every node it is computed from."""
    found, todo = {}, [node]
    while todo:
        current = todo.pop()
        if id(current) not in found:
            found[id(current)] = current
            todo.extend(getattr(current, "input_nodes", ()))
    return list(found.values())


def _globals_read(obj):
    """[(name, object)] of the global names the code of a function (or of a class's methods) reads."""
    functions = (
        [obj]
        if isinstance(obj, types.FunctionType)
        else [f for f in vars(obj).values() if isinstance(f, types.FunctionType)]
        if isinstance(obj, type)
        else []
    )
    read = []
    for f in functions:
        codes = [f.__code__]
        while codes:
            code = codes.pop()
            codes.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
            for instruction in dis.get_instructions(code):
                if instruction.opname == "LOAD_GLOBAL" and isinstance(instruction.argval, str):
                    name = instruction.argval
                    read.append((name, f.__globals__.get(name)))
    return read


def _where_to_finish(exercise_ids):
    """'finish part4.matmul_gradient in Part IV, rerun its keep cell, then the my_pieces cell here'."""
    by_part = {}
    for exercise_id in exercise_ids:
        by_part.setdefault(_part_number(exercise_id.split(".")[0]), []).append(exercise_id)
    each = [f"{', '.join(ids)} in Part {_roman(number)}" for number, ids in sorted(by_part.items())]
    rerun = "rerun its keep cell" if len(by_part) == 1 else "rerun each part's keep cell"
    return f"finish {_listed(each)}, {rerun}, then the my_pieces cell here"


def my_pieces(*parts, folder=None, quiet=False):
    """The pieces kept by ``keep`` in earlier notebooks, each checked; the library's where one fails.

    ``mine = my_pieces("part1", "part2", "part3")`` prints one line per part, and one
    line for every piece that is missing or fails its check (saying why), and
    returns the pieces as attributes: ``mine.run_graph``, ``mine.add``, ..., and
    ``mine.gradients``, the table {"add": add_gradient, ...} of the gradient functions among them.
    """
    resolved, whose, report = {}, {}, []
    for part in parts:
        number = _part_number(part)
        known = _pieces_of(number)
        path = Path(folder or FOLDER) / f"part{number}.py"
        namespace = {
            "math": math,
            "np": np,
            "ts": sys.modules["tensorslow_edu"],
            "__name__": f"my_tensorslow.part{number}",
            **resolved,
        }
        problem = None
        if _check.GRADING:
            problem = "not read while grading"
        elif not path.exists():
            problem = (
                f"there is no {path.as_posix()} (the last cell of Part {_roman(number)}'s notebook writes it)"
            )
        else:
            try:
                exec(compile(path.read_text(), str(path), "exec"), namespace)
            except Exception as exc:  # the learner's file: any error is reported, never raised
                problem = f"{path.as_posix()} does not run ({type(exc).__name__}: {exc})"
        failed = []
        for exercise in dict.fromkeys(known.values()):
            stand_in = exercise.reference_pieces()
            if problem is None and not any(name in namespace for name in exercise.names):
                failed.append(f"    {', '.join(exercise.names)}: not kept; using the library's")
            elif problem is None:
                report_of = _check.run_visible(exercise, namespace)
                if report_of.passed:
                    for name in exercise.names:
                        resolved[name], whose[name] = namespace[name], "yours"
                    continue
                why = report_of.summary()  # "not yours: it calls the library's ..." when it is not
                failed.append(f"    {', '.join(exercise.names)}: {why} ({exercise.id}); using the library's")
            for name in exercise.names:
                if name in stand_in:
                    piece = stand_in[name]
                    if getattr(exercise, "composes", False):  # made of other pieces: use the engine's
                        piece = types.FunctionType(
                            piece.__code__, namespace, piece.__name__, piece.__defaults__
                        )
                    resolved[name] = namespace[name] = piece  # the file's other pieces call the stand-in
                    whose[name] = "library"
        # the engine's table of gradient functions, from the names: add_gradient serves "add"
        resolved["gradients"] = namespace["gradients"] = {
            name[: -len("_gradient")]: f
            for name, f in resolved.items()
            if name.endswith("_gradient") and callable(f)
        }
        if problem:
            report.append(f"part{number}: {problem}; using the library's {', '.join(known)}")
        else:
            # helpers and other things the learner kept stay available to later parts
            resolved.update(
                {
                    k: v
                    for k, v in namespace.items()
                    if not k.startswith("__") and k not in resolved and k not in known
                }
            )
            mine = [n for n in known if whose.get(n) == "yours"]
            report.append(f"part{number}: yours: {', '.join(mine) or 'none'}")
            report += failed
    if not quiet:
        print("\n".join(report))
    pieces = Pieces(**{k: v for k, v in resolved.items() if k not in ("math", "np", "ts", "__builtins__")})
    pieces.whose = whose
    pieces.exercise_of = {
        name: exercise.id for part in parts for name, exercise in _pieces_of(_part_number(part)).items()
    }
    return pieces


def finished(*exercise_ids, namespace=None):
    """Whether the learner's pieces for these exercises pass their visible checks, in this notebook.

    A cell that runs the learner's own pieces before the part is over starts with
    ``if finished("part4.backprop", "part4.optimizer"):``. Each piece is checked quietly, as
    ``my_pieces`` checks the kept ones; for every exercise that does not pass yet one line says
    which and why, so the cell asks to finish them instead of failing inside a stub. While
    grading it is quietly False (nothing of the learner's needs to run there).
    """
    if _check.GRADING:
        return False
    namespace = sys._getframe(1).f_globals if namespace is None else namespace
    waiting = []
    for exercise_id in exercise_ids:
        report = _check.check(exercise_id, namespace=namespace)
        if not report.passed:
            waiting.append(f"  {exercise_id}: {str(report).splitlines()[0].split(': ', 1)[1]}")
    if waiting:
        print("This cell runs your own pieces. Finish these exercises first, then run it again:")
        print("\n".join(waiting))
    return not waiting
