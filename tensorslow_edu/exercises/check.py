"""``check("part1.run_graph")``: the visible tests of one exercise, run in the notebook.

The report is deterministic plain text (what nbval compares and what a
terminal shows) and a small HTML table in Jupyter. It never raises for a wrong
answer, so a notebook with stubs still runs top to bottom. Hidden tests are
not part of the package and are never run here. The exercises are those of the course
in use (``course.py``): a course folder found from the notebook's folder, else the shipped parts.

While the cases run, the library's own versions of what the exercise asks for
(its ``forbids``) refuse calls from the learner's code, as they do in grading
(``grading/forbid.py``); the block is lifted when the check is done.
"""

import html
import json
import re
import sys

from ..grading import forbid
from .core import all_exercises, decode, encode_inputs, evaluate, get_exercise, run_case, unknown_id_message

__all__ = ["check", "CheckReport"]

# Set by the grader in a submission's process: check() then does nothing (its
# result would not count anyway, and grading stays fast).
GRADING = False


class CheckReport:
    """What ``check`` returns: ``str(report)`` is the text, ``report.passed`` a bool.

    The first failing case is explained in full (input, expected, got, hint); every
    other failing case gets one line: its own diagnosis ("same problem: ..." when it is the
    first one's), else its hint. ``hint_level`` picks how specific the hints are
    (``check(id, hint=2)``). ``summary()`` is the whole report in one line.
    """

    def __init__(self, exercise, rows, state, hint_level=1, message=None):
        self.exercise = exercise
        self.rows = rows  # (case, verdict)
        self.state = state  # "passed", "failed", "not_started", "missing", "skipped", "unknown"
        self.hint_level = max(1, int(hint_level))
        self.message = message  # for "unknown": the closest ids

    @property
    def passed(self):
        return self.state == "passed"

    def _head(self):
        if self.state == "unknown":
            return f"check: {self.message}"
        e, n = self.exercise, len(self.rows)
        ok = sum(v.passed for _, v in self.rows)
        if self.state == "skipped":
            return f"{e.id}: check() is skipped while grading"
        if self.state == "not_started":
            said = self.rows[0][1].lines[0] if self.rows and self.rows[0][1].lines else ""
            if "(" in said:  # it names the function that is still a stub
                return f"{e.id}: {said}"
            return f"{e.id}: not started yet (the stub still raises NotImplementedError)"
        if self.state == "missing":
            return f"{e.id}: {self.rows[0][1].lines[0]}"
        if self.state == "passed":
            return f"{e.id}: all {n} visible tests passed ✓"
        return f"{e.id}: {ok} of {n} visible tests passed"

    def summary(self):
        """The report in one line, for keep() and my_pieces(): 'passes its 5 visible tests',
        'not started yet', 'fails 2 of 5 visible tests: <what went wrong first>'."""
        if self.state in ("unknown", "missing", "skipped"):
            return self._head().split(": ", 1)[-1]
        if self.state == "not_started":
            return "not started yet"
        n = len(self.rows)
        if self.state == "passed":
            return f"passes its {n} visible test{'s' if n > 1 else ''}"
        failing = [v for _, v in self.rows if not v.passed]
        calls = [v for v in failing if _calls_library(v)]
        if calls:  # the library did the work: not the learner's piece, whatever else failed
            return f"not yours: {calls[0].short}"
        first = self._chosen()
        why = first.short if first is not None and first.short else None
        return f"fails {len(failing)} of {n} visible tests" + (f": {why}" if why else "")

    def _chosen(self):
        """The failing verdict explained in full: the first that ran, else the first."""
        failing = [v for _, v in self.rows if not v.passed]
        return next((v for v in failing if v.status != "not_started"), failing[0] if failing else None)

    def _hint(self, case):
        text, level = case.hint_at(self.hint_level)
        if text is None:
            return None
        return f"hint {level}: {text}" if len(case.hints) > 1 else f"hint: {text}"

    def _beyond(self, case):
        """'there is no hint 5; hint 2 is the last' when more was asked than the case has, else None."""
        n = len(case.hints)
        if not n or self.hint_level <= n:
            return None
        last = f"hint {n} is the last" if n > 1 else "this case has one hint"
        return f"(there is no hint {self.hint_level}; {last})"

    def _blocks(self):
        """[(mark, case name, detail lines, in full?)]: all details for the first failure that ran, one
        line for each other (its hint, or "not started yet" for a function still a stub)."""
        blocks = []
        if self.state != "failed":
            return blocks
        # explain in full the first case that ran and failed, rather than one not started yet
        chosen = self._chosen()
        for case, verdict in self.rows:
            if verdict.passed:
                blocks.append(("✓", case.name, [], False))
                continue
            hint = self._hint(case)
            if verdict is chosen:
                detail = [f"input: {self.exercise.describe(case.inputs)}", *verdict.lines]
                if hint:
                    detail += [line for line in [self._beyond(case), hint] if line]
                    more = len(case.hints) - min(self.hint_level, len(case.hints))
                    if more:
                        detail.append(
                            f'(a more specific hint: check("{self.exercise.id}", hint={self.hint_level + 1}))'
                        )
            elif verdict.status == "not_started" and verdict.lines:
                detail = [verdict.lines[0]]
            elif verdict.short:  # what went wrong in this case: the first one's problem, or its own
                same = same_problem(verdict.short, chosen.short)
                detail = [f"same problem: {verdict.short}" if same else verdict.short]
            elif hint:  # a plain wrong value, with no diagnosis: the case's hint leads to it
                detail = [hint]
            else:
                detail = [verdict.lines[0]] if verdict.status != "failed" and verdict.lines else []
            blocks.append(("✗", case.name, detail, verdict is chosen))
        return blocks

    def __str__(self):
        lines = [self._head()]
        for mark, name, detail, full in self._blocks():
            if mark == "✗" and not full:
                lines.append(f"  {mark} {name}" + (f" — {detail[0]}" if detail else ""))
                continue
            lines.append(f"  {mark} {name}")
            lines += [f"      {line}" for line in detail]
        if self.state == "passed":
            lines.append("  (hidden tests are run when the notebook is graded)")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self):
        colour = {"passed": "#1a7f37", "failed": "#cf222e"}.get(self.state, "#6e7781")
        parts = [
            f'<div style="font-family:monospace;border-left:4px solid {colour};padding-left:8px">',
            f"<b>{html.escape(self._head())}</b>",
        ]
        for mark, name, detail, full in self._blocks():
            if mark == "✗" and not full:
                parts.append(
                    f"<div>{mark} {html.escape(name)}"
                    + (f" — {html.escape(detail[0])}" if detail else "")
                    + "</div>"
                )
                continue
            parts.append(f"<div>{mark} {html.escape(name)}</div>")
            if full:
                parts.append(
                    '<pre style="margin:2px 0 6px 24px">' + html.escape("\n".join(detail)) + "</pre>"
                )
        parts.append("</div>")
        return "".join(parts)


_PARTICULARS = re.compile(
    r"'[^']*'|`[^`]*`|\([^()]*\)|\[[^\[\]]*\]|[-+]?\d+(\.\d+)?(e[-+]?\d+)?|\b\w\b|[∂\w]+\[\S*\]"
)


def same_problem(short, first):
    """Whether the one-line diagnosis ``short`` of a case is the problem ``first`` of the case explained
    in full: the same sentence once the particulars (names in quotes, one-letter names, numbers,
    shapes and lists) are set aside, as in "Variable 'A' was given no output" and "Variable 'w'
    was given no output"."""
    if not short or not first:
        return False
    return _PARTICULARS.sub("…", short) == _PARTICULARS.sub("…", first)


def _caller_namespace(depth):
    frame = sys._getframe(depth + 1)
    return frame.f_globals


def check(exercise_id, namespace=None, hint=1):
    """Run the visible tests of ``exercise_id`` on the learner's object and report.

    The object is looked up by name in ``namespace``, by default the globals of
    the caller (the notebook). ``hint=2`` (3, ...) asks for more specific hints.
    A mistyped id gives a report naming the closest id; nothing here raises.
    """
    if exercise_id not in all_exercises():
        return CheckReport(None, [], "unknown", message=unknown_id_message(exercise_id))
    exercise = get_exercise(exercise_id)
    if GRADING:
        return CheckReport(exercise, [], "skipped")
    if namespace is None:
        namespace = _caller_namespace(1)
    return run_visible(exercise, namespace, hint)


def _calls_library(verdict):
    """Whether the case failed because the learner's code called what the exercise forbids."""
    return (
        verdict.status == "error"
        and bool(verdict.lines)
        and verdict.lines[0].startswith(f"{forbid.ReferenceUnavailable.__name__}:")
    )


def _learners_namespaces(exercise, namespace):
    """``namespace`` and the globals the learner's objects of ``exercise`` run with (a function
    or class kept in another notebook's file reads that file's names)."""
    found = {id(namespace): namespace}
    for name in exercise.names:
        obj = namespace.get(name)
        functions = list(vars(obj).values()) if isinstance(obj, type) else [obj]
        for f in functions:
            scope = getattr(f, "__globals__", None)
            if isinstance(scope, dict) and scope.get("__name__", "").split(".")[0] != "tensorslow_edu":
                found.setdefault(id(scope), scope)
    return list(found.values())


def run_visible(exercise, namespace, hint=1):
    """The CheckReport of ``exercise``'s visible cases on the objects in ``namespace``, with the
    library's own versions of the exercise's piece blocked while they run, as in grading."""
    with forbid.blocking(exercise, _learners_namespaces(exercise, namespace)):
        return _run_cases(exercise, namespace, hint)


def _run_cases(exercise, namespace, hint):
    rows = []
    for case in exercise.cases:
        # the same round trip through JSON as in grading, so both judge alike
        inputs = decode(json.loads(json.dumps(encode_inputs(case.inputs))))
        result = json.loads(json.dumps(run_case(exercise, namespace, inputs)))
        verdict = evaluate(exercise, inputs, decode(result))
        rows.append((case, verdict))
        if verdict.status == "missing":
            return CheckReport(exercise, [(case, verdict)], verdict.status, hint)
    if all(v.status == "not_started" for _, v in rows):
        return CheckReport(exercise, rows[:1], "not_started", hint)
    # some of a family of functions written, others still stubs: report both
    state = "passed" if all(v.passed for _, v in rows) else "failed"
    return CheckReport(exercise, rows, state, hint)
