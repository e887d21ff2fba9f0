"""The student notebooks run: only the unfinished exercises "fail", and only by saying so.

Each instructor notebook is turned into its student version with the
``tensorslow-edu student`` command and executed top to bottom. No cell may
raise (the stubs raise only when called, and the narrative never calls them),
and every check cell must report that its exercise is not started yet.
"""

import re
import subprocess
import sys

import nbformat
import pytest

from .course_notebooks import BY_PART, NOTEBOOKS, ROOT

nbclient = pytest.importorskip("nbclient")

CHECK_CALL = re.compile(r"""^check\(\s*["'](part\d\.\w+)["']\s*\)\s*$""")


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    done = subprocess.run(
        [sys.executable, "-m", "tensorslow_edu.cli", "student", *map(str, NOTEBOOKS), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def text_of(cell):
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif "data" in output:
            parts.append(output.data.get("text/plain", ""))
    return "".join(parts)


@pytest.mark.grader
@pytest.mark.parametrize("path", BY_PART)
def test_student_notebook_runs_and_checks_say_not_started(path, student_dir):
    nb = nbformat.read(student_dir / path.name, as_version=4)
    assert "### BEGIN SOLUTION" not in "".join(c.source for c in nb.cells), "a solution was left in"
    # allow_errors: collect every failing cell instead of stopping at the first. The kernel runs in
    # the temporary folder, so the keep() cells write their stubs there, never into notebooks/
    nbclient.NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(student_dir)}},
    ).execute()
    errors = [
        f"cell {i}: {o.ename}: {o.evalue}"
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]
    assert not errors, f"{path.name} (student version) raised:\n" + "\n".join(errors)
    part = int(path.name[:2])
    if any(c.source.startswith(f'keep("part{part}"') for c in nb.cells if c.cell_type == "code"):
        assert (student_dir / "my_tensorslow" / f"part{part}.py").exists(), "keep() wrote elsewhere"
    checks = [
        (CHECK_CALL.match(c.source.strip()).group(1), text_of(c))
        for c in nb.cells
        if c.cell_type == "code" and CHECK_CALL.match(c.source.strip())
    ]
    for exercise, text in checks:
        assert "not started" in text, f"{path.name}: check({exercise!r}) said {text!r}"
    # keep() runs each piece's check: none is marked as passing, and the library's stand in
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith(f'keep("part{part}"'):
            text = text_of(cell)
            pieces = [line for line in text.splitlines() if line.startswith("  ✗ ")]
            assert pieces and all(line.endswith(": not started yet") for line in pieces), text
            assert "✓" not in text and "Later parts will use the library's" in text, text
