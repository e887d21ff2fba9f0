"""Sphinx extension for the API page: each module of a part gets a heading on the page, so the
first line of its docstring ("Part I: computational graphs.") would only say it again."""

import re


def drop_repeated_title(app, what, name, obj, options, lines):
    if what == "module" and lines and re.match(r"Part [IVX]+: [^.]*\.?$", lines[0].strip()):
        del lines[0]
        while lines and not lines[0].strip():
            del lines[0]


def setup(app):
    app.connect("autodoc-process-docstring", drop_repeated_title)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
