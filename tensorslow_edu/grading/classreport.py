"""The class view of a grading run, for the instructor: ``report.html`` and ``results.jsonl``.

``results.jsonl`` holds one JSON object per submission and test, hidden tests
included (their names too: this file is for the instructor, never for
students). ``report.html`` shows the distribution of the scores, overall and
per exercise, the tests most often failed with their hints (what to teach
again), the statuses that need a look (time limits, cell errors, wrong
part, damaged files), and a table linking every submission's feedback page.
The pictures are drawn with matplotlib and embedded in the page, so the page
can be mailed or copied alone.
"""

import base64
import collections
import html
import io
import json
import statistics

from .report import STATUS_TEXT

__all__ = ["case_rows", "results_jsonl", "report_html"]

WRONG = ("failed", "error", "bad_return", "timeout")  # a real attempt that went wrong
NOT_TRIED = ("not_started", "missing")


def case_rows(records, exercises, students=None):
    """One dict per submission and test (visible and hidden), in a stable order."""
    students = students or {}
    rows = []
    for record in records:
        for exercise in exercises:
            entry = record["exercises"][exercise.id]
            for hidden, cases in ((False, entry["visible"]), (True, entry["hidden"])):
                for case in cases:
                    rows.append(
                        {
                            "submission": record["name"],
                            "student_id": students.get(record["name"], ""),
                            "exercise": exercise.id,
                            "case": case.get("name", ""),
                            "hidden": hidden,
                            "passed": bool(case["passed"]),
                            "status": case.get("status", entry["status"]),
                            "message": " · ".join(case.get("lines") or []) if not case["passed"] else "",
                            "submission_status": record["status"],
                        }
                    )
    return rows


def results_jsonl(rows):
    return "".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in rows)


def _png(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _figures(records, exercises):
    """(total histogram, per-exercise bars) as base64 PNGs, or None without matplotlib."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return None
    maximum = sum(e.points for e in exercises) or 1
    totals = [r["total"] for r in records]
    figure = Figure(figsize=(6.4, 2.8), layout="constrained")
    axes = figure.add_subplot()
    edges = [maximum * i / 10 for i in range(11)]
    axes.hist(totals, bins=edges, color="#4c72b0", edgecolor="white")
    axes.set_xlabel(f"total score (out of {maximum:g})")
    axes.set_ylabel("submissions")
    axes.set_xlim(0, maximum)
    axes.yaxis.get_major_locator().set_params(integer=True)
    total_png = _png(figure)

    names = [e.id for e in exercises]
    full, part, zero = [], [], []
    for e in exercises:
        scores = [r["exercises"][e.id]["score"] for r in records]
        full.append(sum(s >= e.points for s in scores))
        zero.append(sum(s <= 0 for s in scores))
        part.append(len(scores) - full[-1] - zero[-1])
    figure = Figure(figsize=(6.4, 0.5 + 0.42 * len(names)), layout="constrained")
    axes = figure.add_subplot()
    rows = list(range(len(names)))[::-1]
    axes.barh(rows, full, color="#1a7f37", label="all points")
    axes.barh(rows, part, left=full, color="#d4a72c", label="some points")
    axes.barh(rows, zero, left=[f + p for f, p in zip(full, part)], color="#cf222e", label="no points")
    axes.set_yticks(rows, names)
    axes.set_xlabel("submissions")
    axes.legend(loc="lower right", fontsize="small", ncols=3, bbox_to_anchor=(1, 1.02), frameon=False)
    return total_png, _png(figure)


def _most_failed(rows, records, limit=15):
    hints = {}
    for record in records:
        for exercise_id, entry in record["exercises"].items():
            for hidden in (False, True):
                for case in entry["hidden" if hidden else "visible"]:
                    hints.setdefault((exercise_id, case.get("name", ""), hidden), case.get("hint") or "")
    counts = collections.defaultdict(lambda: {"wrong": 0, "not_tried": 0, "runs": 0, "example": ""})
    for row in rows:
        if row["submission_status"] not in ("ok", "cell_errors", "timeout", "crashed"):
            continue  # a file that could not be run says nothing about a test
        key = (row["exercise"], row["case"], row["hidden"])
        count = counts[key]
        count["runs"] += 1
        if row["status"] in WRONG:
            count["wrong"] += 1
            count["example"] = count["example"] or row["message"]
        elif row["status"] in NOT_TRIED:
            count["not_tried"] += 1
    ranked = sorted(
        ((c["wrong"], key, c) for key, c in counts.items() if c["wrong"]),
        key=lambda item: (-item[0], item[1]),
    )
    return [(key, c, hints.get(key, "")) for _, key, c in ranked[:limit]]


def report_html(records, exercises, part, students=None, course_title=None):
    """The class report page (a string), headed with the course's title when it has one."""
    e = html.escape
    heading = e(
        f"{course_title}, Part {part}: class report" if course_title else f"Part {part}: class report"
    )
    students = students or {}
    rows = case_rows(records, exercises, students)
    maximum = sum(x.points for x in exercises)
    totals = [r["total"] for r in records]
    parts = [f"<h1>{heading}</h1>"]
    if totals:
        parts.append(
            f"<p>{len(records)} submission(s); total out of {maximum:g}: mean {statistics.fmean(totals):.2f}, "
            f"median {statistics.median(totals):g}, {sum(t >= maximum for t in totals)} with full marks, "
            f"{sum(t <= 0 for t in totals)} with none.</p>"
        )
    pictures = _figures(records, exercises) if records else None
    if pictures:
        parts.append(
            "<h2>Scores</h2>"
            f'<img alt="histogram of the total scores" src="data:image/png;base64,{pictures[0]}">'
            "<h2>Scores per exercise</h2>"
            f'<img alt="per exercise: submissions with all, some or no points" '
            f'src="data:image/png;base64,{pictures[1]}">'
        )
    parts.append(
        "<table><tr><th>exercise</th><th>points</th><th>mean</th><th>all points</th>"
        "<th>not started or missing</th></tr>"
    )
    for x in exercises:
        scores = [r["exercises"][x.id]["score"] for r in records]
        untried = sum(
            r["exercises"][x.id]["status"] in ("not_started", "missing", "not_run") for r in records
        )
        mean = statistics.fmean(scores) if scores else 0.0
        parts.append(
            f"<tr><td>{e(x.id)}</td><td>{x.points:g}</td><td>{mean:.2f}</td>"
            f"<td>{sum(s >= x.points for s in scores)}</td><td>{untried}</td></tr>"
        )
    parts.append("</table>")

    failed = _most_failed(rows, records)
    parts.append(
        "<h2>Tests most often failed</h2><p>Counted over the submissions that ran, among those "
        "that tried the exercise (wrong answers, errors, time limits; not the exercises left "
        "unstarted). The first is what to teach again.</p>"
    )
    if failed:
        parts.append(
            "<table><tr><th>exercise</th><th>test</th><th>failed</th><th>for example</th><th>hint</th></tr>"
        )
        for (exercise_id, name, hidden), count, hint in failed:
            tried = count["runs"] - count["not_tried"]
            parts.append(
                f"<tr><td>{e(exercise_id)}</td><td>{e(name)}{' <i>(hidden)</i>' if hidden else ''}"
                f"</td><td>{count['wrong']} of {tried}</td><td><code>{e(count['example'][:160])}"
                f"</code></td><td>{e(hint)}</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append("<p>No test failed on an attempt.</p>")

    statuses = collections.Counter(r["status"] for r in records)
    timeouts = collections.Counter(row["submission"] for row in rows if row["status"] == "timeout")
    parts.append("<h2>Statuses</h2><table><tr><th>status</th><th>submissions</th><th>which</th></tr>")
    for status, n in sorted(statuses.items(), key=lambda kv: (kv[0] != "ok", -kv[1], kv[0])):
        which = (
            ", ".join(
                f'<a href="{e(r["name"])}/feedback.html">{e(r["name"])}</a>'
                for r in records
                if r["status"] == status
            )
            if status != "ok"
            else ""
        )
        parts.append(f"<tr><td>{e(STATUS_TEXT.get(status, status))}</td><td>{n}</td><td>{which}</td></tr>")
    if timeouts:
        which = ", ".join(
            f'<a href="{e(n)}/feedback.html">{e(n)}</a> ({k})' for n, k in sorted(timeouts.items())
        )
        parts.append(
            f"<tr><td>tests stopped by the time limit</td><td>{len(timeouts)}</td><td>{which}</td></tr>"
        )
    parts.append("</table>")

    parts.append(
        "<h2>Submissions</h2><table><tr><th>submission</th><th>student</th><th>total</th>"
        + "".join(f"<th>{e(x.id)}</th>" for x in exercises)
        + "<th>status</th></tr>"
    )
    for r in records:
        cells = "".join(f"<td>{r['exercises'][x.id]['score']:g}</td>" for x in exercises)
        parts.append(
            f'<tr><td><a href="{e(r["name"])}/feedback.html">{e(r["name"])}</a></td>'
            f"<td>{e(students.get(r['name'], ''))}</td><td>{r['total']:g}</td>{cells}"
            f"<td>{e(STATUS_TEXT.get(r['status'], r['status']))}</td></tr>"
        )
    parts.append("</table>")
    body = "\n".join(parts)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{heading}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;line-height:1.45}}
table{{border-collapse:collapse;margin:.5rem 0 1rem}}td,th{{border:1px solid #ccc;padding:.25rem .6rem;
vertical-align:top}}img{{max-width:100%}}code{{font-size:.85em}}</style></head>
<body>
{body}
</body></html>
"""
