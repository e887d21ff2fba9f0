"""What grading writes: Gradescope ``results.json``, a feedback page, the gradebook. All atomically."""

import csv
import html
import io
import json
import os
import re
import tempfile
from pathlib import Path

STATUS_TEXT = {
    "ok": "graded",
    "cell_errors": "graded (some cells raised errors)",
    "timeout": "stopped: time limit",
    "crashed": "stopped: the process ended early",
    "output_limit": "stopped: too much output",
    "empty": "empty file",
    "undecodable": "not UTF-8 text",
    "not_a_notebook": "not a notebook",
    "corrupt": "damaged notebook",
    "wrong_part": "notebook of another part",
    "too_large": "file too large",
    "unreadable": "unreadable file",
    "internal_error": "grader error",
}


def write_atomic(path, text):
    """Write ``text`` to ``path`` through a temporary file and a rename: readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.chmod(tmp, 0o644)  # readable by others: students on a shared folder, the web server
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def exercise_text(exercise, entry):
    """Plain-text feedback for one exercise: visible cases in detail, hidden ones as a count."""
    lines = [f"{exercise.id}: {entry['score']:g} / {entry['max_score']:g} points ({entry['status']})"]
    if entry.get("message"):
        lines.append(f"  {entry['message']}")
    for case in entry["visible"]:
        lines.append(f"  {'✓' if case['passed'] else '✗'} {case['name']}")
        if not case["passed"] and case["status"] not in ("not_started", "missing", "not_run"):
            lines.append(f"      input: {case['input']}")
            lines += [f"      {line}" for line in case["lines"]]
            if case["hint"]:
                lines.append(f"      hint: {case['hint']}")
    if entry["hidden"]:
        ok = sum(h["passed"] for h in entry["hidden"])
        lines.append(f"  hidden tests: {ok} of {len(entry['hidden'])} passed")
    return "\n".join(lines)


def gradescope_results(record, exercises, visibility="visible", graded_file=None, note=""):
    """The record in Gradescope's format: one test per exercise; hidden tests apart unless visible."""
    head = (
        f"{record['name'] if graded_file is None else 'Graded ' + graded_file}: {record['total']:g} / "
        f"{record['maximum']:g} points. Status: {STATUS_TEXT.get(record['status'], record['status'])}."
    )
    if note:
        head += f"\n{note}."
    if record["reason"]:
        head += f"\n{record['reason']}"
    tests = []
    for exercise in exercises:
        entry = record["exercises"][exercise.id]
        n = len(entry["visible"]) + len(entry["hidden"])
        if visibility == "visible" or not entry["hidden"] or not n:
            tests.append(
                {
                    "name": exercise.id,
                    "score": entry["score"],
                    "max_score": entry["max_score"],
                    "status": "passed" if entry["status"] == "passed" else "failed",
                    "output": exercise_text(exercise, entry),
                    "output_format": "text",
                    "visibility": "visible",
                }
            )
            continue
        shown = dict(entry, hidden=[])
        seen = sum(c["passed"] for c in entry["visible"])
        unseen = sum(c["passed"] for c in entry["hidden"])
        points = entry["max_score"]
        shown_score = round(points * seen / n, 2)
        tests.append(
            {
                "name": exercise.id,
                "score": shown_score,
                "max_score": round(points * len(entry["visible"]) / n, 2),
                "status": "passed" if seen == len(entry["visible"]) else "failed",
                "output": exercise_text(exercise, shown),
                "output_format": "text",
                "visibility": "visible",
            }
        )
        tests.append(
            {
                "name": f"{exercise.id}: hidden tests",
                "score": round(entry["score"] - shown_score, 2),
                "max_score": round(points - points * len(entry["visible"]) / n, 2),
                "status": "passed" if unseen == len(entry["hidden"]) else "failed",
                "output": f"hidden tests: {unseen} of {len(entry['hidden'])} passed",
                "output_format": "text",
                "visibility": visibility,
            }
        )
    return {
        "score": record["total"],
        "output": head,
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def feedback_html(record, exercises):
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(x.id)}</td><td>{record['exercises'][x.id]['score']:g} / {x.points:g}</td>"
        f"<td>{e(record['exercises'][x.id]['status'])}</td></tr>"
        for x in exercises
    )
    sections = "".join(
        f"<h2>{e(x.id)}</h2><pre>{e(exercise_text(x, record['exercises'][x.id]))}</pre>" for x in exercises
    )
    errors = first = ""
    if record["cell_errors"]:
        errors = (
            "<h2>Cells that raised errors</h2><ul>"
            + "".join(
                f"<li>cell {c['cell']}: <code>{e(c['error'])}</code></li>" for c in record["cell_errors"]
            )
            + "</ul>"
        )
        cause, later = record["cell_errors"][0], record["cell_errors"][1:]
        syntax = [c for c in later if c["error"].startswith("SyntaxError")]
        more = len(later) - len(syntax)  # a syntax error never follows from another cell
        first = (
            f'<div class="first"><b>Fix this first:</b> cell {cause["cell"]} raised '
            f"<code>{e(cause['error'])}</code>."
            + (
                f" The {more} later error(s) below may all follow from it (a failed import or "
                f"definition leaves its names undefined)."
                if more
                else ""
            )
            + "".join(
                f" Cell {c['cell']} has a syntax error of its own: <code>{e(c['error'])}</code>."
                for c in syntax
            )
            + "</div>"
        )
    output = ""
    if record["output"]:
        output = (
            "<h2>What the notebook printed</h2><p>(shown for your information; it plays no part in "
            f"the score)</p><pre>{e(record['output'])}</pre>"
        )
    status = STATUS_TEXT.get(record["status"], record["status"])
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Feedback: {e(record["name"])}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.25rem .6rem}}
pre{{background:#f6f8fa;padding:.6rem;overflow-x:auto;white-space:pre-wrap}}
.first{{border-left:4px solid #cf222e;background:#fff5f5;padding:.5rem .8rem;margin:1rem 0}}</style></head>
<body><h1>Feedback for {e(record["name"])}</h1>
<p><b>Score: {record["total"]:g} / {record["maximum"]:g}</b> &mdash; Part {record["part"]}, {e(status)}</p>
{f"<p>{e(record['reason'])}</p>" if record["reason"] else ""}
{first}
<table><tr><th>exercise</th><th>score</th><th>status</th></tr>{rows}</table>
{sections}{errors}{output}
</body></html>
"""


def write_submission(out, record, exercises):
    folder = Path(out) / record["name"]
    write_atomic(
        folder / "results.json",
        json.dumps(gradescope_results(record, exercises), indent=2, ensure_ascii=False) + "\n",
    )
    write_atomic(folder / "feedback.html", feedback_html(record, exercises))


def read_roster(path):
    """{submission name: roster row} from a CSV file with the columns ``file`` and ``student_id``.

    ``file`` is the submitted file's name (``ada.ipynb``) or its name without
    the suffix; more columns (a name, a section) are kept for ``canvas.csv``.
    """
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except OSError as exc:
        raise ValueError(f"the roster {path} cannot be read: {exc.strerror}") from None
    columns = set(rows[0]) if rows else set()
    if not {"file", "student_id"} <= columns:
        raise ValueError(
            f"the roster {path} needs the columns 'file' and 'student_id' (it has "
            f"{sorted(columns)}); optional: 'name', 'sis_user_id', 'sis_login_id', 'section'"
        )
    roster = {}
    for row in rows:
        given = (row["file"] or "").strip()
        stem = given[: -len(".ipynb")] if given.endswith(".ipynb") else given
        name = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "submission"  # as grade names them
        roster[name] = {k: (v or "").strip() for k, v in row.items() if k}
    return roster


def write_gradebook(out, records, exercises, students=None):
    students = students or {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "name",
            *(["student_id"] if students else []),
            "total",
            "maximum",
            *[x.id for x in exercises],
            "status",
            "reason",
        ]
    )
    for r in records:
        writer.writerow(
            [
                r["name"],
                *([students.get(r["name"], "")] if students else []),
                f"{r['total']:g}",
                f"{r['maximum']:g}",
                *[f"{r['exercises'][x.id]['score']:g}" for x in exercises],
                r["status"],
                r["reason"],
            ]
        )
    write_atomic(Path(out) / "grades.csv", buffer.getvalue())


CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def write_canvas(out, records, roster, assignment, maximum):
    """``canvas.csv``: Canvas's gradebook import (the student columns, then one for the assignment).

    Canvas matches rows on ``ID`` (or ``SIS User ID``); the roster's
    ``student_id`` is the Canvas ID. Returns the submissions not in the roster.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*CANVAS_COLUMNS, assignment])
    writer.writerow(["Points Possible", "", "", "", "", f"{maximum:g}"])
    unknown = []
    for r in records:
        row = roster.get(r["name"])
        if row is None:
            unknown.append(r["name"])
            continue
        writer.writerow(
            [
                row.get("name") or r["name"],
                row["student_id"],
                row.get("sis_user_id", ""),
                row.get("sis_login_id", ""),
                row.get("section", ""),
                f"{r['total']:g}",
            ]
        )
    write_atomic(Path(out) / "canvas.csv", buffer.getvalue())
    return unknown
