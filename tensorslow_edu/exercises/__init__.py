"""Exercises of the course: ``check("part1.run_graph")`` gives feedback in the notebook.

Each part's exercises and visible tests are in ``partN.py``; how to write an
exercise into a notebook is in ``AUTHORING.md``; the catalogue (ids, points)
is ``course/instructor/exercises.md``.
"""

from .check import CheckReport, check
from .core import all_exercises, exercises_of_part, get_exercise

__all__ = ["check", "CheckReport", "all_exercises", "exercises_of_part", "get_exercise"]
