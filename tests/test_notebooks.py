"""The course notebooks: metadata, exercises and stored outputs.

nbval re-runs the notebooks and compares their outputs (``pytest --nbval
notebooks/``); these tests check what nbval does not: that each notebook says
which part it is, holds the exercises the catalogue gives that part, and was
stored after a clean run.
"""

import re

import nbformat
import pytest

from .course_notebooks import BY_PART, NOTEBOOKS, ROOT

CHECK_CALL = re.compile(r"""check\(\s*["'](part\d\.\w+)["']""")


def catalogue():
    """{exercise id: the name the learner defines}, from the exercise registry."""
    from tensorslow_edu.exercises import all_exercises

    return {i: e.obj for i, e in all_exercises().items()}


def catalogue_ids(part):
    return {i for i in catalogue() if i.startswith(f"part{part}.")}


def read(path):
    return nbformat.read(path, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def raises_on_purpose(cell):
    return "raises-exception" in cell.metadata.get("tags", []) or "NBVAL_RAISES_EXCEPTION" in cell.source


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", BY_PART)
def test_metadata_names_the_part(path):
    nb = read(path)
    part = nb.metadata.get("tensorslow_edu", {}).get("part")
    assert part == int(path.name[:2]), (
        f"{path.name}: metadata tensorslow_edu.part is {part!r}, the file name says {int(path.name[:2])}"
    )
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", BY_PART)
def test_holds_the_exercises_of_its_part(path):
    nb = read(path)
    part = nb.metadata["tensorslow_edu"]["part"]
    checked = [m for c in code_cells(nb) for m in CHECK_CALL.findall(c.source)]
    assert len(checked) == len(set(checked)), f"{path.name}: an exercise is checked twice: {checked}"
    assert set(checked) == catalogue_ids(part), (
        f"{path.name}: checks {sorted(checked)}, the catalogue lists {sorted(catalogue_ids(part))}"
    )


@pytest.mark.parametrize("path", BY_PART)
def test_stored_after_a_clean_run(path):
    cells = code_cells(read(path))
    counts = [c.execution_count for c in cells if c.source.strip()]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: not executed top to bottom in one run (execution counts {counts}); "
        f"run tools/execute_notebooks.py {path.relative_to(ROOT)}"
    )
    errors = [
        c.source.splitlines()[0]
        for c in cells
        if not raises_on_purpose(c)
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]
    assert not errors, f"{path.name}: cells stored with errors: {errors}"
    svg = [
        c.source.splitlines()[0]
        for c in cells
        for o in c.get("outputs", [])
        if "image/svg+xml" in o.get("data", {}) and "matplotlib" in o["data"]["image/svg+xml"][:2000]
    ]
    assert not svg, f"{path.name}: matplotlib SVG output (differs run to run; use PNG): {svg}"


@pytest.mark.parametrize("path", BY_PART)
def test_each_check_follows_its_exercise(path):
    cells = read(path).cells
    names = catalogue()
    for k, cell in enumerate(cells):
        found = CHECK_CALL.findall(cell.source) if cell.cell_type == "code" else []
        for exercise in found:
            before = cells[k - 1].source if k else ""
            defines = re.search(rf"^(def|class) {names[exercise]}\b", before, re.M)
            assert defines and "### BEGIN SOLUTION" in before, (
                f"{path.name}, cell {k}: check({exercise!r}) must come right after the cell that "
                f"defines {names[exercise]} with its solution markers"
            )
