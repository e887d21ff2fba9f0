"""Benchmark: grade 200 submissions of a full part notebook; report submissions per minute.

    .venv/bin/python benchmarks/bench_grading.py [--n 200] [--jobs 2] [--part-notebook PATH]

The submissions are copies of the sample class's perfect, partial, broken and
empty Part 1 notebooks (the whole notebooks/01_computational_graphs.ipynb with
its narrative cells, pictures and checks). The time includes starting the
warm fork server once, as a real run does. Target: at least 60 per minute on
2 cores.
"""

import argparse
import os
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path

from tensorslow_edu.grading.grade import SAMPLE_CLASS, grade_class
from tensorslow_edu.grading.sandbox import Limits


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    kinds = ["perfect", "partial", "broken", "empty"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        folder.mkdir()
        for i in range(args.n):
            kind = kinds[i % len(kinds)]
            shutil.copy(SAMPLE_CLASS / f"{kind}.ipynb", folder / f"student{i:03d}_{kind}.ipynb")
        start = time.monotonic()
        records = grade_class(
            [folder], Path(tmp) / "out", part=1, jobs=args.jobs, limits=Limits(timeout=60), progress=True
        )
        seconds = time.monotonic() - start
    totals = Counter((r["name"].split("_", 1)[1], r["total"], r["status"]) for r in records)
    for (kind, total, status), count in sorted(totals.items()):
        print(f"  {kind:<8} {total:>5g}/5  {status:<12} x{count}")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"graded {len(records)} submissions in {seconds:.1f} s with --jobs {args.jobs} on {cores} core(s): "
        f"{60 * len(records) / seconds:.0f} submissions per minute"
    )


if __name__ == "__main__":
    main()
