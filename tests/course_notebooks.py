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
