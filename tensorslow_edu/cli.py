"""The ``tensorslow-edu`` command.

Each subcommand lives with the code it drives; this module only dispatches.
"""

import argparse
import sys

from . import __version__

# (subcommand, module, help): the module defines add_arguments(parser) and run(args) -> exit code
COMMANDS = [
    (
        "init",
        "grading.init",
        "start a course folder from the six shipped parts (notebooks, exercises, hidden tests)",
    ),
    (
        "student",
        "grading.student",
        "write student notebooks (solutions replaced by stubs) from instructor notebooks",
    ),
    (
        "grade",
        "grading.cli_grade",
        "grade submitted notebooks: gradebook CSV, Gradescope results.json, feedback pages",
    ),
    ("gradescope", "grading.gradescope", "build the Gradescope autograder zip (setup.sh, run_autograder)"),
]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="tensorslow-edu", description="Tools of the tensorslow_edu course.")
    parser.add_argument("--version", action="version", version=f"tensorslow-edu {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = {}
    for name, module_name, help_text in COMMANDS:
        module = __import__(f"tensorslow_edu.{module_name}", fromlist=["run"])
        module.add_arguments(sub.add_parser(name, help=help_text, description=help_text))
        modules[name] = module
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return modules[args.command].run(args)


if __name__ == "__main__":
    sys.exit(main())
