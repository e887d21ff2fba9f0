"""Build the course website (``make course``).

    python course/build.py              # the site; widget manager and MathJax from their CDNs
    python course/build.py --offline    # the same site serving them itself (no internet needed)
    python course/build.py --strict     # warnings are errors (always so when CI is set)

What happens:

1. The pages of ``course/`` are gathered into a build folder (``_build/course/``, or
   ``_build/course-offline/``), together with the student version of each notebook of
   ``notebooks/``: the exercises are stubs, so the site never publishes a solution. A part
   that ``course/_toc.yml`` leaves out, or whose notebook does not exist yet, is nowhere on
   the site (see ``stage``).
2. Jupyter Book 1.x builds that folder with the configuration of ``jupyter_book.yml``. It
   runs each notebook once and keeps the result in ``_build/.jupyter_cache``, in a folder
   named after the library's source: a rebuild with unchanged notebooks and an unchanged
   library takes seconds, and a changed library runs the notebooks again.
3. The last line printed is the address of the site's ``index.html``.
"""

import argparse
import base64
import copy
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from html import escape
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "course"
CONFIG = ROOT / "jupyter_book.yml"
NOTEBOOKS = ROOT / "notebooks"
LIBRARY = ROOT / "tensorslow_edu"

# The files of course/ that are not pages of the site.
NOT_COPIED = {"build.py", "instructor", "_build", "__pycache__", ".ipynb_checkpoints"}

# What the offline build changes: the files of course/_vendor/ are served from the site's
# _static/ folder (not from `_static` in the sources: Jupyter Book would add every *.js
# there to every page).
OFFLINE = {
    "html_static_path": ["_assets", "_vendor"],
    "nb_ipywidgets_js": {
        "requirejs/require.js": {},
        "@jupyter-widgets/html-manager/dist/embed-amd.js": {},
    },
    "mathjax_path": "mathjax/tex-mml-chtml.js",
}

# What the build folder holds besides the copy of course/.
BUILD_FILES = {
    "_build",
    "_toc.yml",
    "parts",
    "downloads",
    ".offline",
    "_config_effective.yml",
    "_no_notebooks",
}

ROMAN = {0: "", 1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}
SOLUTION_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def say(message):
    print(f"[course] {message}", flush=True)


def write_if_changed(path, data):
    """Write only when the content differs, so that Sphinx rebuilds only what changed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = data.encode() if isinstance(data, str) else data
    if path.exists() and path.read_bytes() == data:
        return False
    path.write_bytes(data)
    return True


def sync_tree(src, dst, skip=(), keep=()):
    """Copy src into dst, changed files only; remove what src no longer has (but `keep`)."""
    dst.mkdir(parents=True, exist_ok=True)
    wanted = set()
    for item in sorted(src.iterdir()):
        if item.name in skip or item.name in NOT_COPIED:
            continue
        wanted.add(item.name)
        if item.is_dir():
            sync_tree(item, dst / item.name)
        else:
            write_if_changed(dst / item.name, item.read_bytes())
    for item in dst.iterdir():
        if item.name not in wanted and item.name not in keep:
            shutil.rmtree(item) if item.is_dir() else item.unlink()


# ---------------------------------------------------------------------- student notebooks


def make_student_notebooks(sources, outdir, built):
    """Write the student version of each source notebook into outdir.

    Their Markdown leaves out what points to a part that is not on the site (``leave_out_parts``;
    ``built`` holds the stems of the parts that are), so that a download says what its page says.
    """
    outdir.mkdir(parents=True, exist_ok=True)
    # the command takes a few seconds: skip it when neither the notebooks nor it changed
    import tensorslow_edu.grading.student as student

    package = Path(student.__file__).resolve().parents[1]
    digest = hashlib.sha256(Path(__file__).read_bytes() + " ".join(sorted(built)).encode())
    for code in sorted([*package.glob("grading/*.py"), *package.glob("exercises/*.py")]):
        digest.update(code.read_bytes())
    for src in sources:
        digest.update(src.name.encode() + src.read_bytes())
    stamp = outdir / ".student-stamp"
    if (
        stamp.exists()
        and stamp.read_text() == digest.hexdigest()
        and all((outdir / src.name).exists() for src in sources)
    ):
        return
    with tempfile.TemporaryDirectory() as tmp:
        run(
            [
                sys.executable,
                "-m",
                "tensorslow_edu.cli",
                "student",
                *[str(src) for src in sources],
                "--out",
                tmp,
            ],
            quiet=True,
        )
        for src in sources:
            nb = nbformat.read(Path(tmp) / src.name, as_version=4)
            for cell in nb.cells:
                if cell.cell_type == "markdown":
                    cell.source = leave_out_parts(cell.source, built).strip("\n")
            nb.cells = [c for c in nb.cells if c.cell_type != "markdown" or c.source]
            write_if_changed(outdir / src.name, nbformat.writes(nb) + "\n")
    stamp.write_text(digest.hexdigest())


# ---------------------------------------------------------------------- parts left out


# A link to the page of a part: {doc}`Part I </parts/01_computational_graphs>` in the pages of
# course/, [Part I](01_computational_graphs.ipynb) in the notebooks.
PART_LINK = re.compile(r"</parts/([\w-]+)>`|\]\((?:\./)?(\d\d_[\w-]+)\.ipynb(?:#[^)\s]*)?\)")
# What starts a block of Markdown: a blank line, a table row, a list item, a heading.
BLOCK_START = re.compile(r"\s*(\||[-*+] |\d+[.)] |#|$)")
PART_HEADING = re.compile(r"^(#+ )Part ([IVX]+|\d+): (.)")


def leave_out_parts(text, built):
    """Markdown without what points to a part that is not on the site.

    ``built`` holds the stems of the parts that are (``01_computational_graphs``, ...). A table
    row, list item or paragraph that links to another part is left out (a row of the home
    page's table of parts, a glossary entry's "In the course: Part IV."), and a heading that names
    such a part ("## Part III: the training criterion", on the API page) loses its number.
    """
    numbers = {int(stem[:2]) for stem in built if stem[:2].isdigit()}
    roman = {name: number for number, name in ROMAN.items() if name}
    blocks, block = [], []
    for line in text.splitlines(keepends=True):
        if block and BLOCK_START.match(line):
            blocks.append(block)
            block = []
        block.append(line)
    blocks.append(block)
    kept = []
    for block in blocks:
        links = {a or b for a, b in PART_LINK.findall("".join(block))}
        if links - set(built):
            continue
        heading = PART_HEADING.match(block[0])
        if heading:
            number = heading.group(2)
            number = int(number) if number.isdigit() else roman.get(number)
            if number not in numbers:
                block[0] = heading.group(1) + heading.group(3).upper() + block[0][heading.end() :]
        kept += block
    return "".join(kept)


_PLOT_TEXT = re.compile(
    r"\.(set_title|suptitle|title|set_xlabel|xlabel|set_ylabel|ylabel)"
    r"\(\s*[rf]?([\"'])(.*?)\2"
)


def plot_alt(source):
    """Alt text for the plots a cell draws, from the titles and axis labels its code gives them."""
    words = {"title": [], "x": [], "y": []}
    for call, _, text in _PLOT_TEXT.findall(source):
        kind = "x" if "xlabel" in call else "y" if "ylabel" in call else "title"
        text = re.sub(r"\\(mathrm|text|mathbf)\b|[$\\{}]", "", text).strip()
        if text and text not in words[kind]:
            words[kind].append(text)
    alt = "Plot: " + "; ".join(words["title"]) if words["title"] else "Plot drawn by the code above"
    axes = [
        f"{name} axis: {', '.join(words[k])}"
        for k, name in (("x", "horizontal"), ("y", "vertical"))
        if words[k]
    ]
    return alt + (" (" + "; ".join(axes) + ")" if axes else "") + "."


def notebook_title(nb, fallback):
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def page_notebook(student_path, page_path):
    """The part's page: the student notebook with a box offering it for download."""
    nb = nbformat.read(student_path, as_version=4)
    text = nbformat.writes(nb)
    for marker in SOLUTION_MARKERS:
        if marker in text:
            sys.exit(
                f"[course] {student_path.name} still contains '{marker}': refusing to publish a solution"
            )
    for cell in nb.cells:
        if cell.cell_type == "code" and re.search(r"\bplt\.|\bax(es)?\b.*\.plot|subplots\(", cell.source):
            cell.metadata.setdefault("mystnb", {}).setdefault("image", {})["alt"] = plot_alt(cell.source)
    name = student_path.name
    has_exercises = "NotImplementedError" in text
    if has_exercises:
        intro = (
            ":::{admonition} Work through this part yourself\n"
            ":class: tip part-links\n"
            f"{{download}}`Download the student notebook <../downloads/{name}>` and open it in "
            "Jupyter: the exercises are left for you to write, and the check cell after each one "
            "tells you how you are doing. This page shows the same notebook run from top to "
            "bottom, with the exercises not started yet.\n"
        )
    else:
        intro = (
            ":::{admonition} Run this notebook yourself\n"
            ":class: tip part-links\n"
            f"{{download}}`Download the notebook <../downloads/{name}>` and open it in "
            "Jupyter to run it and try things out.\n"
        )
    box = nbformat.v4.new_markdown_cell(intro + ":::")
    box.metadata["tags"] = ["course-download-box"]
    box["id"] = "course-download-box"  # a fixed id: an unchanged page stays unchanged
    # after the title cell, so that the page starts with the part's title
    first = nb.cells[0] if nb.cells else None
    at = (
        1
        if first is not None and first.cell_type == "markdown" and first.source.lstrip().startswith("# ")
        else 0
    )
    nb.cells.insert(at, box)
    write_if_changed(page_path, nbformat.writes(nb) + "\n")
    return notebook_title(nb, name)


# ---------------------------------------------------------------------- exercises page


def exercise_rows():
    """(id, points, text) of each exercise of the course, from the exercise registry."""
    from tensorslow_edu.exercises import all_exercises

    return [(e.id, f"{e.points:g}", e.summary or f"`{e.obj}`") for e in all_exercises().values()]


def exercise_list(parts):
    """Markdown: the exercises of the parts on the site, grouped by part, each linked to its page."""
    by_part = {}
    for ex_id, points, text in exercise_rows():
        number = int(ex_id[4 : ex_id.index(".")])
        if number in parts:
            by_part.setdefault(number, []).append((ex_id, points, text))
    if not by_part:
        return "The list of exercises is not available in this build.\n"
    out = []
    for number in sorted(by_part):
        part = parts[number]
        title = part["title"]
        if not title.lower().startswith("part"):
            title = f"Part {ROMAN.get(number, number)}: {title}"
        out.append(f"### {{doc}}`{title} </parts/{part['stem']}>`\n")
        total = sum(int(p) for _, p, _ in by_part[number] if p.isdigit())
        out.append("| exercise | points | what you write |\n|---|---|---|")
        for ex_id, points, text in by_part[number]:
            out.append(f"| `{ex_id}` | {points} | {text} |")
        out.append(f"\n{len(by_part[number])} exercises, {total} points.\n")
    return "\n".join(out)


# ---------------------------------------------------------------------- the build


def run(cmd, quiet=False, env=None):
    result = subprocess.run(
        cmd,
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE if quiet else None,
        stderr=subprocess.STDOUT if quiet else None,
    )
    if result.returncode != 0:
        if quiet:
            print(result.stdout)
        sys.exit(f"[course] failed ({result.returncode}): {' '.join(cmd)}")
    return result


def stage(book, notebooks_dir, toc):
    """Gather pages, student notebooks and the table of contents ``toc`` into the book folder.

    The parts on the site are the notebooks of ``toc`` (course/_toc.yml, read as YAML) that
    exist in ``notebooks_dir``. A part left out of the table of contents, or whose notebook
    does not exist yet, is nowhere on the site: no page, no download, none of its exercises on
    the exercises page, and no row, paragraph or link of another page points to it
    (``leave_out_parts``). Returns {part number: {"title", "stem"}} of the parts on the site.
    """
    pages = {page.name for page in COURSE.glob("*.md")}  # written below, after editing
    sync_tree(COURSE, book, skip={"_toc.yml", "_vendor"} | pages, keep=BUILD_FILES | {"_vendor"} | pages)
    # the offline build's scripts; the online build does not need them in its folder
    if book.joinpath(".offline").exists():
        sync_tree(COURSE / "_vendor", book / "_vendor")

    toc = copy.deepcopy(toc)
    wanted = [
        chapter["file"][len("parts/") :]
        for section in toc["parts"]
        for chapter in section["chapters"]
        if chapter["file"].startswith("parts/")
    ]
    present = [
        notebooks_dir / f"{stem}.ipynb" for stem in wanted if (notebooks_dir / f"{stem}.ipynb").exists()
    ]
    built = {src.stem for src in present}
    for stem in wanted:
        if stem not in built:
            say(f"notebooks/{stem}.ipynb does not exist yet: its page is left out")

    make_student_notebooks(present, book / "downloads", built)
    parts = {}
    for src in present:
        title = page_notebook(book / "downloads" / src.name, book / "parts" / src.name)
        parts[int(src.stem[:2])] = {"title": title, "stem": src.stem}
    for folder in ("parts", "downloads"):
        for old in (book / folder).glob("*.ipynb"):
            if old.stem not in built:
                old.unlink()
    # files the notebooks may read (pictures, data), next to the pages
    for item in notebooks_dir.iterdir():
        if item.suffix != ".ipynb" and not item.name.startswith((".", "__")):
            if item.is_dir():
                sync_tree(item, book / "parts" / item.name)
            else:
                write_if_changed(book / "parts" / item.name, item.read_bytes())

    for section in toc["parts"]:
        section["chapters"] = [
            c
            for c in section["chapters"]
            if not c["file"].startswith("parts/") or c["file"][len("parts/") :] in built
        ]
    toc["parts"] = [s for s in toc["parts"] if s["chapters"]]
    write_if_changed(book / "_toc.yml", yaml.safe_dump(toc, sort_keys=False))

    for page in COURSE.glob("*.md"):
        text = page.read_text()
        if page.name == "exercises.md":
            text = text.replace("<!-- exercise-list -->", exercise_list(parts))
        write_if_changed(book / page.name, leave_out_parts(text, built))
    return parts


def toc_files(toc):
    """The documents of a table of contents (``index``, ``parts/01_computational_graphs``, ...)."""
    return {toc["root"]} | {c["file"] for section in toc["parts"] for c in section["chapters"]}


def place_widget_fonts(html):
    """Put the widget manager's icon fonts where it looks for them.

    html-manager 1.0.x loads the icons of its buttons (the Play button's) from
    `@jupyter-widgets/` and `@jupyter-widgets/html-manager/dist/` next to the page, whether
    the manager itself came from the CDN or from the site.
    """
    fonts = sorted((COURSE / "_vendor" / "@jupyter-widgets/html-manager/dist").glob("*.woff2"))
    for page_dir in {
        p.parent for p in html.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts
    }:
        if not any("widget-view+json" in p.read_text(errors="ignore") for p in page_dir.glob("*.html")):
            continue
        for sub in ("@jupyter-widgets", "@jupyter-widgets/html-manager/dist"):
            for font in fonts:
                write_if_changed(page_dir / sub / font.name, font.read_bytes())


def finish_pages(html, offline):
    """What the theme leaves to fix in the built pages.

    * Jupyter Book 1.x writes sphinx-thebe's configuration script twice into every page, and
      the second ``const THEBE_JS_URL`` is an error in the console: keep the first.
    * The theme preloads FontAwesome's fonts with CORS requests, which fail over ``file://``
      (its icons are drawn as SVG by FontAwesome's script anyway): no preloads.
    * The theme's light/dark switch starts from an empty mode ("Got invalid theme mode" in
      the console) because sphinx-book-theme has no option for it: start from "auto".
    * Over ``file://`` (the offline site handed out on a USB stick) a browser opens a
      downloaded notebook as text, whatever the link's ``download`` attribute says, because
      each file is an origin of its own. In the offline build, the download links of the
      parts therefore carry the notebook itself, as a ``data:`` address, which every browser
      saves as a file; the default build, served over http(s), keeps plain links, named.
    """
    for page in html.rglob("*.html"):
        if "_static" in page.parts or "_sources" in page.parts:
            continue
        text = original = page.read_text(encoding="utf-8")
        thebe = re.findall(r"<script>const THEBE_JS_URL[^<]*</script>\n?", text)
        for duplicate in thebe[1:]:
            head, _, tail = text.rpartition(duplicate)
            text = head + tail
        text = re.sub(
            r'<link rel="preload" as="font" type="font/woff2" crossorigin href="[^"]+" />\n?', "", text
        )
        text = text.replace('localStorage.getItem("mode") || ""', 'localStorage.getItem("mode") || "auto"')
        text = text.replace('data-default-mode=""', 'data-default-mode="auto"')

        def link(match, page=page):
            tag = match.group(0)
            found = re.search(r'data-file="([^"]+)"', tag) or re.search(r'href="([^"]+)"', tag)
            href = found.group(1)
            target = (page.parent / href).resolve()
            if not href.endswith(".ipynb") or not target.is_file():
                return tag
            start = '<a class="reference download internal" '
            if not offline:
                return f'{start}href="{href}" download="{target.name}">'
            data = base64.b64encode(target.read_bytes()).decode("ascii")
            return (
                f'{start}href="data:application/x-ipynb+json;base64,{data}" '
                f'data-file="{href}" download="{target.name}">'
            )

        # (a page Sphinx did not rewrite keeps the link of the last build: rewrite it from its file)
        text = re.sub(r'<a class="reference download internal" [^>]*>', link, text)
        if text != original:
            page.write_text(text, encoding="utf-8")


def library_cache(base):
    """The execution cache for the library as it is now, inside ``base``.

    Jupyter Book re-runs a notebook only when the notebook's code changes, but
    its outputs depend on the library too: each version of the library's source
    gets a cache folder of its own, and the folders of older versions are removed.
    """
    digest = hashlib.sha256()
    for path in sorted(LIBRARY.rglob("*.py")):
        digest.update(str(path.relative_to(LIBRARY)).encode() + b"\0" + path.read_bytes())
    cache = base / digest.hexdigest()[:16]
    if base.is_dir():
        for old in base.iterdir():
            if old != cache:
                shutil.rmtree(old) if old.is_dir() else old.unlink()
    return cache


def book_config(offline, cache, config=None):
    """The configuration Jupyter Book is given: jupyter_book.yml (or ``config``) and what follows.

    The course's title and its repository's address are written once, in jupyter_book.yml
    (``title``, ``repository.url``): Jupyter Book makes the title the site's ``html_title``,
    this script writes the footer from both, and the home page shows the title (``{{ title }}``).
    """
    config = copy.deepcopy(yaml.safe_load(CONFIG.read_text()) if config is None else config)
    config.setdefault("execute", {})["cache"] = str(cache)
    config.setdefault("html", {})["extra_footer"] = footer(config)
    config.setdefault("parse", {}).setdefault("myst_substitutions", {})["title"] = config["title"]
    if offline:
        config["sphinx"]["config"].update(copy.deepcopy(OFFLINE))
    return config


def footer(config):
    """The footer of every page: the title, and the repository's address when one is set."""
    text = f"{escape(config['title'])}: learn how deep-learning frameworks work by building one."
    url = (config.get("repository") or {}).get("url")
    if url:
        shown = re.sub(r"^https?://", "", url).rstrip("/")
        text += f' The source of the course and its library: <a href="{escape(url)}">{escape(shown)}</a>.'
    return f"<p>{text}</p>"


def stale_pages(html, documents):
    """Pages of an earlier build (in ``html``) whose document is not in ``documents`` now."""
    generated = {"genindex", "search", "py-modindex"}
    pages = [*html.glob("*.html"), *html.glob("parts/*.html")] if html.is_dir() else []
    names = [page.relative_to(html).with_suffix("").as_posix() for page in pages]
    return sorted(name for name in names if name not in documents | generated)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--offline",
        action="store_true",
        default=os.environ.get("OFFLINE", "") not in ("", "0"),
        help="serve the widget manager and MathJax from the site itself (also: OFFLINE=1)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        default=bool(os.environ.get("CI")),
        help="turn warnings into errors (the default when CI is set)",
    )
    parser.add_argument(
        "--out", type=Path, help="build folder (default: _build/course or _build/course-offline)"
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=ROOT / "_build" / ".jupyter_cache",
        help="Jupyter Book's execution cache (default: _build/.jupyter_cache)",
    )
    parser.add_argument(
        "--notebooks",
        type=Path,
        default=NOTEBOOKS,
        help="folder of the instructor notebooks (default: notebooks/)",
    )
    args = parser.parse_args(argv)

    start = time.time()
    book = args.out or ROOT / "_build" / ("course-offline" if args.offline else "course")
    book = book.resolve()
    book.mkdir(parents=True, exist_ok=True)
    marker = book / ".offline"
    if args.offline:
        marker.touch()
    elif marker.exists():
        marker.unlink()
        shutil.rmtree(book / "_vendor", ignore_errors=True)

    notebooks_dir = args.notebooks.resolve()
    if not notebooks_dir.is_dir():
        say(f"{notebooks_dir} does not exist: the site is built without the parts")
        notebooks_dir = book / "_no_notebooks"
        notebooks_dir.mkdir(exist_ok=True)
    toc = yaml.safe_load((COURSE / "_toc.yml").read_text())
    parts = stage(book, notebooks_dir, toc)
    say(f"{len(parts)} notebook page(s): " + ", ".join(p["stem"] for p in parts.values()))
    # Sphinx leaves the page of a document that has left the table of contents (with its
    # downloads and pictures) in the site: if one has, the site is built afresh without it
    html = book / "_build" / "html"
    stale = stale_pages(html, toc_files(yaml.safe_load((book / "_toc.yml").read_text())))
    if stale:
        say(f"no longer in the table of contents: {', '.join(stale)}; the site is built afresh")
        for folder in ("html", ".doctrees"):
            shutil.rmtree(book / "_build" / folder, ignore_errors=True)

    config_path = book / "_config_effective.yml"
    write_if_changed(
        config_path,
        "# written by course/build.py from jupyter_book.yml\n"
        + yaml.safe_dump(book_config(args.offline, library_cache(args.cache.resolve())), sort_keys=False),
    )
    cmd = [
        str(Path(sys.executable).with_name("jupyter-book")),
        "build",
        str(book),
        "--config",
        str(config_path),
        "--toc",
        str(book / "_toc.yml"),
    ]
    if args.strict:
        cmd += ["-W", "--keep-going"]
    say(("offline" if args.offline else "online") + " build: " + " ".join(cmd))
    # the kernel that runs the notebooks must see this environment's packages
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    run(cmd, env=env)

    # Sphinx 7.4 leaves a static file alone when the site already has a copy: bring ours up
    # to date, or a rebuild would keep serving old scripts and styles
    for folder in ["_assets"] + (["_vendor"] if args.offline else []):
        sync_tree(book / folder, html / "_static", keep=set(os.listdir(html / "_static")))
    place_widget_fonts(html)
    finish_pages(html, args.offline)
    index = html / "index.html"
    say(f"built in {time.time() - start:.0f} s")
    print(f"\nThe course website is ready. Open it in your browser:\n\n    {index.as_uri()}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
