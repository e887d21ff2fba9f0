"""The course notebooks, as pytest parameters carrying their part's marker (``-m part3``)."""

import ast
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


MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def solution_of(part, name):
    """The instructor's source of the top-level ``def`` or ``class`` called ``name`` in part ``part``'s
    exercise cells, as written there, without the solution marker lines.

    A test's typical mistake is an edit of it (``mutate``), so the solution lives in the notebook only.
    """
    source = "\n".join(line for line in solution_source(part).splitlines() if line.strip() not in MARKERS)
    found = [
        node
        for node in ast.parse(source).body
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name
    ]
    assert len(found) == 1, f"part {part}'s exercise cells define {name!r} {len(found)} times, not once"
    return ast.get_source_segment(source, found[0]) + "\n"


def mutate(base, old, new):
    """``base`` with its one ``old`` replaced by ``new``: a typical mistake as one visible edit.

    Refuses text that is not in ``base`` exactly once, so an edited notebook makes the test fail
    here instead of quietly testing the right solution.
    """
    count = base.count(old)
    assert count == 1, f"the text to replace is in the solution {count} times, not once: {old!r}\n{base}"
    return base.replace(old, new)


def solutions_namespace(parts):
    """The instructor's solutions of ``parts``, run as a notebook would: one source of truth."""
    namespace = {}
    source = "import numpy as np\nimport tensorslow_edu as ts\n\n"
    source += "\n\n".join(solution_source(part) for part in parts)
    exec(compile(source, "<instructor notebooks>", "exec"), namespace)
    return namespace


def keep_instructor_pieces(folder, parts=(1, 2, 3, 4)):
    """Write ``folder/partN.py`` as the instructor notebook of each part does with its keep() cell.

    The later notebooks bring those pieces back with ``my_pieces``; their stored outputs say
    that every piece is the learner's own. Written here before any notebook runs, the files are
    there whichever notebook a test worker happens to run first. Returns what keep() printed.
    """
    import ast
    import contextlib
    import io
    import linecache

    import nbformat

    from tensorslow_edu.exercises import keep, my_pieces

    said = io.StringIO()
    for index, part in enumerate(parts):
        path = next(p for p in NOTEBOOKS if int(p.name[:2]) == int(part))
        cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        source = solution_source(part)
        name = f"<instructor notebook {path.name}>"  # inspect.getsource reads the pieces from here
        linecache.cache[name] = (len(source), None, source.splitlines(keepends=True), name)
        namespace = {"__name__": "__main__"}
        if index:  # the earlier parts' pieces, brought back as the notebook brings them
            with contextlib.redirect_stdout(said):
                namespace.update(vars(my_pieces(*parts[:index], folder=folder)))
        exec("import numpy as np\nimport tensorslow_edu as ts", namespace)
        exec(compile(source, name, "exec"), namespace)
        calls = [
            node.value
            for cell in cells
            for node in ast.parse(cell).body
            if isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and getattr(node.value.func, "id", None) == "keep"
        ]
        assert len(calls) == 1, f"{path.name} should have one keep(...) call, has {len(calls)}"
        call = calls[0]
        call.keywords.append(ast.keyword("folder", ast.Constant(str(folder))))
        namespace["keep"] = keep
        with contextlib.redirect_stdout(said):
            exec(compile(ast.fix_missing_locations(ast.Expression(call)), path.name, "eval"), namespace)
    return said.getvalue()
