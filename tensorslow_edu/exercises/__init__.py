"""Exercises of the course: ``check("part1.run_graph")`` gives feedback in the notebook.

``keep`` and ``my_pieces`` carry the learner's pieces from one notebook to the
next, and ``finished`` lets a cell run them only once they pass (``carry.py``). The six
shipped parts' exercises and visible tests are in ``partN.py``; an instructor's course folder
adds its own (``course.py`` says how a course is found); how to write an exercise and its
notebook cells is in ``AUTHORING.md``.
"""

from .carry import finished, keep, my_pieces
from .check import CheckReport, check
from .core import all_exercises, current_course, exercises_of_part, get_exercise, use_course

__all__ = [
    "check",
    "keep",
    "finished",
    "my_pieces",
    "CheckReport",
    "all_exercises",
    "exercises_of_part",
    "get_exercise",
    "use_course",
    "current_course",
]
