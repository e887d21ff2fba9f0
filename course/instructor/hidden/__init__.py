"""Hidden tests: instructor-only. Never copy this folder into student material.

Each ``partN.py`` defines ``HIDDEN = {exercise id: [Case, ...]}``. A hidden
case is only *inputs* (plus a name): the right answers are computed by the
grader from the reference library, in its own process, after the
submission's process has returned its results. The inputs are sent to the
submission's process as data at grading time (the code under test has to see
its inputs), but this folder, the right answers and the verdicts never are.
"""

import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load_hidden(folder=HERE):
    """{exercise id: [Case, ...]} from every partN.py in ``folder``."""
    hidden = {}
    for path in sorted(Path(folder).glob("part*.py")):
        spec = importlib.util.spec_from_file_location(f"_tensorslow_hidden_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for exercise_id, cases in module.HIDDEN.items():
            hidden.setdefault(exercise_id, []).extend(cases)
    return hidden
