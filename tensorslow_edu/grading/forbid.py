"""While an exercise is graded, the library's own version of what it asks for is unavailable.

An exercise names the reference pieces it asks the learner to write::

    class SigmoidGradient(Exercise):
        forbids = ("tensorslow_edu.perceptron._sigmoid_gradient",)

In a submission's process ``install`` replaces each named function (a module
attribute or a method, given by its dotted path) with a guard, everywhere
the library refers to it: module attributes, class attributes and dicts
held by the library's modules (the gradient registry). ``forbidding`` makes
the guards of one exercise refuse while that exercise's cases run, so
``gradient_function(op)(op, grad)`` for a sigmoid, called from a learner's
``sigmoid_gradient``, raises ``ReferenceUnavailable`` with a message that
says what to do, while the same gradient still works for the learner's
``backprop`` (another exercise). A guard refuses only a call made from
outside the package: the library's own code and the exercises' ``call``
(which may run a Session around the learner's operation) still use the
original, and grading the instructor notebooks to full marks holds every
part to that.

``check()`` in a notebook applies the same block, for as long as one check
runs (``blocking``): the guards are put in place, refuse while the
exercise's cases run, and are taken away again, so the learner's later cells
and the library itself work as before.

This keeps a learner from handing in the library's piece as their own. It
does not stop someone who copies the library's source into the notebook,
or digs the original function out of the interpreter's memory.
"""

import contextlib
import functools
import importlib
import sys

__all__ = ["ReferenceUnavailable", "resolve", "install", "forbidding", "blocking"]

_active = {}  # dotted path -> id of the exercise being graded that forbids it


class ReferenceUnavailable(RuntimeError):
    """The learner's code called the library's version of the piece it is asked to write.

    ``short`` says so in one line, for the summaries of check() and my_pieces().
    """

    def __init__(self, message, short=None):
        super().__init__(message)
        self.short = short


def resolve(path):
    """(owner, attribute name, object) for a dotted path such as ``tensorslow_edu.graph.Session.run``."""
    parts = path.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for name in parts[split:-1]:
            owner = getattr(owner, name, None)
        if owner is not None and hasattr(owner, parts[-1]):
            return owner, parts[-1], getattr(owner, parts[-1])
        break
    raise LookupError(
        f"{path!r} names nothing: give a function or a method by its dotted path, "
        f"e.g. 'tensorslow_edu.perceptron._sigmoid_gradient' or "
        f"'tensorslow_edu.graph.Session.run'"
    )


def _guard(path, original):
    short = path.replace("tensorslow_edu.", "ts.", 1)

    def guard(*args, **kwargs):
        exercise_id = _active.get(path)
        # the library and the exercises' own code may still use it; only the learner's code may not
        caller = sys._getframe(1).f_globals.get("__name__", "")
        if exercise_id is not None and not _is_library(caller):
            raise ReferenceUnavailable(
                f"{short} is the library's own version of what {exercise_id} asks you to write, so it "
                f"is unavailable while {exercise_id} is graded, and in its check: write it yourself "
                f"(the hints of check({exercise_id!r}) help).",
                short=f"it calls the library's {short}",
            )
        return original(*args, **kwargs)

    functools.update_wrapper(guard, original)
    del guard.__wrapped__
    return guard


def _is_library(module_name):
    return module_name == "tensorslow_edu" or module_name.startswith("tensorslow_edu.")


def _library_namespaces():
    for name, module in list(sys.modules.items()):
        if name == "tensorslow_edu" or name.startswith("tensorslow_edu."):
            yield module.__dict__, module
            for value in list(vars(module).values()):
                if isinstance(value, type) and (value.__module__ or "").startswith("tensorslow_edu"):
                    yield dict(vars(value)), value


def _namespaces(extra):
    """The library's namespaces, then each dict of ``extra`` and the classes defined in it."""
    yield from _library_namespaces()
    for namespace in extra:
        yield namespace, None
        module = namespace.get("__name__")
        for value in list(namespace.values()):
            if isinstance(value, type) and value.__module__ == module:
                yield dict(vars(value)), value


def install(paths, namespaces=()):
    """Put a guard in place of each function named in ``paths``, in every library reference to it
    and in ``namespaces`` (dicts such as a notebook's globals, with the classes defined there).

    Returns a function that puts every original back where a guard still stands.
    """
    replaced = {}
    for path in sorted(set(paths)):
        owner, name, original = resolve(path)
        if isinstance(original, (staticmethod, classmethod)) or not callable(original):
            raise TypeError(f"{path!r} is not a function or a method")
        replaced[id(original)] = (original, _guard(path, original))
    done = []  # (where, key, original, guard): where is a class or module (setattr) or a dict
    for namespace, owner in _namespaces(namespaces):
        for key, value in list(namespace.items()):
            hit = replaced.get(id(value))
            if hit is not None and hit[0] is value:
                target = namespace if owner is None else owner
                _put(target, key, hit[1])
                done.append((target, key, *hit))
            elif isinstance(value, dict) and not isinstance(owner, type):
                for k, v in list(value.items()):  # registries such as the gradients'
                    hit = replaced.get(id(v))
                    if hit is not None and hit[0] is v:
                        value[k] = hit[1]
                        done.append((value, k, *hit))

    def undo():
        for target, key, original, guard in reversed(done):
            current = target.get(key) if isinstance(target, dict) else vars(target).get(key)
            if current is guard:
                _put(target, key, original)

    return undo


def _put(target, key, value):
    if isinstance(target, dict):
        target[key] = value
    else:
        setattr(target, key, value)


@contextlib.contextmanager
def forbidding(exercise):
    """While the block runs, the guards of ``exercise.forbids`` refuse."""
    paths = tuple(getattr(exercise, "forbids", ()))
    for path in paths:
        _active[path] = exercise.id
    try:
        yield
    finally:
        for path in paths:
            _active.pop(path, None)


@contextlib.contextmanager
def blocking(exercise, namespaces=()):
    """check()'s block: the guards of ``exercise.forbids`` stand, and refuse, only while the block
    runs (``namespaces``: the learner's, whose names may hold the originals too)."""
    undo = install(getattr(exercise, "forbids", ()), namespaces)
    try:
        with forbidding(exercise):
            yield
    finally:
        undo()
