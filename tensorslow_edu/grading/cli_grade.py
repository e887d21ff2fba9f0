"""``tensorslow-edu grade``: the command-line face of ``grade.grade_class``."""

import sys
import time
from pathlib import Path

from ..exercises.course import CourseError
from .grade import DEFAULT_HIDDEN, SAMPLE_CLASS, GradingSetupError, default_jobs, grade_class
from .sandbox import Limits


def add_arguments(parser):
    parser.add_argument(
        "submissions",
        nargs="*",
        metavar="SUBMISSION",
        help="notebook files or folders of them (none, or --demo: the sample class)",
    )
    parser.add_argument(
        "--out", metavar="DIR", help="output folder (default: ./grades, ./grades-demo for the demo)"
    )
    parser.add_argument(
        "--part", type=int, help="the part being graded (default: from the notebooks' metadata)"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=default_jobs(),
        metavar="N",
        help="submissions graded at once (default: the number of cores)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="wall-clock limit per submission (default 60)",
    )
    parser.add_argument(
        "--memory-mb", type=int, default=1024, metavar="MB", help="memory a submission may use (default 1024)"
    )
    parser.add_argument(
        "--course",
        metavar="DIR",
        help="the course folder (default: $TENSORSLOW_EDU_COURSE, else the nearest folder "
        "holding a course.toml above the current one, else the shipped parts)",
    )
    parser.add_argument(
        "--hidden",
        metavar="DIR",
        help=f"folder of hidden tests (default: the course's; for the shipped parts {DEFAULT_HIDDEN})",
    )
    parser.add_argument("--visible-only", action="store_true", help="grade with the visible tests only")
    parser.add_argument("--demo", action="store_true", help=f"grade the sample class ({SAMPLE_CLASS.parent})")
    parser.add_argument(
        "--decimals",
        type=int,
        default=2,
        metavar="N",
        help="round totals to N decimal places, halves up (default 2; 0: whole points)",
    )
    parser.add_argument(
        "--roster",
        metavar="CSV",
        help="CSV with columns file,student_id (optional: name, sis_user_id, sis_login_id, "
        "section): adds student ids to the gradebook and writes canvas.csv",
    )
    parser.add_argument(
        "--assignment",
        metavar="TITLE",
        help="the assignment's column in canvas.csv, as Canvas shows it, e.g. 'Part 4 (1234)' "
        "(default: 'Part N')",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args):
    submissions = args.submissions
    if args.demo or not submissions:
        if not SAMPLE_CLASS.is_dir():
            print(
                f"error: the sample class is not at {SAMPLE_CLASS}; regenerate it with "
                f"python tools/make_sample_class.py, or give submissions to grade."
            )
            return 2
        submissions = [str(SAMPLE_CLASS)]
        print(f"grading the sample class in {SAMPLE_CLASS}")
    out = Path(args.out or ("grades-demo" if submissions == [str(SAMPLE_CLASS)] else "grades"))
    limits = Limits(timeout=args.timeout, memory_mb=args.memory_mb)
    start = time.monotonic()
    try:
        records = grade_class(
            submissions,
            out,
            part=args.part,
            jobs=args.jobs,
            limits=limits,
            hidden_dir=args.hidden,
            visible_only=args.visible_only,
            progress=not args.quiet,
            decimals=args.decimals,
            roster=args.roster,
            assignment=args.assignment,
            course=args.course,
        )
    except (GradingSetupError, CourseError) as exc:
        print(f"error: {exc}")
        return 2
    seconds = time.monotonic() - start
    width = max(len(r["name"]) for r in records)
    for r in records:
        print(f"  {r['name']:<{width}}  {r['total']:>5g} / {r['maximum']:g}  {r['status']}")
    print(
        f"graded {len(records)} submission(s) in {seconds:.1f} s "
        f"({60 * len(records) / max(seconds, 1e-9):.0f} per minute)"
    )
    print(f"gradebook: {out / 'grades.csv'}; class report: {out / 'report.html'}")
    sys.stdout.flush()
    return 0
