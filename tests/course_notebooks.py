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
