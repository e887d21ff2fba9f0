"""Grading: student notebooks, batch grading, Gradescope.

Trust model (what "a submission cannot raise its own score" rests on):

* The submission runs in its own process, forked from a warm fork server that
  the grader starts as a fresh interpreter: hidden tests' right answers,
  verdicts and other submissions are never in its memory. It gets the
  notebook's code and the tests' *inputs* (hidden inputs included: code under
  test must see its inputs), in a temporary working directory, with a
  wall-clock limit (the grader kills its process group), soft per-cell and
  per-test limits, an address-space limit, a file-size limit, stdout/stderr
  kept to 20,000 characters, and inherited file descriptors closed.
* It may read the Python installation (with its packages, this library
  included), the system's libraries and configuration, and its temporary
  folder: nothing else. With Linux Landlock (5.13+, see ``landlock.py``) the
  kernel enforces it, so the grader's checkout, the instructor notebooks, the
  hidden tests, the output folder and other submissions are out of reach (and
  the process cannot ptrace or, ABI 6+, signal processes outside the
  sandbox); without Landlock, a Python audit hook refuses opening other paths
  and starting subprocesses: a speed bump, not a wall.
* No network: a seccomp filter makes ``socket()`` fail (``nonet.py``),
  Landlock (ABI 4+) denies TCP, and the audit hook says why in plain words.
* While an exercise is graded, the library's own version of what it asks
  for (``Exercise.forbids``) raises ``ReferenceUnavailable`` (``forbid.py``),
  so a learner cannot hand in ``ts.train.gradient_function(op)`` as their
  sigmoid gradient.
* ``check()`` does nothing in a graded notebook; a test stopped by its time
  limit stops the other tests of its exercise, so an endless loop costs one
  time limit, not one per test.
* What comes back is JSON data (arrays as base64 float64), never pickle, and
  is compared in the grader's process with answers computed there from the
  reference library. Printed text is shown as feedback only.
* Limits that remain: the grader checks that results are right, not how
  they were obtained; a learner who copies the library's source into the
  notebook, or digs the guarded originals out of the interpreter's memory,
  is not stopped; a submission forking a process that leaves the process
  group can outlive its grading (still confined like its parent).
"""
