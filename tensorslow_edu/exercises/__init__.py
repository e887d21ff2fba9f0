"""Exercises of the course: ``check("part1.run_graph")`` gives feedback in the notebook.

``keep`` and ``my_pieces`` carry the learner's pieces from one notebook to the
next (``carry.py``). Each part's exercises and visible tests are in ``partN.py``; how to write an
exercise into a notebook is in ``AUTHORING.md``; the catalogue (ids, points)
is ``course/instructor/exercises.md``.
"""

from .carry import keep, my_pieces
from .check import CheckReport, check
from .core import all_exercises, exercises_of_part, get_exercise

__all__ = ["check", "keep", "my_pieces", "CheckReport", "all_exercises", "exercises_of_part", "get_exercise"]
