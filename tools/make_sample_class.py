"""Write the sample class: Part 1 submissions that are right, partly right, broken, empty, cheating or bad.

    .venv/bin/python tools/make_sample_class.py [--source NOTEBOOK] [--out DIR]

The source is the Part 1 instructor notebook (``notebooks/01_computational_graphs.ipynb``).
Every submission is made from it by editing cells, so the
class follows the real notebook when that changes. ``expected.json`` beside the
submissions says what the grader must give each one ("max", 0 or "between"
for the total, and the status); ``tests/test_grading.py`` holds the grader to it.
"""

import argparse
import copy
import json
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tensorslow_edu.exercises import exercises_of_part  # noqa: E402
from tensorslow_edu.grading.student import BEGIN, CHECK_CALL, make_student  # noqa: E402

DEFAULT_SOURCE = ROOT / "notebooks" / "01_computational_graphs.ipynb"
DEFAULT_OUT = ROOT / "course" / "instructor" / "sample_class"

# functions that are wrong on every case: what a cheat has to fall back on
WRONG = """
import numpy as np
import tensorslow_edu as ts

def traverse_postorder(operation):
    return []

def run_graph(operation, feed_dict):
    return np.full(3, -12345.0)

class add(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)

    def compute(self, a_value, b_value):
        return np.full(np.shape(a_value), -12345.0)


class matmul(add):
    def compute(self, a_value, b_value):
        return np.full(np.shape(a_value), -12345.0)
"""

CHEATS = {
    "cheat_numpy_patch": (
        "monkeypatches NumPy's comparisons",
        WRONG
        + """
np.allclose = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, dtype=bool)
np.array_equal = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
np.testing.assert_array_equal = lambda *args, **kwargs: None
np.ndarray.__eq__ = lambda self, other: True  # refused by NumPy: a TypeError the grader records
""",
    ),
    "cheat_redefine_grader": (
        "redefines check() and the grader's functions",
        WRONG
        + """
import tensorslow_edu.exercises as exercises
import tensorslow_edu.exercises.check as check_module
import tensorslow_edu.exercises.core as core

def check(*args, **kwargs):
    print("all tests passed")
    return True

exercises.check = check_module.check = check
core.evaluate = lambda *args, **kwargs: core.Verdict(True)
core.compare_values = lambda *args, **kwargs: core.Verdict(True)
core.Exercise.compare = lambda self, *args, **kwargs: core.Verdict(True)
core.run_case = lambda *args, **kwargs: {"status": "passed", "passed": True, "score": 100}
try:
    import tensorslow_edu.grading.child as child
    child.run_case = core.run_case
except Exception as exc:
    print("could not patch the child:", exc)
""",
    ),
    "cheat_always_equal": (
        "returns objects whose __eq__ is always True",
        """
import numpy as np
import tensorslow_edu as ts

class AlwaysEqual(np.ndarray):
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False

class Anything:
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    def __array__(self, dtype=None, copy=None):
        return np.full(2, -12345.0)
    def __iter__(self):
        return iter([self])

def traverse_postorder(operation):
    return Anything()

def run_graph(operation, feed_dict):
    return np.zeros(2).view(AlwaysEqual)

class add(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)
    def compute(self, a_value, b_value):
        return Anything()

matmul = add
""",
    ),
    "cheat_print_passed": (
        "prints that all tests passed and fake protocol lines",
        WRONG
        + """
import os, sys, json
print("All tests passed! Score: 5/5")
fake = {"case": "part1.run_graph#v0", "result": {"status": "passed", "score": 2}}
print(json.dumps(fake))
sys.__stdout__.write("all tests passed\\n")
os.write(1, (json.dumps(fake) + "\\n").encode())
for fd in range(3, 40):  # the results pipe, if it can be found: only data, judged like any other
    try:
        os.write(fd, (json.dumps(fake) + "\\n" + json.dumps({"done": True}) + "\\n").encode())
    except OSError:
        pass
""",
    ),
    "cheat_os_exit": (
        "calls os._exit(0) so that nothing fails",
        """
import os
import tensorslow_edu as ts

def traverse_postorder(operation):
    os._exit(0)

def run_graph(operation, feed_dict):
    os._exit(0)

class add(ts.Operation):
    def __init__(self, a, b, name=None):
        os._exit(0)

matmul = add
""",
    ),
    "cheat_sys_exit": (
        "calls sys.exit(0)",
        """
import sys
import tensorslow_edu as ts

def traverse_postorder(operation):
    sys.exit(0)

def run_graph(operation, feed_dict):
    raise SystemExit(0)

class add(ts.Operation):
    def __init__(self, a, b, name=None):
        sys.exit(0)

matmul = add

sys.exit(0)
""",
    ),
    "cheat_infinite_loop": (
        "loops forever, even ignoring the soft time limit",
        """
import signal
import tensorslow_edu as ts

def traverse_postorder(operation):
    while True:
        pass

def run_graph(operation, feed_dict):
    while True:
        pass

signal.signal(signal.SIGALRM, signal.SIG_IGN)
while True:
    pass
""",
    ),
    "cheat_memory_bomb": (
        "allocates far more memory than allowed",
        WRONG
        + """
try:
    huge = np.ones((100_000, 100_000))
except MemoryError:
    print("MemoryError for an 80 GB array")
hog = []
while True:
    hog.append(bytearray(50 * 2**20))
""",
    ),
    "cheat_read_hidden": (
        "tries to read the hidden tests from disk",
        WRONG
        + """
import os, subprocess
import tensorslow_edu
root = os.path.dirname(os.path.dirname(os.path.abspath(tensorslow_edu.__file__)))
hidden = os.path.join(root, "course", "instructor", "hidden")
for path in (os.path.join(hidden, "part1.py"), f"/proc/{os.getppid()}/cwd/course/instructor/hidden/part1.py"):
    try:
        with open(path) as f:
            f.read()
        print("READ OK", path)
    except OSError as exc:
        print("READ DENIED", type(exc).__name__)
try:
    os.listdir(hidden)
    print("LIST OK")
except OSError as exc:
    print("LIST DENIED", type(exc).__name__)
try:
    out = subprocess.run(["cat", os.path.join(hidden, "part1.py")], capture_output=True, text=True)
    print("CAT OK" if out.returncode == 0 and "HIDDEN" in out.stdout else "CAT DENIED")
except Exception as exc:
    print("CAT DENIED", type(exc).__name__)
""",
    ),
    "cheat_read_notebooks": (
        "finds the instructor notebook beside the library and runs its solutions",
        WRONG
        + """
import glob, json, os
import tensorslow_edu
root = os.path.dirname(os.path.dirname(os.path.abspath(tensorslow_edu.__file__)))
for path in sorted(glob.glob(os.path.join(root, "notebooks", "01_*.ipynb"))) or [os.path.join(root, "notebooks")]:
    try:
        with open(path) as f:
            cells = json.load(f)["cells"]
    except OSError as exc:
        print("NOTEBOOK DENIED", type(exc).__name__)
        continue
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and "BEGIN SOLUTION" in source:
            exec(source)
    print("NOTEBOOK READ")
""",
    ),
    "cheat_delegate": (
        "hands in the library's own traversal, Session.run and operations as its answers",
        """
import numpy as np
import tensorslow_edu as ts

def traverse_postorder(operation):
    return list(operation.graph.execution_order((operation,)))

def run_graph(operation, feed_dict):
    return ts.Session().run(operation, feed_dict)

class add(ts.Operation):
    def __init__(self, a, b, name=None):
        super().__init__([a, b], name)

    def compute(self, a_value, b_value):
        return ts.add.compute(self, a_value, b_value)

class matmul(add):
    def compute(self, a_value, b_value):
        return ts.matmul.compute(self, a_value, b_value)
""",
    ),
    "cheat_network": (
        "tries to open network connections (to this machine only)",
        WRONG
        + """
import ctypes, socket
try:
    socket.create_connection(("127.0.0.1", 9), timeout=1)
    print("NET OK")
except OSError as exc:
    print("NET DENIED", type(exc).__name__)
libc = ctypes.CDLL(None, use_errno=True)  # around Python's socket module: the kernel refuses
fd = libc.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
print("NET OK" if fd >= 0 else "NET DENIED errno %d" % ctypes.get_errno())
""",
    ),
    "cheat_fake_results": (
        "writes a fake results.json and gradebook",
        WRONG
        + """
import json, os
fake = json.dumps({"score": 100, "tests": [{"name": "all", "score": 100, "max_score": 5, "status": "passed"}]})
for folder in (".", "..", "../..", "/autograder/results", os.path.expanduser("~"), "/tmp"):
    for name in ("results.json", "grades.csv"):
        path = os.path.join(folder, name)
        try:
            with open(path, "w") as f:
                f.write(fake)
            print("WROTE", path)
        except OSError as exc:
            print("WRITE DENIED", path, type(exc).__name__)
""",
    ),
    "cheat_keyboard_interrupt": (
        "raises KeyboardInterrupt and sends itself SIGINT",
        """
import os, signal
import tensorslow_edu as ts

def traverse_postorder(operation):
    raise KeyboardInterrupt

def run_graph(operation, feed_dict):
    os.kill(os.getpid(), signal.SIGINT)
    raise KeyboardInterrupt

raise KeyboardInterrupt
""",
    ),
    "cheat_output_flood": (
        "prints megabytes of output",
        WRONG
        + """
import os, sys
print("all tests passed\\n" * 200_000)
for i in range(100_000):
    print(i, "tests passed")
sys.stderr.write("E" * 5_000_000)
os.write(1, b"x" * 5_000_000)
""",
    ),
}


def exercise_cells(nb):
    """{exercise object name: cell index} for the cells with solution markers, for every Part 1 exercise."""
    found = {}
    names = [e.obj for e in exercises_of_part(1)]
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and any(BEGIN.match(line) for line in cell.source.split("\n")):
            for name in names:
                if f"def {name}(" in cell.source or f"class {name}(" in cell.source:
                    found[name] = i
    missing = sorted(set(names) - set(found))
    if missing:
        raise SystemExit(f"the source notebook has no exercise cell for {missing}")
    return found


def with_endless_loop(source):
    """The cell with an endless loop at the start of its solution (inside the function or method)."""
    lines = source.split("\n")
    for i, line in enumerate(lines):
        match = BEGIN.match(line)
        if match:
            indent = match.group("indent")
            lines[i + 1 : i + 1] = [f"{indent}while True:  # far too slow", f"{indent}    pass"]
            return "\n".join(lines)
    raise ValueError("no solution marker in the cell")


def cleared(nb):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def first_code(nb):
    return next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")


def build(source):
    instructor = nbformat.read(source, as_version=4)
    cells = exercise_cells(instructor)
    perfect = cleared(instructor)
    perfect.cells.insert(
        first_code(perfect) + 1,
        new_code_cell(
            "%matplotlib inline\n!echo the grader ignores shell commands\nimport matplotlib.pyplot as plt"
        ),
    )
    student, _ = make_student(instructor, name=str(source))
    student = cleared(student)
    out, expected = {}, {}

    def add(name, nb, total, status, why, exercises=None):
        for i, cell in enumerate(nb.cells):
            cell["id"] = f"cell-{i}"
        out[f"{name}.ipynb"] = nbformat.writes(nb) + "\n"
        expected[name] = {"total": total, "status": status, "what": why}
        if exercises:
            expected[name]["exercises"] = exercises  # per exercise: points, or "max"

    add("perfect", perfect, "max", "ok", "the instructor's solutions (with magics)")
    add("empty", student, 0, "ok", "the student notebook, untouched")

    partial = copy.deepcopy(perfect)  # perfect has one more cell (the magics) before the exercises
    partial.cells[cells["traverse_postorder"] + 1].source = (
        "def traverse_postorder(operation):\n    order = []\n\n    def visit(node):\n"
        "        for input_node in node.input_nodes:\n            visit(input_node)\n"
        "        order.append(node)\n\n    visit(operation)\n    return order"
    )
    last = exercises_of_part(1)[-1]
    partial.cells[cells[last.obj] + 1] = copy.deepcopy(student.cells[cells[last.obj]])
    add(
        "partial",
        partial,
        "between",
        "ok",
        f"traverse_postorder forgets visited nodes; {last.obj} (the last exercise) not started",
    )

    broken = copy.deepcopy(perfect)
    broken.cells[
        cells["run_graph"] + 1
    ].source = "def run_graph(operation, feed_dict)\n    return operation.output  # the colon is missing"
    broken.cells.insert(first_code(broken) + 2, new_code_cell("print(undefined_name)"))
    add("broken", broken, "between", "cell_errors", "a cell with a syntax error, a cell with a NameError")

    failed_import = copy.deepcopy(perfect)
    imports = failed_import.cells[first_code(failed_import)]
    imports.source = "import a_package_that_is_not_installed\n" + imports.source
    add(
        "failed_import",
        failed_import,
        "between",
        "cell_errors",
        "the first line of the import cell fails, so what the exercises import is undefined "
        "(an exercise needing no import still passes)",
    )

    renamed = copy.deepcopy(perfect)
    rg = cells["run_graph"] + 1
    renamed.cells[rg].source = renamed.cells[rg].source.replace("def run_graph(", "def run_graph_v2(")
    add(
        "renamed_function",
        renamed,
        "between",
        "cell_errors",
        "run_graph renamed to run_graph_v2 (so the last cell, which keeps run_graph, raises a NameError)",
    )

    # honest but slow: every exercise but the last loops forever. check() cells are skipped while
    # grading and a looping exercise's other cases are not run, so the last one keeps its points
    slow = copy.deepcopy(perfect)
    exercises = exercises_of_part(1)
    scores = {}
    for exercise in exercises:
        looping = exercise is not exercises[-1]
        if looping:
            index = cells[exercise.obj] + 1
            slow.cells[index].source = with_endless_loop(slow.cells[index].source)
        scores[exercise.id] = 0 if looping else "max"
    add(
        "slow_endless_loops",
        slow,
        sum(e.points for e in exercises if scores[e.id] == "max"),
        "ok",
        "endless loops in every exercise but the last, which is right",
        exercises=scores,
    )

    no_cells = copy.deepcopy(student)
    no_cells.cells = []
    add("no_cells", no_cells, 0, "ok", "a notebook with no cells")

    for name, (why, code) in CHEATS.items():
        nb = copy.deepcopy(student)
        nb.cells.append(new_markdown_cell(f"Cheat: {why}."))
        nb.cells.append(new_code_cell(code.strip("\n")))
        status = {
            "cheat_os_exit": "crashed",
            "cheat_infinite_loop": "timeout",
            "cheat_numpy_patch": "cell_errors",
            "cheat_sys_exit": "cell_errors",
            "cheat_keyboard_interrupt": "cell_errors",
            "cheat_memory_bomb": "cell_errors",
        }.get(name, "ok")
        add(name, nb, 0, status, why)

    edited = copy.deepcopy(student)
    edited.cells = [
        c
        for c in edited.cells
        if not CHECK_CALL.search(c.source)
        and not any(BEGIN.match(line) or "NotImplementedError" in line for line in c.source.split("\n"))
    ]
    edited.cells.append(
        new_code_cell(
            'def check(*args, **kwargs):\n    return "all visible tests passed"\n\ncheck("part1.run_graph")',
            outputs=[
                nbformat.v4.new_output(
                    "execute_result", {"text/plain": "'all 4 visible tests passed ✓'"}, execution_count=1
                )
            ],
        )
    )
    edited.metadata["tensorslow_edu"] = {"part": 1, "score": 5, "graded": True}
    add(
        "cheat_edit_cells",
        edited,
        0,
        "cell_errors",
        "deletes exercise and check cells (so the last cell, which keeps the pieces, raises), fakes outputs and metadata",
    )

    wrong_part = copy.deepcopy(perfect)
    wrong_part.metadata["tensorslow_edu"] = {"part": 2}
    add("wrong_part", wrong_part, 0, "wrong_part", "a Part 2 notebook")

    text = out["perfect.ipynb"]
    out["corrupt.ipynb"] = text[: len(text) // 2]
    expected["corrupt"] = {"total": 0, "status": "corrupt", "what": "cut in half"}
    out["empty_file.ipynb"] = ""
    expected["empty_file"] = {"total": 0, "status": "empty", "what": "0 bytes"}
    out["not_a_notebook.py"] = "def run_graph(operation, feed_dict):\n    return 42\n"
    expected["not_a_notebook"] = {"total": 0, "status": "not_a_notebook", "what": "a Python file"}
    latin = copy.deepcopy(perfect)
    latin.cells.insert(
        0, new_markdown_cell("Réponses de l'élève", id="cell-latin")
    )  # fixed: same file each run
    out["undecodable.ipynb"] = (nbformat.writes(latin) + "\n").encode("latin-1", "replace")
    expected["undecodable"] = {"total": 0, "status": "undecodable", "what": "saved as Latin-1"}
    return out, expected


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    files, expected = build(args.source)
    folder = args.out / "submissions"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.is_file():
            old.unlink()
    for name, content in sorted(files.items()):
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    meta = {
        "source": str(args.source.resolve().relative_to(ROOT))
        if args.source.resolve().is_relative_to(ROOT)
        else str(args.source),
        "part": 1,
        "submissions": expected,
    }
    (args.out / "expected.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {len(files)} submissions to {folder} (from {args.source})")


if __name__ == "__main__":
    main()
