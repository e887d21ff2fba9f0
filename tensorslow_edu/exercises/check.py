"""``check("part1.run_graph")``: the visible tests of one exercise, run in the notebook.

The report is deterministic plain text (what nbval compares and what a
terminal shows) and a small HTML table in Jupyter. It never raises for a wrong
answer, so a notebook with stubs still runs top to bottom. Hidden tests are
not part of the package and are never run here.
"""

import html
import json
import sys

from .core import decode, encode_inputs, evaluate, get_exercise, run_case

__all__ = ["check", "CheckReport"]

# Set by the grader in a submission's process: check() then does nothing (its
# result would not count anyway, and grading stays fast).
GRADING = False


class CheckReport:
    """What ``check`` returns: ``str(report)`` is the text, ``report.passed`` a bool."""

    def __init__(self, exercise, rows, state):
        self.exercise = exercise
        self.rows = rows  # (case, verdict)
        self.state = state  # "passed", "failed", "not_started", "missing", "skipped"

    @property
    def passed(self):
        return self.state == "passed"

    def _head(self):
        e, n = self.exercise, len(self.rows)
        ok = sum(v.passed for _, v in self.rows)
        if self.state == "skipped":
            return f"{e.id}: check() is skipped while grading"
        if self.state == "not_started":
            return f"{e.id}: not started yet (the stub still raises NotImplementedError)"
        if self.state == "missing":
            return f"{e.id}: {self.rows[0][1].lines[0]}"
        if self.state == "passed":
            return f"{e.id}: all {n} visible tests passed ✓"
        return f"{e.id}: {ok} of {n} visible tests passed"

    def _details(self):
        out = []
        if self.state not in ("passed", "failed"):
            return out
        for case, verdict in self.rows:
            mark = "✓" if verdict.passed else "✗"
            out.append((mark, case, verdict))
        return out

    def __str__(self):
        lines = [self._head()]
        first_failure = True
        for mark, case, verdict in self._details():
            lines.append(f"  {mark} {case.name}")
            if not verdict.passed and first_failure:
                # full detail for the first failure only: one thing to fix at a time
                first_failure = False
                lines.append(f"      input: {self.exercise.describe(case.inputs)}")
                lines += [f"      {line}" for line in verdict.lines]
                if case.hint:
                    lines.append(f"      hint: {case.hint}")
        if self.state == "passed":
            lines.append("  (hidden tests are run when the notebook is graded)")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self):
        colour = {"passed": "#1a7f37", "failed": "#cf222e"}.get(self.state, "#6e7781")
        parts = [f'<div style="font-family:monospace;border-left:4px solid {colour};padding-left:8px">',
                 f"<b>{html.escape(self._head())}</b>"]
        first_failure = True
        for mark, case, verdict in self._details():
            parts.append(f"<div>{mark} {html.escape(case.name)}</div>")
            if not verdict.passed and first_failure:
                first_failure = False
                detail = [f"input: {self.exercise.describe(case.inputs)}", *verdict.lines]
                if case.hint:
                    detail.append(f"hint: {case.hint}")
                parts.append('<pre style="margin:2px 0 6px 24px">'
                             + html.escape("\n".join(detail)) + "</pre>")
        parts.append("</div>")
        return "".join(parts)


def _caller_namespace(depth):
    frame = sys._getframe(depth + 1)
    return frame.f_globals


def check(exercise_id, namespace=None):
    """Run the visible tests of ``exercise_id`` on the learner's object and report.

    The object is looked up by name in ``namespace``, by default the globals of
    the caller (the notebook).
    """
    exercise = get_exercise(exercise_id)
    if GRADING:
        return CheckReport(exercise, [], "skipped")
    if namespace is None:
        namespace = _caller_namespace(1)
    rows = []
    for case in exercise.cases:
        # the same round trip through JSON as in grading, so both judge alike
        inputs = decode(json.loads(json.dumps(encode_inputs(case.inputs))))
        result = json.loads(json.dumps(run_case(exercise, namespace, inputs)))
        verdict = evaluate(exercise, inputs, decode(result))
        rows.append((case, verdict))
        if verdict.status in ("not_started", "missing"):
            return CheckReport(exercise, [(case, verdict)], verdict.status)
    state = "passed" if all(v.passed for _, v in rows) else "failed"
    return CheckReport(exercise, rows, state)
