"""Run notebooks top to bottom and store their outputs in place (what nbval later compares).

    .venv/bin/python tools/execute_notebooks.py notebooks/01_computational_graphs.ipynb ...

Widget state is stored so that players step on the static site without a kernel.
"""

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path, timeout=120):
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    # no timing metadata: it would change every cell on every run and bloat the diffs
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        store_widget_state=True,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    nbformat.write(nb, path)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        execute(name)
        print(f"executed {name}")
