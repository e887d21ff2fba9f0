"""Batch grading of the sample class: right scores, honest statuses, cheats get nothing.

The class (course/instructor/sample_class, made by tools/make_sample_class.py)
is graded once for the whole module; each test reads the results.
"""

import csv
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from tensorslow_edu.exercises import exercises_of_part
from tensorslow_edu.grading.grade import DEFAULT_HIDDEN, SAMPLE_CLASS, Grader, grade_class, load_hidden
from tensorslow_edu.grading.sandbox import Limits
from tensorslow_edu.grading.student import AuthoringError, make_student

pytestmark = pytest.mark.grader

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = json.loads((SAMPLE_CLASS.parent / "expected.json").read_text())["submissions"]
LIMITS = Limits(timeout=20, cell_timeout=8, case_timeout=2)  # generous: the machine may be busy


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    out = tmp_path_factory.mktemp("grades")
    records = grade_class([SAMPLE_CLASS], out, jobs=2, limits=LIMITS, progress=False)
    return out, {r["name"]: r for r in records}


def results_of(out, name):
    return json.loads((out / name / "results.json").read_text())


def test_every_submission_gets_its_expected_score_and_status(graded):
    out, records = graded
    assert set(records) == set(EXPECTED)
    for name, want in EXPECTED.items():
        r = records[name]
        assert r["status"] == want["status"], (name, r["status"], r["reason"])
        if want["total"] == "max":
            assert r["total"] == r["maximum"], (name, r["total"])
        elif want["total"] == "between":
            assert 0 < r["total"] < r["maximum"], (name, r["total"])
        else:
            assert r["total"] == want["total"], (name, r["total"], r["exercises"])
        if r["status"] not in ("ok",):
            assert r["reason"], name  # every non-ok status says why
        for exercise_id, score in want.get("exercises", {}).items():
            entry = r["exercises"][exercise_id]
            assert entry["score"] == (entry["max_score"] if score == "max" else score), (
                name,
                exercise_id,
                entry,
            )


def test_gradebook_has_one_row_per_submission(graded):
    out, records = graded
    with open(out / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["name"] for r in rows] == sorted(EXPECTED)
    part1 = exercises_of_part(1)
    assert list(rows[0]) == ["name", "total", "maximum", *(e.id for e in part1), "status", "reason"]
    perfect = next(r for r in rows if r["name"] == "perfect")
    full = str(sum(e.points for e in part1))
    assert (perfect["total"], perfect["maximum"]) == (full, full)
    assert [perfect[e.id] for e in part1] == [str(e.points) for e in part1]


def test_results_json_follows_gradescope_format(graded):
    out, records = graded
    for name in records:
        res = results_of(out, name)
        assert isinstance(res["score"], (int, float)) and res["visibility"] == "visible"
        assert [t["name"] for t in res["tests"]] == [e.id for e in exercises_of_part(1)]
        for t in res["tests"]:
            assert set(t) >= {"name", "score", "max_score", "status", "output", "visibility"}
            assert t["status"] in ("passed", "failed") and t["visibility"] == "visible"
            assert 0 <= t["score"] <= t["max_score"]
        assert res["score"] == pytest.approx(sum(t["score"] for t in res["tests"]), abs=0.011)
        assert (out / name / "feedback.html").read_text().startswith("<!doctype html>")


def test_feedback_is_specific_and_keeps_hidden_tests_hidden(graded):
    out, records = graded
    partial = results_of(out, "partial")
    traverse = next(t for t in partial["tests"] if t["name"] == "part1.traverse_postorder")
    assert "✗ a node used twice" in traverse["output"]
    assert "listed more than once" in traverse["output"] and "hint:" in traverse["output"]
    assert "hidden tests: 1 of 3 passed" in traverse["output"]
    for hidden_name in ("deep graph with repeated nodes", "two placeholders"):
        assert hidden_name not in json.dumps(partial)
    empty = results_of(out, "empty")
    assert all("not started yet" in t["output"] for t in empty["tests"])
    renamed = results_of(out, "renamed_function")
    assert "run_graph_v2" in next(t for t in renamed["tests"] if t["name"] == "part1.run_graph")["output"]


def test_hidden_tests_cannot_be_read_from_the_submission(graded):
    out, records = graded
    r = records["cheat_read_hidden"]
    assert r["sandbox"]["landlock"] in (True, False)
    assert "READ OK" not in r["output"] and "CAT OK" not in r["output"] and "LIST OK" not in r["output"]
    assert r["output"].count("READ DENIED") == 2


def test_fake_results_files_change_nothing(graded):
    out, records = graded
    assert results_of(out, "cheat_fake_results")["score"] == 0
    assert "WROTE ../" not in records["cheat_fake_results"]["output"]
    assert not (out / "results.json").exists()
    with open(out / "grades.csv", newline="") as f:
        assert all(row["name"] in EXPECTED for row in csv.DictReader(f))


def test_printed_text_and_floods_are_never_trusted(graded):
    out, records = graded
    assert records["cheat_print_passed"]["total"] == 0
    flood = records["cheat_output_flood"]
    assert len(flood["output"]) < LIMITS.output_chars + 300
    assert "more characters of output not kept" in flood["output"]


def test_limits_stop_loops_memory_and_exits(graded):
    out, records = graded
    assert records["cheat_infinite_loop"]["status"] == "timeout"
    bomb = records["cheat_memory_bomb"]
    assert "MemoryError for an 80 GB array" in bomb["output"]
    assert records["cheat_os_exit"]["status"] == "crashed"
    assert any("SystemExit" in e["error"] for e in records["cheat_sys_exit"]["cell_errors"])
    assert any("KeyboardInterrupt" in e["error"] for e in records["cheat_keyboard_interrupt"]["cell_errors"])
    # the honest submissions graded alongside were not disturbed
    assert records["perfect"]["total"] == sum(e.points for e in exercises_of_part(1))


def test_rerun_gives_the_same_results(graded, tmp_path):
    out, records = graded
    names = ["perfect", "partial", "corrupt", "cheat_print_passed"]
    paths = [p for p in SAMPLE_CLASS.iterdir() if p.stem in names]
    grade_class(paths, tmp_path, part=1, jobs=2, limits=LIMITS, progress=False)
    for name in names:
        assert (tmp_path / name / "results.json").read_text() == (out / name / "results.json").read_text()


def test_student_notebook_stubs_solutions_and_clears_outputs():
    instructor = nbformat.read(ROOT / "notebooks/01_computational_graphs.ipynb", as_version=4)
    exercise = next(c for c in instructor.cells if "### BEGIN SOLUTION" in c.source)
    solution = exercise.source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
    exercise.outputs = [nbformat.v4.new_output("stream", text="secret output")]
    student, ids = make_student(instructor, "01_computational_graphs")
    assert sorted(ids) == ["part1.add", "part1.matmul", "part1.run_graph", "part1.traverse_postorder"]
    text = nbformat.writes(student)
    assert "BEGIN SOLUTION" not in text and "secret output" not in text
    assert not any(
        line in text for line in solution.splitlines() if len(line.strip()) > 12
    )  # no line of the solution survives
    sources = "\n".join(c.source for c in student.cells)
    assert 'raise NotImplementedError("part1.run_graph: not started yet' in sources
    kept = [c for c in instructor.cells if "### BEGIN SOLUTION" not in c.source]
    assert all(c.source in sources for c in kept if c.cell_type == "code")  # everything else kept
    assert "BEGIN SOLUTION" in nbformat.writes(instructor)  # the input is not modified


@pytest.mark.parametrize(
    "source, message",
    [
        ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "exactly one exercise object"),
        (
            "def run_graph(operation, feed_dict):\n    pass\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION",
            "inside a function or method",
        ),
        ("def run_graph(operation, feed_dict):\n    ### BEGIN SOLUTION\n    return 1\n", "never closed"),
        (
            "def traverse_postorder(op):\n    ### BEGIN SOLUTION\n    return []\n    ### END SOLUTION\n"
            "def run_graph(op, f):\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION",
            "exactly one",
        ),
    ],
)
def test_authoring_mistakes_are_named(source, message):
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source)], metadata={"tensorslow_edu": {"part": 1}}
    )
    with pytest.raises(AuthoringError, match=message):
        make_student(nb, "nb")


def test_hidden_tests_are_not_in_the_package():
    package = ROOT / "tensorslow_edu"
    for path in package.rglob("*.py"):
        assert "HIDDEN = {" not in path.read_text(), path


def unpacked_autograder(tmp_path, **options):
    from tensorslow_edu.grading.gradescope import build_zip

    zip_path = build_zip(tmp_path / "autograder.zip", part=1, timeout=120, **options)
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()
        zf.extractall(root / "source")
    assert {
        "setup.sh",
        "install_python.sh",
        "run_autograder",
        "requirements-grader.txt",
        "constraints.txt",
        "hidden/part1.py",
        "package/tensorslow_edu/exercises/check.py",
        "package/LICENSE",
    } <= set(names)
    (root / "submission").mkdir()
    return root


def run_autograder(root, python=None):
    env = dict(os.environ, AUTOGRADER_ROOT=str(root))
    if python:
        env["AUTOGRADER_PYTHON"] = python
    subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        env=env,
        check=True,
        timeout=300,
        capture_output=True,
    )
    return json.loads((root / "results" / "results.json").read_text())


def test_gradescope_grades_the_one_notebook_among_the_uploaded_files(tmp_path):
    root = unpacked_autograder(tmp_path, visibility="after_due_date")
    upload = root / "submission"
    (upload / "my_notebook.ipynb").write_bytes((SAMPLE_CLASS / "partial.ipynb").read_bytes())
    (upload / "notes.txt").write_text("my notes")
    (upload / ".ipynb_checkpoints").mkdir()
    (upload / ".ipynb_checkpoints" / "my_notebook-checkpoint.ipynb").write_text("{}")
    (upload / "part2.ipynb").write_bytes((SAMPLE_CLASS / "wrong_part.ipynb").read_bytes())
    results = run_autograder(root, sys.executable)
    part1 = exercises_of_part(1)
    maximum = sum(e.points for e in part1)
    assert 0 < results["score"] < maximum and "execution_time" in results
    assert results["output"].startswith("Graded my_notebook.ipynb: ")
    assert (
        "several notebooks were uploaded (my_notebook.ipynb, part2.ipynb); graded the Part 1 one"
        in results["output"]
    )
    hidden = [t for t in results["tests"] if t["name"].endswith(": hidden tests")]
    shown = [t for t in results["tests"] if t not in hidden]
    assert [t["name"] for t in shown] == [e.id for e in part1]
    assert {t["visibility"] for t in hidden} == {"after_due_date"} and len(hidden) == len(part1)
    assert {t["visibility"] for t in shown} == {"visible"}
    assert all("hidden tests:" not in t["output"] for t in shown)
    assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]), abs=0.02)
    assert sum(t["max_score"] for t in results["tests"]) == pytest.approx(maximum, abs=0.02)

    for path in upload.glob("*.ipynb"):
        path.unlink()
    results = run_autograder(root, sys.executable)
    assert results["score"] == 0 and results["tests"] == []
    assert results["output"] == (
        "Not graded: no notebook (.ipynb file) was uploaded; the files were: "
        ".ipynb_checkpoints/my_notebook-checkpoint.ipynb, notes.txt. Submit the "
        "Part 1 notebook."
    )


def test_gradescope_image_installed_as_setup_sh_does_grades_the_instructor_notebook_in_full(tmp_path):
    # what setup.sh runs after its system packages (Graphviz, a compiler), in a fresh virtual environment
    root = unpacked_autograder(tmp_path)
    base_python = getattr(sys, "_base_executable", sys.executable)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_BASE_PYTHON=base_python)
    env.pop("VIRTUAL_ENV", None)
    install = subprocess.run(
        ["bash", str(root / "source" / "install_python.sh")],
        env=env,
        timeout=900,
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    (root / "submission" / "01_computational_graphs.ipynb").write_bytes(
        (ROOT / "notebooks" / "01_computational_graphs.ipynb").read_bytes()
    )
    results = run_autograder(root)  # with the image's own Python
    maximum = sum(e.points for e in exercises_of_part(1))
    assert (
        results["output"] == f"Graded 01_computational_graphs.ipynb: {maximum:g} / {maximum:g} points. "
        f"Status: graded."
    ), results["output"]
    assert results["score"] == maximum and all(t["score"] == t["max_score"] for t in results["tests"])


def test_submissions_read_nothing_but_python_and_reach_no_network(graded):
    out, records = graded
    assert set(records["cheat_read_notebooks"]["sandbox"]) == {"landlock", "seccomp"}
    assert "NOTEBOOK DENIED" in records["cheat_read_notebooks"]["output"]
    assert "NOTEBOOK READ" not in records["cheat_read_notebooks"]["output"]
    network = records["cheat_network"]["output"]
    assert "NET OK" not in network and network.count("NET DENIED") == 2, network


def test_the_library_cannot_stand_in_for_the_learner(graded):
    out, records = graded
    delegate = records["cheat_delegate"]["exercises"]
    for exercise_id in ("part1.traverse_postorder", "part1.run_graph"):
        case = delegate[exercise_id]["visible"][0]
        assert "is unavailable while " + exercise_id + " is graded" in case["lines"][0], case


def test_a_slow_exercise_costs_one_time_limit_and_check_cells_are_skipped(graded):
    out, records = graded
    slow = records["slow_endless_loops"]
    looping = [e for e in slow["exercises"].values() if e["score"] == 0]
    assert looping
    for entry in looping:
        statuses = [c["status"] for c in entry["visible"]]
        assert statuses[0] == "timeout" and "stopped after" in entry["visible"][0]["lines"][0]
        assert all(
            "an earlier test of this exercise was stopped" in c["lines"][0] for c in entry["visible"][1:]
        )


def instructor_notebook(part):
    return next((ROOT / "notebooks").glob(f"0{part}_*.ipynb"))


@pytest.mark.parametrize("part", [1, 2, 3, 4, 5, 6])
def test_instructor_notebooks_get_full_marks_with_what_the_exercises_forbid_guarded(part):
    # an exercise's own code must not use what it forbids: the instructor's solutions prove it
    # generous limits: this is about right answers, and the machine may be busy
    grader = Grader(part, load_hidden(DEFAULT_HIDDEN), Limits(timeout=300, cell_timeout=60, case_timeout=20))
    record = grader.grade("instructor", instructor_notebook(part))
    assert (record["status"], record["cell_errors"]) == ("ok", [])
    assert record["total"] == record["maximum"], {
        k: e["visible"] for k, e in record["exercises"].items() if e["status"] != "passed"
    }


def test_part4_gradients_cannot_be_borrowed_from_the_library(tmp_path):
    student, _ = make_student(nbformat.read(instructor_notebook(4), as_version=4), "04")
    student.cells.append(
        nbformat.v4.new_code_cell(
            "import tensorslow_edu as ts\n"
            "sigmoid_gradient = lambda op, grad: ts.train.gradient_function(op)(op, grad)\n"
            "library_softmax_gradient = ts.train._gradients['softmax']  # taken before grading starts\n"
            "softmax_gradient = lambda op, grad: library_softmax_gradient(op, grad)"
        )
    )
    path = tmp_path / "borrowed.ipynb"
    nbformat.write(student, path)
    record = Grader(4, {}, Limits(timeout=300, cell_timeout=60, case_timeout=20)).grade("borrowed", path)
    entry = record["exercises"]["part4.one_input_gradients"]
    assert entry["score"] == 0
    lines = "\n".join(line for c in entry["visible"] for line in c["lines"])
    for library_piece in ("ts.perceptron._sigmoid_gradient", "ts.perceptron._softmax_gradient"):
        assert (
            f"ReferenceUnavailable: {library_piece} is the library's own version of what "
            f"part4.one_input_gradients asks you to write"
        ) in lines, lines


def test_feedback_names_the_first_cause(graded):
    out, records = graded
    broken = records["broken"]
    syntax = next(e for e in broken["cell_errors"] if e["error"].startswith("SyntaxError"))
    assert "(line 1: def run_graph(operation, feed_dict))" in syntax["error"]
    run_graph = broken["exercises"]["part1.run_graph"]
    assert run_graph["message"].startswith(
        f"Cell {syntax['cell']}, where run_graph is defined, raised SyntaxError"
    ), run_graph["message"]
    assert "fix that first" in results_of(out, "broken")["tests"][1]["output"]

    failed = records["failed_import"]
    first = failed["cell_errors"][0]
    assert first["error"].startswith("ModuleNotFoundError: No module named 'a_package_that_is_not_installed'")
    assert failed["reason"].startswith(f"cell {first['cell']} raised ModuleNotFoundError")
    for entry in failed["exercises"].values():
        if entry["status"] != "passed":
            assert entry["message"].startswith(f"Cell {first['cell']} raised ModuleNotFoundError"), entry[
                "message"
            ]
    page = (out / "failed_import" / "feedback.html").read_text()
    assert page.index("Fix this first") < page.index("<table>")


def test_class_report_and_per_case_results(graded):
    out, records = graded
    page = (out / "report.html").read_text()
    assert page.count('src="data:image/png;base64,') == 2  # the score pictures, embedded
    assert all(f'href="{name}/feedback.html"' in page for name in records)
    assert "Tests most often failed" in page and "(hidden)" in page and "hint" in page
    assert "stopped: time limit" in page and "tests stopped by the time limit" in page
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    per_submission = sum(
        len(e["visible"]) + len(e["hidden"]) for e in records["perfect"]["exercises"].values()
    )
    ran = [name for name, r in records.items() if r["status"] in ("ok", "cell_errors", "timeout", "crashed")]
    assert len(rows) == per_submission * len(ran)  # files that could not be run have no tests
    partial = [
        r for r in rows if r["submission"] == "partial" and r["exercise"] == "part1.traverse_postorder"
    ]
    hidden = [r for r in partial if r["hidden"]]
    assert hidden and {r["case"] for r in hidden} >= {"deep graph with repeated nodes"}
    assert any(not r["passed"] and "listed more than once" in r["message"] for r in partial)


def test_regrading_keeps_the_other_rows_and_writes_a_canvas_import(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "file,student_id,name,section\nperfect.ipynb,1001,Ada Lovelace,A\npartial,1002,Alan Turing,B\n"
    )
    out = tmp_path / "grades"
    grade_class(
        [SAMPLE_CLASS / "perfect.ipynb", SAMPLE_CLASS / "partial.ipynb", SAMPLE_CLASS / "empty.ipynb"],
        out,
        part=1,
        limits=LIMITS,
        progress=False,
        roster=roster,
    )
    regraded = grade_class(
        [SAMPLE_CLASS / "partial.ipynb"],
        out,
        part=1,
        limits=LIMITS,
        progress=False,
        roster=roster,
        decimals=0,
        assignment="Part 1 (4242)",
    )
    partial_total = f"{next(r for r in regraded if r['name'] == 'partial')['total']:g}"
    assert "." not in partial_total
    full = str(sum(e.points for e in exercises_of_part(1)))
    with open(out / "grades.csv", newline="") as f:
        rows = {r["name"]: r for r in csv.DictReader(f)}
    assert list(rows) == ["empty", "partial", "perfect"]
    assert (rows["perfect"]["student_id"], rows["perfect"]["total"]) == ("1001", full)
    assert rows["partial"]["total"] == partial_total  # regraded with whole points
    with open(out / "canvas.csv", newline="") as f:
        canvas = list(csv.reader(f))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Part 1 (4242)"]
    assert canvas[1][0] == "Points Possible" and canvas[1][-1] == full
    assert canvas[2:] == [
        ["Alan Turing", "1002", "", "", "B", partial_total],
        ["Ada Lovelace", "1001", "", "", "A", full],
    ]
    for path in [
        out / "grades.csv",
        out / "canvas.csv",
        out / "report.html",
        out / "perfect" / "feedback.html",
    ]:
        assert path.stat().st_mode & 0o777 == 0o644, path


def test_a_roster_without_the_needed_columns_is_refused_before_grading(tmp_path):
    from tensorslow_edu.grading.grade import GradingSetupError

    roster = tmp_path / "roster.csv"
    roster.write_text("student,id\nada,1\n")
    with pytest.raises(GradingSetupError, match="needs the columns 'file' and 'student_id'"):
        grade_class([SAMPLE_CLASS / "perfect.ipynb"], tmp_path / "out", part=1, roster=roster, progress=False)
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The package's (instructors') wheel, built once, by the tool that also makes the learners' one."""
    return learner_wheel().instructors_wheel(tmp_path_factory.mktemp("wheels"))


def learner_wheel():
    """The module tools/learner_wheel.py (tools/ is not a package)."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import learner_wheel
    finally:
        sys.path.remove(str(ROOT / "tools"))
    return learner_wheel


def test_installed_from_a_wheel_the_commands_find_the_course_files_and_need_only_numpy(tmp_path, wheel):
    venv = tmp_path / "venv"
    subprocess.run(
        [getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(venv)], check=True, timeout=300
    )
    import numpy

    subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"numpy=={numpy.__version__}",
            str(wheel),
        ],
        check=True,
        timeout=600,
        capture_output=True,
    )
    command = str(venv / "bin" / "tensorslow-edu")
    elsewhere = tmp_path / "elsewhere"  # not in the repository: only the installed files can be found
    elsewhere.mkdir()
    student = subprocess.run(
        [command, "student", str(ROOT / "notebooks" / "01_computational_graphs.ipynb")],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert student.returncode == 2 and "pip install 'tensorslow-edu[instructor]'" in student.stdout, student
    grade = subprocess.run(
        [command, "grade", "--demo", "--out", "demo", "--timeout", "10", "--jobs", "2"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert grade.returncode == 0, grade.stdout + grade.stderr
    assert "grading the sample class in " + str(venv) in grade.stdout
    with open(elsewhere / "demo" / "grades.csv", newline="") as f:
        assert sorted(r["name"] for r in csv.DictReader(f)) == sorted(EXPECTED)
    rows = [json.loads(line) for line in (elsewhere / "demo" / "results.jsonl").read_text().splitlines()]
    assert any(r["hidden"] for r in rows)  # the installed hidden tests were found
    assert (elsewhere / "demo" / "report.html").is_file()


def test_a_forbidden_piece_that_names_nothing_is_refused_with_the_fix():
    from tensorslow_edu.grading import forbid

    assert forbid.resolve("tensorslow_edu.graph.Session.run")[1] == "run"
    with pytest.raises(LookupError, match="names nothing: give a function or a method by its dotted path"):
        forbid.resolve("tensorslow_edu.graph.no_such_function")


def test_several_notebooks_of_the_part_are_not_guessed_between(tmp_path):
    from tensorslow_edu.grading.gradescope import find_notebook

    for name in ("draft.ipynb", "final.ipynb"):
        (tmp_path / name).write_bytes((SAMPLE_CLASS / "perfect.ipynb").read_bytes())
    path, why = find_notebook(tmp_path, 1)
    assert path is None and why == (
        "several notebooks were uploaded (draft.ipynb, final.ipynb) and the grader "
        "cannot tell which to grade: submit only the Part 1 notebook."
    )


def test_grading_leaves_the_graders_environment_as_it_was(tmp_path):
    # kernels started later by the same process (nbval, the site build) must still draw inline plots
    before = {var: os.environ.get(var) for var in ("MPLBACKEND", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    grade_class([SAMPLE_CLASS / "perfect.ipynb"], tmp_path / "grades", part=1, limits=LIMITS, progress=False)
    assert {var: os.environ.get(var) for var in before} == before


def authoring_example():
    """{"file: exercises/subtract.py" or "cell: exercise": code} from AUTHORING.md's complete example."""
    import re

    text = (ROOT / "tensorslow_edu" / "exercises" / "AUTHORING.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n# ((?:file|cell): \S+)\n(.*?)```", text, re.S)
    return dict(blocks)


def add_the_example(course):
    """Add AUTHORING.md's example to a course made by init; return the instructor notebook it changed."""
    example = authoring_example()
    for key in ("file: exercises/subtract.py", "file: hidden/subtract.py"):
        (course / key.split(": ")[1]).write_text(example[key])
    notebook = course / "notebooks" / "01_computational_graphs.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    nb.cells += [
        nbformat.v4.new_markdown_cell("### Exercise: subtract"),
        nbformat.v4.new_code_cell(example["cell: exercise"].strip()),
        nbformat.v4.new_code_cell(example["cell: check"].strip()),
    ]
    nbformat.write(nb, notebook)
    return notebook


def add_the_new_part(course):
    """Add AUTHORING.md's new part (Part 7) to a course folder; return its instructor notebook."""
    example = authoring_example()
    for key in ("file: exercises/part7.py", "file: hidden/part7.py"):
        (course / key.split(": ")[1]).write_text(example[key])
    nb = nbformat.v4.new_notebook(metadata={"tensorslow_edu": {"part": 7}})
    nb.cells = [nbformat.v4.new_markdown_cell("# Part 7: momentum")] + [
        nbformat.v4.new_code_cell(example[f"cell: part7-{name}"].strip())
        for name in ("imports", "exercise", "check")
    ]
    notebook = course / "notebooks" / "07_momentum.ipynb"
    nbformat.write(nb, notebook)
    return notebook


def test_the_gradescope_zip_of_a_course_folder_carries_its_exercises_and_grades_them(tmp_path):
    from tensorslow_edu.grading.init import init_course

    course = init_course(tmp_path / "my-course")
    notebook = add_the_example(course)
    root = unpacked_autograder(tmp_path, course=course)
    names = {str(p.relative_to(root / "source")) for p in (root / "source").rglob("*") if p.is_file()}
    assert {"course/course.toml", "course/exercises/subtract.py", "hidden/subtract.py"} <= names
    assert not any(n.startswith("course/notebooks") or n.endswith(".ipynb") for n in names)
    (root / "submission" / "mine.ipynb").write_bytes(notebook.read_bytes())
    results = run_autograder(root, sys.executable)
    maximum = sum(e.points for e in exercises_of_part(1)) + 1
    assert results["score"] == pytest.approx(maximum), results["output"]
    subtract = [t for t in results["tests"] if t["name"] == "part1.subtract"]
    assert subtract and "hidden tests: 2 of 2 passed" in subtract[0]["output"], subtract


def test_an_exercise_added_in_a_course_folder_works_from_an_installed_wheel(tmp_path, wheel):
    """AUTHORING.md's example, as written there: init, add the files, then student, check() and grade."""
    import site

    venv = tmp_path / "venv"
    subprocess.run(
        [getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(venv)], check=True, timeout=300
    )
    python = venv / "bin" / "python"
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            str(wheel),
        ],
        check=True,
        timeout=600,
        capture_output=True,
    )
    # the instructor extra's packages come from this environment (offline and fast); the package is the wheel's
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "instructor-extra.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    where = subprocess.run(
        [str(python), "-c", "import tensorslow_edu; print(tensorslow_edu.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(venv)), where  # the wheel's package, not this repository's
    command = str(venv / "bin" / "tensorslow-edu")
    env = {k: v for k, v in os.environ.items() if k != "TENSORSLOW_EDU_COURSE"}

    def run(*args, cwd=tmp_path):
        done = subprocess.run(
            [command, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=600, env=env
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run("init", "my-course")
    course = tmp_path / "my-course"
    assert {p.name for p in course.iterdir()} >= {
        "course.toml",
        "notebooks",
        "exercises",
        "hidden",
        "AUTHORING.md",
    }
    notebook = add_the_example(course)  # a new exercise in Part 1 (AUTHORING.md, section 8)
    part7 = add_the_new_part(course)  # a new part, with a notebook of its own (section 9)
    keys = [notebook.relative_to(course), part7.relative_to(course)]

    said = run("student", *keys, "--out", tmp_path / "student", cwd=course)
    assert "part1.subtract" in said and "part7.momentum_step" in said
    student = tmp_path / "student"
    assert (student / "course.toml").is_file() and (student / "exercises" / "subtract.py").is_file()
    assert (student / "exercises" / "part7.py").is_file()
    assert not (student / "hidden").exists() and not (student / "notebooks").exists()
    stub = nbformat.read(student / "01_computational_graphs.ipynb", as_version=4).cells[-2].source
    assert "a_value - b_value" not in stub and "part1.subtract: not started yet" in stub
    stub = nbformat.read(student / part7.name, as_version=4).cells[2].source
    assert "return beta * velocity" not in stub and "part7.momentum_step: not started yet" in stub

    learner = (
        "import numpy as np\nimport tensorslow_edu as ts\nfrom tensorslow_edu.exercises import check\n"
        "class subtract(ts.Operation):\n"
        "    def __init__(self, a, b, name=None):\n        super().__init__([a, b], name)\n"
        "    def compute(self, a_value, b_value):\n        return a_value - b_value\n"
        "print(check('part1.subtract'))\n"
        "def momentum_step(velocity, gradient, beta):\n    return velocity + gradient\n"
        "print(check('part7.momentum_step'))\n"
        "def momentum_step(velocity, gradient, beta):\n    return beta * velocity + gradient\n"
        "print(check('part7.momentum_step'))\n"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for cwd, expected in [
        (
            student,
            [
                "part1.subtract: all 2 visible tests passed",
                "part7.momentum_step: 0 of 1 visible tests passed",
                "The new velocity is beta times the old one, plus the gradient.",
                "part7.momentum_step: all 1 visible tests passed",
            ],
        ),
        (elsewhere, ["there is no exercise 'part1.subtract'", "there is no exercise 'part7.momentum_step'"]),
    ]:
        done = subprocess.run(
            [str(python), "-c", learner], cwd=cwd, capture_output=True, text=True, timeout=120, env=env
        )
        for line in expected:
            assert line in done.stdout, done.stdout + done.stderr

    options = ("--timeout", "60", "--jobs", "1", "--quiet")
    run("grade", keys[0], "--out", tmp_path / "key", *options, cwd=course)  # the course found from here
    run("grade", student / notebook.name, "--course", course, "--out", tmp_path / "stubs", *options)
    # one run grades one part: Part 7's instructor notebook and stub together
    submissions = tmp_path / "part7"
    submissions.mkdir()
    (submissions / "key.ipynb").write_bytes(part7.read_bytes())
    (submissions / "stub.ipynb").write_bytes((student / part7.name).read_bytes())
    run("grade", submissions, "--course", course, "--out", tmp_path / "part7-grades", *options)
    maximum = sum(e.points for e in exercises_of_part(1)) + 1
    for out, expected in (
        ("key", {notebook.stem: maximum}),
        ("stubs", {notebook.stem: 0}),
        ("part7-grades", {"key": 2, "stub": 0}),
    ):
        with open(tmp_path / out / "grades.csv", newline="") as f:
            totals = {row["name"]: float(row["total"]) for row in csv.DictReader(f)}
        assert totals == expected, (out, totals)
    for out, exercise in (("key", "part1.subtract"), ("part7-grades", "part7.momentum_step")):
        rows = [json.loads(line) for line in (tmp_path / out / "results.jsonl").read_text().splitlines()]
        mine = [r for r in rows if r.get("exercise") == exercise and r["submission"] != "stub"]
        assert {r["hidden"] for r in mine} == {False, True} and all(r["passed"] for r in mine), mine
    assert [r["case"] for r in mine if r["hidden"]] == ["no momentum", "a matrix"]


def test_a_new_part_in_a_course_folder_is_graded_with_no_edit_to_the_package(tmp_path):
    from tensorslow_edu.exercises.core import use_course

    course = tmp_path / "course"
    for folder in ("exercises", "hidden", "notebooks"):
        (course / folder).mkdir(parents=True)
    (course / "course.toml").write_text('title = "Seven parts"\n')
    key = add_the_new_part(course)
    use_course(course)
    try:
        student, ids = make_student(nbformat.read(key, as_version=4), key.name)
        assert ids == ["part7.momentum_step"] and "return beta * velocity" not in student.cells[2].source
    finally:
        use_course(None)
    records = grade_class([key], tmp_path / "grades", course=course, progress=False)
    assert records[0]["total"] == 2 and records[0]["maximum"] == 2, records[0]
    assert [c["passed"] for c in records[0]["exercises"]["part7.momentum_step"]["hidden"]] == [True, True]
    # the class report is headed with the course's own title (course.toml)
    assert "<h1>Seven parts, Part 7: class report</h1>" in (tmp_path / "grades" / "report.html").read_text()


def test_the_learners_wheel_holds_no_solution_hidden_test_or_sample_class(tmp_path, wheel):
    learners = learner_wheel().strip_data(wheel, tmp_path)
    with zipfile.ZipFile(wheel) as full:
        assert any(
            ".data/data/share/tensorslow-edu/hidden/" in n for n in full.namelist()
        )  # the instructors'
    with zipfile.ZipFile(learners) as z:
        names = z.namelist()
        assert names and not any(n.split("/", 1)[0].endswith(".data") for n in names)
        assert not any(n.endswith(".ipynb") or "/hidden/" in n or "sample_class" in n for n in names)
        record = next(n for n in names if n.endswith(".dist-info/RECORD"))
        listed = {line.split(",", 1)[0] for line in z.read(record).decode().splitlines() if line}
        assert listed == set(names)
    venv = tmp_path / "venv"
    subprocess.run(
        [getattr(sys, "_base_executable", sys.executable), "-m", "venv", "--without-pip", str(venv)],
        check=True,
        timeout=300,
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            str(learners),
        ],
        check=True,
        timeout=300,
        capture_output=True,
    )
    share = venv / "share" / "tensorslow-edu"
    assert (venv / "lib").is_dir() and not share.exists()
