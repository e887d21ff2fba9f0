"""The course notebooks, as pytest parameters carrying their part's marker (``-m part3``)."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _param(path):
    part = int(path.name[:2])
    marks = [getattr(pytest.mark, f"part{part}")] if part else []  # the welcome notebook is part 0
    return pytest.param(path, id=path.name, marks=marks)


BY_PART = [_param(p) for p in NOTEBOOKS]


def solution_source(part):
    """The exercise cells (those with solution markers) of part ``part``'s instructor notebook."""
    import nbformat

    path = next(p for p in NOTEBOOKS if int(p.name[:2]) == int(part))
    cells = nbformat.read(path, as_version=4).cells
    return "\n\n".join(c.source for c in cells if c.cell_type == "code" and "### BEGIN SOLUTION" in c.source)


def solutions_namespace(parts):
    """The instructor's solutions of ``parts``, run as a notebook would: one source of truth."""
    namespace = {}
    source = "import numpy as np\nimport tensorslow_edu as ts\n\n"
    source += "\n\n".join(solution_source(part) for part in parts)
    exec(compile(source, "<instructor notebooks>", "exec"), namespace)
    return namespace
