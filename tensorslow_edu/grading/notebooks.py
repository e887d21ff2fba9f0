"""Reading submissions (in the grader's process): anything that is not a usable notebook gets a status.

Statuses of a submission that cannot be run: ``empty``, ``undecodable``,
``not_a_notebook``, ``corrupt``, ``no_part``, ``wrong_part``.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 20 * 2**20


@dataclass
class Loaded:
    status: str = "ok"
    reason: str = ""
    part: int = None
    cells: list = field(default_factory=list)  # [(cell number, python source)]


def part_of(nb):
    meta = nb.get("metadata", {}).get("tensorslow_edu", {})
    try:
        return int(meta.get("part"))
    except (TypeError, ValueError):
        return None


def load(path):
    """Read and check one submission file; never raises for bad input."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return Loaded("unreadable", f"the file could not be read: {exc.strerror}")
    if not raw.strip():
        return Loaded("empty", "the file is empty: was the notebook saved before submitting?")
    if len(raw) > MAX_BYTES:
        return Loaded(
            "too_large",
            f"the file is {len(raw) // 2**20} MB; a notebook should be far "
            f"smaller (clear large outputs before submitting)",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Loaded(
            "undecodable",
            f"the file is not UTF-8 text (byte {exc.start}): notebooks are "
            f"UTF-8 JSON; re-save it from Jupyter",
        )
    try:
        data = json.loads(text)
    except ValueError as exc:
        if path.suffix != ".ipynb" or not text.lstrip().startswith("{"):
            return Loaded(
                "not_a_notebook",
                f"the file is not a Jupyter notebook (not JSON: {exc}); submit the .ipynb file",
            )
        return Loaded(
            "corrupt",
            f"the notebook is damaged (invalid JSON: {exc}); re-download or re-save it from Jupyter",
        )
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        return Loaded("not_a_notebook", "the file is JSON but not a Jupyter notebook (no cells)")
    if data.get("nbformat") != 4:
        # old formats are converted by nbformat (imported only here: it is slow to import)
        try:
            import nbformat

            data = nbformat.reads(text, as_version=4)
        except Exception as exc:  # nbformat raises many kinds of errors for malformed notebooks
            return Loaded("corrupt", f"the notebook is damaged ({type(exc).__name__}: {str(exc)[:200]})")
    cells = []
    try:
        if not isinstance(data.get("metadata", {}), dict):
            raise TypeError("metadata is not an object")
        for number, cell in enumerate(data["cells"], start=1):
            if cell.get("cell_type") == "code":
                source = cell.get("source", "")
                if isinstance(source, list):
                    source = "".join(source)
                if not isinstance(source, str):
                    raise TypeError(f"cell {number} has no text")
                cells.append((number, python_source(source)))
    except Exception as exc:
        return Loaded("corrupt", f"the notebook's cells could not be read ({type(exc).__name__}: {exc})")
    nb = data
    return Loaded("ok", "", part_of(nb), cells)


_transformer = None


def python_source(source):
    """Cell text → Python: IPython syntax (%magic, !shell, cell magics) becomes get_ipython() calls."""
    global _transformer
    if _transformer is None:
        try:
            from IPython.core.inputtransformer2 import TransformerManager

            _transformer = TransformerManager()
        except ImportError:
            _transformer = False
    if _transformer:
        try:
            return _transformer.transform_cell(source)
        except Exception:  # left as is: the submission's process reports the SyntaxError
            return source
    return "\n".join(
        "pass  # " + line if line.lstrip()[:1] in ("%", "!") else line for line in source.splitlines()
    )
