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
* With Linux Landlock (5.13+; used when the kernel has it, see
  ``landlock.py``) the kernel denies the process reading the hidden-test
  folder and the output folder, writing anywhere but its temporary folder,
  ptrace-ing or (ABI 6+) signalling processes outside the sandbox. Without
  Landlock, a Python audit hook refuses opening those folders and starting
  subprocesses: a speed bump, not a wall (ctypes tricks could pass it).
* What comes back is JSON data (arrays as base64 float64), never pickle, and
  is compared in the grader's process with answers computed there from the
  reference library. Printed text is shown as feedback only.
* Limits that remain: code under test can use the reference library itself
  (it is installed, and the course narrative uses it), so the grader checks
  that results are right, not how they were obtained; a submission forking
  a process that leaves the process group can outlive its grading (it can
  still not read the hidden folder nor write outside its temp folder).
"""
