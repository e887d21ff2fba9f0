"""Set-up for the whole test run (the library's tests and the notebooks under nbval)."""

from pathlib import Path


def pytest_sessionstart(session):
    """Before any notebook runs: the pieces that Parts I to IV keep, written as their instructor
    notebooks' keep() cells write them. Notebooks 04 to 06 bring them back with my_pieces(), and
    their stored outputs say every piece is the learner's; without this, what they print would
    depend on which notebook a test worker happened to run first. Done once, by the process that
    starts the workers (or by the only process)."""
    if hasattr(session.config, "workerinput"):
        return
    notebooks = Path(__file__).resolve().parent / "notebooks"
    asked = [Path(arg.split("::")[0]).resolve() for arg in session.config.args]  # testpaths when none given
    if not any(path == notebooks or notebooks in path.parents or path in notebooks.parents for path in asked):
        return  # no notebook runs in this session
    from tests.course_notebooks import keep_instructor_pieces

    said = keep_instructor_pieces(notebooks / "my_tensorslow")
    assert "✗" not in said, f"an instructor piece does not pass its own check:\n{said}"
