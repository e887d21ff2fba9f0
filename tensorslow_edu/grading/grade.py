"""Batch grading: ``tensorslow-edu grade SUBMISSIONS... --out DIR``.

For each submission (a notebook file; folders are searched for files) the
grader, in its own process:

1. reads the notebook (``notebooks.load``): a bad file gets a status and zero;
2. sends the code cells and the *inputs* of every test (visible and hidden) to
   a fresh sandboxed process (``sandbox.run_submission``);
3. decodes the JSON results and compares them with the right answers it
   computed itself from the reference library (``exercises.core.evaluate``).

Per submission it writes ``DIR/<name>/results.json`` (Gradescope's format)
and ``DIR/<name>/feedback.html`` (for the student), and its full record in
``DIR/_records/<name>.json``. From every record in ``DIR`` (so regrading a
few submissions keeps the others) it then writes, for the instructor,
``grades.csv``, ``results.jsonl`` (one line per submission and test, hidden
tests included), ``report.html`` (the class report) and, with a roster,
``canvas.csv`` (Canvas's grade-import columns).
"""

import collections
import concurrent.futures
import decimal
import json
import os
import re
import sys
import traceback
from pathlib import Path

from ..exercises.core import (
    Case,
    all_exercises,
    current_course,
    decode,
    encode_inputs,
    evaluate,
    exercises_of_part,
)
from . import forbid, notebooks, report
from .sandbox import Limits, run_submission

PACKAGE_ROOT = Path(__file__).resolve().parents[2]
# where a wheel installs the course's instructor files (pyproject.toml, [tool.setuptools.data-files])
INSTALLED_FILES = Path(sys.prefix) / "share" / "tensorslow-edu"


def instructor_folder(name):
    """``course/instructor/<name>`` of the repository, else the copy installed with the package."""
    checkout = PACKAGE_ROOT / "course" / "instructor" / name
    return checkout if checkout.is_dir() or not (INSTALLED_FILES / name).is_dir() else INSTALLED_FILES / name


DEFAULT_HIDDEN = instructor_folder("hidden")
SAMPLE_CLASS = instructor_folder("sample_class") / "submissions"

SKIP_NAMES = {".ipynb_checkpoints", "__pycache__", ".DS_Store"}


class GradingSetupError(Exception):
    """The grading run cannot start (no hidden tests, no submissions, unknown part): says how to fix it."""


def load_hidden(folder):
    """{exercise id: [Case, ...]} from every ``*.py`` file in ``folder`` (each defines ``HIDDEN``).

    A hidden case is only inputs (and a name): the grader computes the right answers from the
    reference library, in its own process; the files never reach a submission.
    """
    folder = Path(folder)
    files = sorted(p for p in folder.glob("*.py") if not p.name.startswith("_")) if folder.is_dir() else []
    if not files:
        raise GradingSetupError(
            f"no hidden tests in {folder} (expected files such as {folder / 'part1.py'} defining HIDDEN). "
            f"Pass --hidden DIR pointing at the course's hidden tests, or --visible-only to grade with "
            f"the visible tests alone."
        )
    import importlib.util

    hidden = {}
    for path in files:
        spec = importlib.util.spec_from_file_location(f"_tensorslow_hidden_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        table = getattr(module, "HIDDEN", None)
        if not isinstance(table, dict) or not all(
            isinstance(c, Case) for cases in table.values() for c in cases
        ):
            raise GradingSetupError(
                f"{path}: define a dict HIDDEN mapping each exercise id to a list of Case(...)."
            )
        for exercise_id, cases in table.items():
            hidden.setdefault(exercise_id, []).extend(cases)
    return hidden


def hidden_folder(course):
    """The hidden tests of ``course``: its own folder, or for the shipped course the shipped ones."""
    return DEFAULT_HIDDEN if course.shipped else course.hidden_dir


def find_submissions(paths):
    """[(name, path)]: files as given; folders searched (sorted) for files. Names are unique."""
    found = []
    for given in paths:
        given = Path(given)
        if given.is_dir():
            for path in sorted(given.rglob("*")):
                rel = path.relative_to(given)
                if path.is_file() and not any(p in SKIP_NAMES or p.startswith(".") for p in rel.parts):
                    found.append(("__".join(rel.with_suffix("").parts), path))
        elif given.exists():
            found.append((given.stem, given))
        else:
            raise GradingSetupError(f"{given}: no such file or folder.")
    names, seen = [], collections.Counter()
    for name, path in found:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "submission"
        seen[safe] += 1
        names.append((safe if seen[safe] == 1 else f"{safe}-{seen[safe]}", path))
    return names


class Grader:
    """Grades submissions for one part with fixed tests and right answers."""

    def __init__(self, part, hidden=None, limits=None, deny=(), decimals=2, course=None):
        self.part = int(part)
        self.course = current_course() if course is None else course
        self.decimals = int(decimals)  # of the totals; exercise scores keep two
        self.exercises = exercises_of_part(self.part, self.course)
        if not self.exercises:
            parts = sorted({int(i.split(".")[0][4:]) for i in all_exercises(self.course)})
            raise GradingSetupError(
                f"there are no exercises for Part {part} in the course "
                f"({self.course.root or 'the shipped parts'}: parts {parts} have some)."
            )
        self.limits = limits or Limits()
        self.deny = [str(Path(d).resolve()) for d in deny]
        self.forbids = sorted({path for e in self.exercises for path in getattr(e, "forbids", ())})
        for exercise in self.exercises:
            for path in getattr(exercise, "forbids", ()):
                try:
                    forbid.resolve(path)
                except LookupError as exc:
                    raise GradingSetupError(f"{exercise.id}: forbids {exc}") from None
        self.cases = []  # (exercise, key, inputs (decoded), case, hidden?)
        hidden = hidden or {}
        for exercise in self.exercises:
            for tag, cases in (("v", exercise.cases), ("h", hidden.get(exercise.id, []))):
                for i, case in enumerate(cases):
                    encoded = encode_inputs(case.inputs)
                    self.cases.append((exercise, f"{exercise.id}#{tag}{i}", encoded, case, tag == "h"))
        # right answers, computed here, once, and never sent anywhere
        self.expected = {
            key: exercise.expected(decode(encoded)) for exercise, key, encoded, case, _ in self.cases
        }

    @property
    def maximum(self):
        return sum(e.points for e in self.exercises)

    def grade(self, name, path):
        try:
            return self._grade(name, path)
        except Exception:  # a grader bug must not cost the other submissions their grades
            record = self._empty_record(
                name,
                path,
                "internal_error",
                "the grader failed on this submission (please report it): "
                + traceback.format_exc(limit=3).strip().splitlines()[-1],
            )
            return record

    def _empty_record(self, name, path, status, reason):
        return {
            "name": name,
            "file": str(path),
            "part": self.part,
            "status": status,
            "reason": reason,
            "total": 0.0,
            "maximum": self.maximum,
            "cell_errors": [],
            "output": "",
            "sandbox": {},
            "exercises": {
                e.id: {
                    "score": 0.0,
                    "max_score": e.points,
                    "status": "not_run",
                    "visible": [],
                    "hidden": [],
                    "message": reason,
                }
                for e in self.exercises
            },
        }

    def _grade(self, name, path):
        loaded = notebooks.load(path)
        if loaded.status != "ok":
            return self._empty_record(name, path, loaded.status, loaded.reason)
        if loaded.part is not None and loaded.part != self.part:
            return self._empty_record(
                name,
                path,
                "wrong_part",
                f"this notebook is Part {loaded.part} (its metadata says so), but Part {self.part} "
                f"is being graded: submit the Part {self.part} notebook",
            )
        jobs = [{"key": key, "exercise": e.id, "inputs": encoded} for e, key, encoded, _, _ in self.cases]
        outcome = run_submission(loaded.cells, jobs, self.limits, self.deny, self.forbids, self.course.root)
        results, cell_errors, output, fatal, sandboxed = {}, [], "", None, None
        for event in outcome.events:
            if "case" in event and isinstance(event.get("case"), str) and event["case"] not in results:
                results[event["case"]] = event.get("result")
            elif "cell" in event and "error" in event:
                cell_errors.append({"cell": event["cell"], "error": str(event["error"])[:500]})
            elif "output" in event:
                output = str(event["output"])[: self.limits.output_chars + 200]
            elif "fatal" in event:
                fatal = str(event["fatal"])[:500]
            elif "landlock" in event:
                sandboxed = {"landlock": event["landlock"] is True, "seccomp": event.get("seccomp") is True}
        status, reason = "ok", ""
        if outcome.timed_out:
            status, reason = (
                "timeout",
                (
                    f"the notebook did not finish within {self.limits.timeout:g} s "
                    f"and was stopped; tests that had not run score 0"
                ),
            )
        elif outcome.overflowed:
            status, reason = "output_limit", "the notebook sent far too much data back and was stopped"
        elif not outcome.finished:
            why = fatal or (
                f"exit code {outcome.exitcode}"
                if outcome.exitcode >= 0
                else f"killed by signal {-outcome.exitcode}"
            )
            status, reason = (
                "crashed",
                (
                    f"the notebook's process ended before grading finished ({why}), "
                    f"e.g. by os._exit or running out of memory; tests that had "
                    f"not run score 0"
                ),
            )
        elif cell_errors:
            status = "cell_errors"
            first = cell_errors[0]
            later = cell_errors[1:]
            syntax = [e["cell"] for e in later if e["error"].startswith("SyntaxError")]
            more = len(later) - len(syntax)  # a syntax error never follows from another cell
            reason = (
                f"cell {first['cell']} raised {shorten(first['error'], 200)}"
                + (f"; {more} later cell(s) raised errors too, which may follow from it" if more else "")
                + (
                    f"; cell {syntax[0]} has a syntax error of its own"
                    if len(syntax) == 1
                    else f"; cells {', '.join(map(str, syntax))} have syntax errors of their own"
                    if syntax
                    else ""
                )
                + "; every exercise was still graded"
            )
        if loaded.part is None and status in ("ok", "cell_errors"):
            reason = (reason + "; " if reason else "") + (
                f"the notebook has no part in its metadata; graded as Part {self.part}"
            )
        record = self._empty_record(name, path, status, reason)
        record.update(cell_errors=cell_errors, output=output, sandbox=sandboxed or {})
        not_run = {"status": "error", "message": f"not run ({status}: the process stopped before this test)"}
        total = 0.0
        for exercise in self.exercises:
            entry = record["exercises"][exercise.id]
            verdicts = []
            for e, key, encoded, case, hidden in self.cases:
                if e is not exercise:
                    continue
                raw = results.get(key, not_run)
                try:
                    result = decode(raw)
                except (ValueError, TypeError, KeyError) as exc:
                    result = {"status": "error", "message": f"the result could not be read ({exc})"}
                verdict = evaluate(exercise, decode(encoded), result, self.expected[key])
                verdicts.append((case, verdict, hidden, encoded))
            n = len(verdicts)
            passed = sum(v.passed for _, v, _, _ in verdicts)
            exact = exercise.points * passed / n if n else 0.0
            score = round(exact, 2)
            total += exact
            states = {v.status for _, v, _, _ in verdicts}
            if passed == n:
                state = "passed"
            elif "missing" in states:
                state = "missing"
            elif states == {"not_started"}:
                state = "not_started"
            else:
                state = "partial" if passed else "failed"
            message = _message(exercise, state, verdicts)
            if state != "passed":
                cause = first_cause(exercise, loaded.cells, cell_errors)
                if cause:
                    message = cause if state == "missing" else f"{cause} {message}".strip()
            entry.update(
                score=score,
                status=state,
                message=message,
                visible=[
                    {
                        "name": c.name,
                        "passed": v.passed,
                        "status": v.status,
                        "lines": v.lines,
                        "input": exercise.describe(decode(enc)),
                        "hint": c.hint or "",
                    }
                    for c, v, h, enc in verdicts
                    if not h
                ],
                hidden=[
                    {
                        "name": c.name,
                        "passed": v.passed,
                        "status": v.status,
                        "lines": v.lines,
                        "hint": c.hint or "",
                    }
                    for c, v, h, _ in verdicts
                    if h
                ],
            )
        record["total"] = round_half_up(total, self.decimals)
        return record


def round_half_up(value, decimals):
    """``value`` rounded to ``decimals`` places, halves away from zero (1.705 → 1.71, 2.5 → 3)."""
    quantum = decimal.Decimal(1).scaleb(-int(decimals))
    return float(decimal.Decimal(repr(float(value))).quantize(quantum, rounding=decimal.ROUND_HALF_UP))


def shorten(text, limit):
    """``text`` cut to about ``limit`` characters at a word boundary, with an ellipsis when cut."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def first_cause(exercise, cells, cell_errors):
    """A sentence naming the cell error that explains a failing exercise, or "".

    A SyntaxError in the cell defining the exercise's object (the cell never
    ran); else the first error in a cell before it (a failed import leaves
    names such as ``np`` undefined); else an error in that cell itself.
    """
    pattern = re.compile(rf"^\s*(?:async\s+)?(?:def|class)\s+{re.escape(exercise.obj)}\b", re.MULTILINE)
    defining = next((number for number, source in cells if pattern.search(source)), None)
    if not cell_errors or defining is None:  # never defined: the exercise's own message says so
        return ""
    errors = {e["cell"]: e["error"] for e in cell_errors}
    earlier = [e for e in cell_errors if e["cell"] < defining]
    if not earlier or errors.get(defining, "").startswith("SyntaxError"):  # that cell never ran at all
        if defining in errors:
            return (
                f"Cell {defining}, where {exercise.obj} is defined, raised "
                f"{shorten(errors[defining], 300)}: fix that first."
            )
        return ""
    first = earlier[0]
    text = f"Cell {first['cell']} raised {shorten(first['error'], 300)} before this exercise"
    if defining in errors:
        return (
            f"{text}, and then cell {defining}, where {exercise.obj} is defined, raised "
            f"{shorten(errors[defining], 200)}: fix cell {first['cell']} first."
        )
    return (
        f"{text}: what it should have defined (an import, a variable) may be missing here, so fix it first."
    )


def _message(exercise, state, verdicts):
    if state == "missing":
        return next(v.lines[0] for _, v, _, _ in verdicts if v.status == "missing")
    if state == "not_started":
        return "not started yet (the stub still raises NotImplementedError)"
    return ""


def grade_class(
    paths,
    out,
    part=None,
    jobs=2,
    limits=None,
    hidden_dir=None,
    visible_only=False,
    progress=True,
    decimals=2,
    roster=None,
    assignment=None,
    course=None,
):
    """Grade every submission under ``paths``; write the gradebook and the feedback. Returns the records.

    ``course``: the course (a Course or its folder; default: the one found from the current
    directory, see ``exercises/course.py``); ``hidden_dir``: default, the course's hidden tests.
    """
    from ..exercises.course import Course

    course = current_course() if course is None else course if isinstance(course, Course) else Course(course)
    hidden_dir = hidden_folder(course) if hidden_dir is None else hidden_dir
    submissions = find_submissions(paths)
    if not submissions:
        raise GradingSetupError("no submissions found: give notebook files or folders holding them.")
    out = Path(out)
    if part is None:
        parts = collections.Counter(
            p for p in (notebooks.load(path).part for _, path in submissions) if p is not None
        )
        if not parts:
            raise GradingSetupError(
                "none of the notebooks says which part it is (metadata tensorslow_edu.part): pass --part N."
            )
        part = sorted(parts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    if roster is not None:
        try:
            report.read_roster(roster)  # a bad roster stops the run before any grading
        except ValueError as exc:
            raise GradingSetupError(str(exc)) from None
    hidden = {} if visible_only else load_hidden(hidden_dir)
    deny = denied_folders(
        out, hidden_dir if not visible_only else None, [path for _, path in submissions], course
    )
    grader = Grader(part, hidden, limits, deny=deny, decimals=decimals, course=course)
    out.mkdir(parents=True, exist_ok=True)
    records = []
    bar = None
    if progress:
        try:
            from tqdm import tqdm
        except ImportError:  # a progress bar is a comfort, not a need
            tqdm = None
        if tqdm is not None:
            bar = tqdm(
                total=len(submissions),
                unit="notebook",
                desc=f"grading Part {grader.part}",
                file=sys.stderr,
                dynamic_ncols=True,
                disable=None,
            )  # None: only on a terminal
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, int(jobs))) as pool:
        futures = [pool.submit(grader.grade, name, path) for name, path in submissions]
        for future in concurrent.futures.as_completed(futures):
            record = future.result()
            report.write_submission(out, record, grader.exercises)
            report.write_atomic(
                out / RECORDS / f"{record['name']}.json",
                json.dumps(record, indent=1, ensure_ascii=False) + "\n",
            )
            records.append(record)
            if bar is not None:
                bar.update(1)
                bar.set_postfix_str(f"{record['name'][:20]}: {record['total']:g}/{record['maximum']:g}")
    if bar is not None:
        bar.close()
    records.sort(key=lambda r: r["name"])
    write_class_files(out, grader, roster=roster, assignment=assignment)
    return records


RECORDS = "_records"  # beside the submissions' folders; no submission's name starts with "_"


def class_records(out, grader):
    """Every submission graded into ``out`` for this part, this run's and earlier runs', by name.

    Regrading a few submissions replaces their records and keeps the others.
    Records of another part or of other exercises are left out, with a note.
    """
    records, skipped = [], []
    ids = {e.id for e in grader.exercises}
    for path in sorted((Path(out) / RECORDS).glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            skipped.append(path.stem)
            continue
        if record.get("part") != grader.part or not ids <= set(record.get("exercises", {})):
            skipped.append(path.stem)
            continue
        records.append(record)
    if skipped:
        print(
            f"note: left out of the gradebook (another part or other exercises; regrade them): "
            f"{', '.join(skipped)}",
            file=sys.stderr,
        )
    return records


def write_class_files(out, grader, roster=None, assignment=None):
    """grades.csv, results.jsonl, report.html (and canvas.csv with a roster) from every record in ``out``."""
    from . import classreport

    records = class_records(out, grader)
    roster = report.read_roster(roster) if roster else {}
    students = {name: row["student_id"] for name, row in roster.items()}
    exercises = grader.exercises
    report.write_gradebook(out, records, exercises, students)
    report.write_atomic(
        Path(out) / "results.jsonl",
        classreport.results_jsonl(classreport.case_rows(records, exercises, students)),
    )
    report.write_atomic(
        Path(out) / "report.html",
        classreport.report_html(records, exercises, grader.part, students, course_title=grader.course.title),
    )
    if roster:
        unknown = report.write_canvas(
            out, records, roster, assignment or f"Part {grader.part}", grader.maximum
        )
        if unknown:
            print(f"note: not in the roster, so not in canvas.csv: {', '.join(unknown)}", file=sys.stderr)
    return records


def denied_folders(out, hidden_dir, submission_paths, course=None):
    """What a submission may not read even inside the folders it may read.

    Submissions only read the Python installation and their own temporary
    folder (``child.readable_folders``); these are denied besides, for when
    they lie inside it (a checkout holding its own virtual environment, a
    package installed with its course files): the output folder, the hidden
    tests, the folders of the submissions, the instructor notebooks and course,
    and the course files a wheel installs (the sample class holds solutions).
    """
    folders = {Path(out).resolve()}
    if hidden_dir is not None:
        folders.add(Path(hidden_dir).resolve())
    folders.update(Path(p).resolve().parent for p in submission_paths)
    folders.update(PACKAGE_ROOT / name for name in ("notebooks", "course") if (PACKAGE_ROOT / name).is_dir())
    if course is not None and course.root is not None:  # its exercise files are read before the lock-down
        folders.add(course.root)
    if INSTALLED_FILES.is_dir():  # the installed hidden tests and sample class (its solutions)
        folders.add(INSTALLED_FILES.resolve())
    return sorted(str(f) for f in folders)


def default_jobs():
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1
