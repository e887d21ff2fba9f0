"""The course website: built with course/build.py, then read in headless Chromium.

Both builds are checked:

* online (the default): the widget manager and MathJax come from cdn.jsdelivr.net. There is
  no internet on the test machines, so the browser answers those CDN addresses with the
  files of course/_vendor/ (the same versions): this tests the default page's wiring.
* offline (`--offline`): nothing is routed, and no request may leave file://.

The builds go to the folders of `make course` and `make course OFFLINE=1` (_build/course,
_build/course-offline) and share their execution cache (_build/.jupyter_cache): notebooks
run only when they or the library changed, and an unchanged site rebuilds in seconds.
Warnings are errors.

Readers are imitated at two sizes, a desktop (1366 × 900) and a phone (390 × 844). The text
of every graph picture must render at MIN_FONT_PX = 9 CSS pixels or more at desktop width
(the pictures never scale below that, and a wider one scrolls sideways), and axe-core
(tests/_vendor/axe-core) finds no critical or serious accessibility problem.
"""

import copy
import importlib.util
import json
import re
import subprocess
import sys
import time
from html import escape
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from tensorslow_edu.viz.svg import MIN_FONT_PX

from .browser import open_browser

pytestmark = pytest.mark.site

REPO = Path(__file__).resolve().parent.parent
VENDOR = REPO / "course" / "_vendor"
PART1 = "parts/01_computational_graphs.html"
PART2 = "parts/02_perceptrons.html"
AXE = REPO / "tests" / "_vendor" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

# CDN address prefix -> vendored folder with the same files
CDN = {
    "https://cdn.jsdelivr.net/npm/requirejs@2.3.8/": VENDOR / "requirejs",
    "https://cdn.jsdelivr.net/npm/@jupyter-widgets/html-manager@1.0.15/dist/": VENDOR
    / "@jupyter-widgets/html-manager/dist",
    "https://cdn.jsdelivr.net/npm/mathjax@3.2.2/es5/": VENDOR / "mathjax",
}

# Console messages that are not of the site's making and do no harm: over file:// a browser
# refuses what needs a request of its own kind (the search page's fetch of each page for its
# result summaries, and the theme's icon fonts, which are loaded with CORS).
KNOWN_PAGE_ERRORS = (
    "Failed to fetch",
    "from origin 'null' has been blocked by CORS policy",
    "net::ERR_FAILED",
)

GLOSSARY_TERMS = [
    "computational graph",
    "node",
    "operation",
    "placeholder",
    "Variable",
    "session",
    "post-order traversal",
    "forward pass",
    "backpropagation",
    "gradient",
    "chain rule",
    "total derivative",
    "perceptron",
    "sigmoid",
    "softmax",
    "logits",
    "one-hot",
    "cross-entropy",
    "maximum likelihood",
    "learning rate",
    "gradient descent",
    "epoch",
    "hidden layer",
    "decision boundary",
    "broadcasting",
    "finite differences",
]


def build(out, offline):
    cmd = [sys.executable, str(REPO / "course" / "build.py"), "--out", str(out), "--strict"]
    if offline:
        cmd.append("--offline")
    start = time.time()
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, (
        f"the {'offline' if offline else 'online'} build failed:\n"
        + result.stdout[-6000:]
        + result.stderr[-3000:]
    )
    html = out / "_build" / "html"
    last_line = result.stdout.strip().splitlines()[-1].strip()
    assert last_line == (html / "index.html").as_uri(), "the build must end with the site's address"
    print(f"built the {'offline' if offline else 'online'} site in {time.time() - start:.0f} s")
    return html


@pytest.fixture(scope="module")
def online_site():
    return build(REPO / "_build" / "course", offline=False)


@pytest.fixture(scope="module")
def offline_site():
    return build(REPO / "_build" / "course-offline", offline=True)


@pytest.fixture(scope="module")
def browser():
    with open_browser() as b:
        yield b


@pytest.fixture(params=["online", "offline"])
def site(request):
    """(mode, html folder)"""
    return request.param, request.getfixturevalue(f"{request.param}_site")


class Tab:
    """A page of the site, with every request and page error recorded."""

    def __init__(self, browser, mode, viewport=DESKTOP, internet=True):
        self.page = browser.new_page(viewport=viewport, accept_downloads=True)
        self.mode = mode
        self.requests, self.failed, self.errors, self.unrouted = [], [], [], []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        if mode == "online":
            self.page.route(re.compile(r"^https?://"), self._from_vendor if internet else self._offline)

    def _offline(self, route):
        self.unrouted.append(route.request.url)
        return route.abort()

    def _from_vendor(self, route):
        url = route.request.url
        for prefix, folder in CDN.items():
            if url.startswith(prefix):
                path = folder / url[len(prefix) :].split("?")[0]
                if path.is_file():
                    return route.fulfill(path=str(path), headers={"Access-Control-Allow-Origin": "*"})
        self.unrouted.append(url)
        return route.abort()

    def open(self, html, page, query=""):
        self.page.goto((html / page).as_uri() + query)
        return self.page

    def external_requests(self):
        return sorted({u for u in self.requests if not u.startswith(("file:", "data:", "blob:"))})

    def unexpected_errors(self):
        return [e for e in self.errors if not any(k in e for k in KNOWN_PAGE_ERRORS)]

    def close(self):
        self.page.close()


@pytest.fixture
def tab(browser, site):
    mode, _ = site
    t = Tab(browser, mode)
    yield t
    t.close()


def need_part1(html):
    if not (html / PART1).exists():
        pytest.skip("notebooks/01_computational_graphs.ipynb does not exist yet")


# ------------------------------------------------------------------------- the settings (no build)


def course_build():
    """course/build.py as a module (course/ is not a package)."""
    spec = importlib.util.spec_from_file_location("course_build", REPO / "course" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def site_settings():
    return yaml.safe_load((REPO / "jupyter_book.yml").read_text())


def test_the_repository_address_is_written_once():
    """repository.url of jupyter_book.yml is the one copy of the address in the repository."""
    address = urlparse(site_settings()["repository"]["url"])
    owner_and_name = address.path.strip("/")  # also found in an address written another way
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    copies = []
    for name in filter(None, listed.stdout.decode().split("\0")):
        path = REPO / name
        data = path.read_bytes() if path.is_file() else b""
        if b"\0" not in data:  # text files only
            copies += [name] * data.decode("utf-8", errors="replace").count(owner_and_name)
    assert copies == ["jupyter_book.yml"], f"the repository's address is written in {copies}"


def test_the_footer_and_the_html_title_come_from_the_title_and_the_address(tmp_path):
    """build.py's effective configuration, as Jupyter Book reads it: the site's title, the home
    page's and the footer's come from `title` and `repository.url`, escaped for HTML."""
    from jupyter_book.config import get_final_config

    build = course_build()
    settings = site_settings()
    assert "html_title" not in settings["sphinx"]["config"] and "extra_footer" not in settings["html"]

    def as_sphinx(config):
        effective = build.book_config(offline=False, cache=tmp_path, config=config)
        return get_final_config(
            user_yaml=effective,
            cli_config={"latex_individualpages": False},
            sourcedir=tmp_path,
            validate=False,
        )[0]

    sphinx = as_sphinx(settings)
    assert sphinx["html_title"] == settings["title"]
    assert sphinx["myst_substitutions"]["title"] == settings["title"]
    footer = sphinx["html_theme_options"]["extra_footer"]
    assert f'href="{settings["repository"]["url"]}"' in footer and settings["title"] in footer

    mine = copy.deepcopy(settings)
    mine["title"] = 'Deep learning <from> "scratch" & co'
    mine["repository"]["url"] = "https://example.org/course?tab=1&view=2"
    sphinx = as_sphinx(mine)
    assert sphinx["html_title"] == mine["title"]
    footer = sphinx["html_theme_options"]["extra_footer"]
    assert footer.startswith("<p>Deep learning &lt;from&gt; &quot;scratch&quot; &amp; co: ")
    assert (
        '<a href="https://example.org/course?tab=1&amp;view=2">example.org/course?tab=1&amp;view=2</a>'
        in footer
    )
    del mine["repository"]["url"]
    assert "<a " not in as_sphinx(mine)["html_theme_options"]["extra_footer"], "no address, no link"


def test_a_part_left_out_of_the_table_of_contents_is_nowhere_on_the_site(tmp_path):
    """Part III taken out of course/_toc.yml: stage() leaves out its page, its download, its
    exercises, and every row, paragraph and link of the other pages that points to it."""
    build = course_build()
    toc = yaml.safe_load((REPO / "course" / "_toc.yml").read_text())
    hidden = "03_training_criterion"
    for section in toc["parts"]:
        section["chapters"] = [c for c in section["chapters"] if c["file"] != f"parts/{hidden}"]
    parts = build.stage(tmp_path, build.NOTEBOOKS, toc)
    assert 3 not in parts and {1, 2, 4} <= set(parts)

    assert not (tmp_path / "parts" / f"{hidden}.ipynb").exists()
    assert not (tmp_path / "downloads" / f"{hidden}.ipynb").exists()
    exercises = (tmp_path / "exercises.md").read_text()
    assert "`part3." not in exercises and "`part4.backprop`" in exercises
    staged = [*tmp_path.glob("*.md"), tmp_path / "_toc.yml", *tmp_path.glob("*/*.ipynb")]
    for path in staged:
        assert hidden not in path.read_text(), f"{path.relative_to(tmp_path)} points to Part III"
    # what names the part outside the other parts' own text: the home page's table, the
    # welcome notebook's, the glossary's pointers, the API page's heading
    for path in [*tmp_path.glob("*.md"), tmp_path / "parts" / "00_welcome.ipynb"]:
        assert not re.search(r"Part III\b|\| III \|", path.read_text()), path.name
    assert "## The training criterion" in (tmp_path / "api.md").read_text()
    glossary = (tmp_path / "glossary.md").read_text()
    assert (
        "\ncross-entropy\n" in glossary and "{doc}`Part IV </parts/04_gradient_descent_backprop>`" in glossary
    )
    assert "{doc}`Part IV </parts/04_gradient_descent_backprop>`" in (tmp_path / "index.md").read_text()


def test_what_points_to_a_part_left_out_is_left_out():
    build = course_build()
    text = (
        "# Parts\n\n| part | topic |\n|---|---|\n"
        "| {doc}`Part I </parts/01_a>` | one |\n| {doc}`Part II </parts/02_b>` | two |\n\n"
        "A paragraph that opens\n[Part II](02_b.ipynb#start) in the middle.\n\n"
        "- an item about {doc}`Part I </parts/01_a>`\n- an item about {doc}`Part II </parts/02_b>`\n"
        "  on two lines\n\n## Part II: the second part\n\n## Part I: the first\n"
    )
    assert build.leave_out_parts(text, {"01_a"}) == (
        "# Parts\n\n| part | topic |\n|---|---|\n| {doc}`Part I </parts/01_a>` | one |\n"
        "\n- an item about {doc}`Part I </parts/01_a>`\n\n## The second part\n\n## Part I: the first\n"
    )
    assert build.leave_out_parts(text, {"01_a", "02_b"}) == text


def test_a_page_left_from_an_earlier_build_is_found(tmp_path):
    """Sphinx keeps the page of a document that left the table of contents: build.py looks for
    such pages, and builds the site afresh when it finds one."""
    build = course_build()
    for page in ("index", "search", "genindex", "glossary", "parts/01_a", "parts/03_b"):
        (tmp_path / f"{page}.html").parent.mkdir(exist_ok=True)
        (tmp_path / f"{page}.html").write_text("<html></html>")
    assert build.stale_pages(tmp_path, {"index", "glossary", "parts/01_a"}) == ["parts/03_b"]
    assert build.stale_pages(tmp_path, {"index", "glossary", "parts/01_a", "parts/03_b"}) == []
    assert build.stale_pages(tmp_path / "not-built", {"index"}) == []


# ------------------------------------------------------------------------- the pages


def test_pages_exist(site):
    _, html = site
    for page in (
        "index.html",
        "exercises.html",
        "api.html",
        "glossary.html",
        "instructor_guide.html",
        "search.html",
    ):
        assert (html / page).is_file(), page
    parts = sorted(p.name for p in (html / "parts").glob("*.html"))
    toc = yaml.safe_load((REPO / "course" / "_toc.yml").read_text())
    stems = [
        c["file"][len("parts/") :]
        for s in toc["parts"]
        for c in s["chapters"]
        if c["file"].startswith("parts/")
    ]
    notebooks = sorted(s + ".html" for s in stems if (REPO / "notebooks" / f"{s}.ipynb").exists())
    assert parts == notebooks, "every notebook of the table of contents that exists is a page"


def test_the_title_and_the_address_reach_the_pages(site):
    """The title of jupyter_book.yml in the browser's title and on the home page; its address in
    the footer of every page."""
    _, html = site
    settings = site_settings()
    title = escape(settings["title"])
    index = (html / "index.html").read_text()
    assert f"<strong>{title}</strong> course" in index, "the home page's {{ title }}"
    for page in [html / "index.html", html / "glossary.html", *(html / "parts").glob("*.html")]:
        text = page.read_text()
        assert re.search(rf"<title>[^<]*{re.escape(title)}</title>", text), page.name
        assert f'<a href="{escape(settings["repository"]["url"])}">' in text, page.name


def test_no_solution_is_published(site):
    _, html = site
    for path in html.rglob("*"):
        if path.suffix in (".html", ".ipynb", ".txt", ".js") and path.is_file():
            text = path.read_text(errors="ignore")
            assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, path


def test_each_part_offers_its_student_notebook_and_no_solution(site):
    mode, html = site
    parts = sorted((html / "parts").glob("*.html"))
    assert parts
    for page in parts:
        text = page.read_text()
        attribute = "data-file" if mode == "offline" else "href"
        link = re.search(
            attribute
            + r'="(\.\./_downloads/[0-9a-f]+/'
            + re.escape(page.stem)
            + r'\.ipynb)" download="'
            + re.escape(page.stem)
            + r'\.ipynb"',
            text,
        )
        assert link, f"{page.name} has no download link to its notebook"
        assert (page.parent / link.group(1)).resolve().is_file()
        assert "blob/main/notebooks" not in text, "a link to the instructor notebook"
    for page in html.glob("*.html"):
        assert "git clone" not in page.read_text(), f"{page.name} tells learners to clone the repository"


def test_pictures_have_text_alternatives(site):
    """Plots say what they show (from the titles and labels in their code), never a file name."""
    _, html = site
    for page in (html / "parts").glob("*.html"):
        for alt in re.findall(r'<img [^>]*alt="([^"]*)"', page.read_text()):
            assert alt and not re.search(r"\.(png|svg|jpe?g)$", alt), f"{page.name}: alt text {alt!r}"
        assert "<svg" not in page.read_text() or 'role="img"' in page.read_text()


def test_glossary_and_api(site):
    _, html = site
    glossary = (html / "glossary.html").read_text()
    for term in GLOSSARY_TERMS:
        assert f'id="term-{term.replace(" ", "-")}"' in glossary, term
    api = (html / "api.html").read_text()
    assert "<p>Part I: computational graphs.</p>" not in api, "a module docstring repeats its heading"
    assert re.search(
        r'activation</span></span><span class="o"><span class="pre">=</span></span>'
        r'<span class="default_value"><span class="pre">sigmoid<',
        api,
    )
    assert "&lt;class" not in api, "defaults are shown as written, not as their repr"
    for name in (
        "tensorslow_edu.graph.Session",
        "tensorslow_edu.graph.placeholder",
        "tensorslow_edu.train.GradientDescentOptimizer",
        "tensorslow_edu.perceptron.sigmoid",
    ):
        assert f'id="{name}"' in api, name


# ------------------------------------------------------------------------- in the browser


def test_part1_graph_math_and_player(tab, site):
    mode, html = site
    need_part1(html)
    page = tab.open(html, PART1)

    # the graph's SVG picture is there and loaded
    page.wait_for_selector(".cell_output img[src$='.svg'], .cell_output svg", state="attached")
    pictures = page.evaluate("""() => [...document.querySelectorAll('.cell_output img[src$=".svg"]')]
        .filter(img => img.naturalWidth > 0).length
        + [...document.querySelectorAll('.cell_output svg')].filter(s => s.querySelector('text')).length""")
    assert pictures > 0, "no graph picture on the Part I page"

    # the math is typeset by MathJax, without errors
    page.wait_for_selector("mjx-container", state="attached", timeout=30000)
    assert page.locator("mjx-container").count() > 0
    assert page.locator("mjx-merror").count() == 0

    # a player is rendered: Play button, slider and picture
    page.wait_for_selector(".widget-slider .noUi-handle", timeout=30000)
    player = page.locator(".cell_output:has(.widget-slider)").first
    assert player.locator(".widget-play button").count() > 0
    assert player.locator("i.fa-play").count() > 0, "FontAwesome replaced the Play icon"

    def picture():
        return player.evaluate("""out => [...out.querySelectorAll('.widget-html-content, .widget-image, img, svg')]
            .filter(e => e.offsetParent !== null).map(e => e.outerHTML).join('')""")

    def step():
        return player.locator(".widget-slider .widget-readout").first.inner_text()

    before, step_before = picture(), step()
    assert before, "the player shows no picture"

    # moving the slider changes the picture
    player.locator(".widget-slider .noUi-handle").first.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "([el, old]) => el.innerText !== old",
        arg=[player.locator(".widget-slider .widget-readout").first.element_handle(), step_before],
        timeout=5000,
    )
    assert step() != step_before
    after = picture()
    assert after and after != before, "moving the slider did not change the picture"

    # the Play button steps on by itself
    player.locator(".widget-slider .noUi-handle").first.focus()
    page.keyboard.press("Home")
    page.wait_for_timeout(200)
    start = step()
    player.locator(".widget-play button").first.click()
    page.wait_for_function(
        "([el, old]) => el.innerText !== old",
        arg=[player.locator(".widget-slider .widget-readout").first.element_handle(), start],
        timeout=10000,
    )

    assert not tab.unexpected_errors(), tab.unexpected_errors()
    failed = [u for u in tab.failed if not u.endswith(".html")]
    assert not failed, f"files that did not load: {failed}"
    if mode == "online":
        requested = tab.external_requests()
        for prefix in CDN:
            assert any(u.startswith(prefix) for u in requested), f"nothing loaded from {prefix}"
        assert not tab.unrouted, f"requests to other servers: {tab.unrouted}"
    else:
        assert not tab.external_requests(), (
            f"the offline site asked the network for {tab.external_requests()}"
        )


def test_search_finds_a_term(tab, site):
    mode, html = site
    page = tab.open(html, "search.html", "?q=backpropagation")
    page.wait_for_selector("ul.search li", timeout=30000)
    results = page.locator("ul.search li a").all_inner_texts()
    assert results, "search found nothing for 'backpropagation'"
    assert any("Glossary" in r or "Part IV" in r or "Gradient" in r for r in results), results
    if mode == "offline":
        assert not tab.external_requests(), tab.external_requests()


def test_welcome_page_typesets_and_stays_local(tab, site):
    mode, html = site
    page = tab.open(html, "index.html")
    page.wait_for_selector("article h1")
    assert "deep-learning framework" in page.locator("article h1").first.inner_text()
    assert page.locator("a[href*='parts/01_computational_graphs']").count() > 0 or not (html / PART1).exists()
    assert not tab.unexpected_errors(), tab.unexpected_errors()
    if mode == "offline":
        assert not tab.external_requests(), tab.external_requests()


# ------------------------------------------------------------------------- as a reader uses it


def part_pages(html):
    return [f"parts/{p.name}" for p in sorted((html / "parts").glob("*.html"))]


# What a reading of a page records, in the browser (axe-core must be on the page).
READ_PAGE = """async () => {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
        await MathJax.startup.promise;
    }
    await new Promise(r => setTimeout(r, 300));
    const axeResult = await axe.run(document, {resultTypes: ['violations'], preload: false});
    return {
        mathErrors: document.querySelectorAll('mjx-merror').length,
        violations: axeResult.violations
            .filter(v => v.impact === 'critical' || v.impact === 'serious')
            .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3)
                .map(n => n.target.join(' ')).join(' | ')),
        // each visible graph picture: its title and the rendered size of its smallest text
        graphText: [...document.querySelectorAll('svg.tensorslow-graph')]
            .filter(svg => svg.getBoundingClientRect().width > 0)
            .map(svg => {
                const scale = svg.getBoundingClientRect().width / svg.width.baseVal.value;
                const fonts = [...svg.querySelectorAll('text')].map(t => +t.getAttribute('font-size'));
                return [svg.querySelector('title').textContent, Math.min(...fonts) * scale];
            }),
    };
}"""


def read_pages(browser, html, names, viewport):
    """Open each page once, as a reader would, and record what it loaded and showed."""
    readings = {}
    for name in names:
        tab = Tab(browser, "offline", viewport)
        try:
            page = tab.open(html, name)
            page.wait_for_load_state("load")
            if "widget-view+json" in page.content():
                page.wait_for_selector(".widget-slider .noUi-handle", timeout=30000)
            page.add_script_tag(path=str(AXE))
            reading = page.evaluate(READ_PAGE)
            reading.update(
                failed=list(tab.failed),
                external=tab.external_requests(),
                errors=[e for e in tab.unexpected_errors() if "axe" not in e.lower()],
            )
            readings[name] = reading
        finally:
            tab.close()
    return readings


@pytest.fixture(scope="module")
def desktop_readings(browser, offline_site):
    """Every page of the offline site, read once at desktop width."""
    names = ["index.html", "glossary.html", "exercises.html", "api.html", "instructor_guide.html"]
    return read_pages(browser, offline_site, names + part_pages(offline_site), DESKTOP)


def test_every_page_of_the_offline_site_loads_all_it_needs(desktop_readings):
    """Each page finds every file it asks for (MathJax extensions, fonts, widget icons) locally,
    and nothing of the site's making reaches the console."""
    for name, reading in desktop_readings.items():
        assert reading["mathErrors"] == 0, f"{name}: MathJax could not typeset"
        assert not reading["failed"], f"{name}: files that did not load: {reading['failed']}"
        assert not reading["external"], f"{name}: asked the network for {reading['external']}"
        assert not reading["errors"], f"{name}: console: {reading['errors']}"


def test_graph_text_is_readable_at_desktop_width(desktop_readings):
    """Every graph picture (and every visible player frame) shows its text at MIN_FONT_PX
    (9 CSS pixels) or more in a desktop browser."""
    measured = 0
    for name, reading in desktop_readings.items():
        for title, size in reading["graphText"]:
            assert size >= MIN_FONT_PX - 0.05, f"{name}: '{title}' shows text at {size:.1f} px"
            measured += 1
    assert measured >= 10, f"only {measured} graph pictures found on the site"


def test_pages_are_accessible(desktop_readings, browser, offline_site):
    """axe-core finds nothing critical or serious: every page at desktop width, and on a phone
    the pages with the most to check (home, a player, the explorer)."""
    phone = read_pages(browser, offline_site, ["index.html", PART1, PART2], PHONE)
    problems = [
        f"{name} ({size}): {v}"
        for size, readings in (("desktop", desktop_readings), ("phone", phone))
        for name, reading in readings.items()
        for v in reading["violations"]
    ]
    problems += [f"{name} (phone): console: {e}" for name, r in phone.items() for e in r["errors"]]
    assert not problems, "\n".join(problems)


def test_a_picture_opens_at_full_size(browser, offline_site):
    """The button under a graph picture shows it at its natural size, and back."""
    name = "parts/05_multilayer_perceptrons.html"
    if not (offline_site / name).exists():
        pytest.skip("notebooks/05_multilayer_perceptrons.ipynb does not exist yet")
    tab = Tab(browser, "offline", PHONE)
    try:
        page = tab.open(offline_site, name)
        button = page.locator(".text_html button.ts-zoom").first
        picture = page.locator(".text_html .ts-picture svg").first
        natural = float(picture.get_attribute("width"))
        fitted = picture.bounding_box()["width"]
        assert fitted < natural, "on a phone the picture starts fitted to the page"
        button.click()
        assert button.get_attribute("aria-pressed") == "true"
        assert picture.bounding_box()["width"] == pytest.approx(natural, abs=1)
        button.click()
        assert picture.bounding_box()["width"] == pytest.approx(fitted, abs=1)
    finally:
        tab.close()


def on_screen(locator, viewport):
    """Shown and inside the window (the theme slides its drawers in from off-screen)."""
    box = locator.bounding_box() if locator.is_visible() else None
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 1


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_menu_opens_and_leads_to_a_part(browser, offline_site, viewport):
    """The ☰ button shows the list of parts (on a phone) or hides it (on a desktop), and back."""
    need_part1(offline_site)
    tab = Tab(browser, "offline", viewport)
    try:
        page = tab.open(offline_site, "index.html")
        page.wait_for_load_state("load")
        link = page.locator("nav.bd-links a[href*='01_computational_graphs']").first
        shown = on_screen(link, viewport)
        assert shown == (viewport is DESKTOP), "the list of parts starts open on a desktop only"
        toggle = page.locator(".primary-toggle:visible").first
        toggle.click()
        page.wait_for_timeout(500)
        assert on_screen(link, viewport) != shown, "the menu button did nothing"
        if viewport is PHONE:
            link.click()
            page.wait_for_url("**/01_computational_graphs.html")
        else:
            toggle.click()
            page.wait_for_timeout(500)
            assert on_screen(link, viewport)
        # the "Contents" button of a part's own sections
        page = tab.open(offline_site, PART1)
        page.wait_for_load_state("load")
        section = page.locator(".bd-toc-nav a").first
        if viewport is PHONE:
            assert not on_screen(section, viewport)
            page.locator(".secondary-toggle:visible").first.click()
            page.wait_for_timeout(500)
            assert on_screen(section, viewport), "the Contents button did nothing"
        else:
            assert on_screen(section, viewport), "a part's sections are listed beside it on a desktop"
        assert not tab.unexpected_errors(), tab.unexpected_errors()
    finally:
        tab.close()


@pytest.mark.parametrize(
    "mode, viewport", [("online", DESKTOP), ("offline", PHONE)], ids=["online-desktop", "offline-phone"]
)
def test_the_perceptron_explorer_works_without_a_kernel(browser, mode, viewport, request):
    html = request.getfixturevalue(f"{mode}_site")
    if not (html / PART2).exists():
        pytest.skip("notebooks/02_perceptrons.ipynb does not exist yet")
    tab = Tab(browser, mode, viewport)
    try:
        page = tab.open(html, PART2)
        explorer = page.locator(".ts-explorer")
        explorer.wait_for()
        readout = explorer.locator(".ts-readout")
        assert "P(blue) = σ(w·x + b) = 0.9933" in readout.inner_text()
        before = page.evaluate("() => document.querySelector('.ts-explorer canvas').toDataURL()")
        explorer.locator("input[name=b]").fill("-5")
        assert "= 0.5000" in readout.inner_text(), "σ(3 + 2 − 5) = σ(0) = 0.5"
        after = page.evaluate("() => document.querySelector('.ts-explorer canvas').toDataURL()")
        assert after != before, "the picture did not change"
        box = explorer.bounding_box()
        assert box["x"] + box["width"] <= viewport["width"] + 1, "the explorer runs off the page"
        assert readout.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), "the readout is clipped"
        assert not tab.unexpected_errors(), tab.unexpected_errors()
    finally:
        tab.close()


def test_players_without_their_widget_manager_show_a_frame_and_say_why(browser, online_site):
    """The default build opened with no internet: no player vanishes without a word."""
    need_part1(online_site)
    tab = Tab(browser, "online", DESKTOP, internet=False)
    try:
        page = tab.open(online_site, PART1)
        note = page.locator(".ts-widget-fallback-note").first
        note.wait_for(timeout=15000)
        assert "could not be loaded" in note.inner_text()
        fallback = page.locator(".ts-widget-fallback").first
        assert fallback.locator("svg.tensorslow-graph").count() == 1
        assert "step 0 of" in fallback.inner_text()
    finally:
        tab.close()


def test_the_student_notebook_downloads_over_file(browser, offline_site):
    need_part1(offline_site)
    tab = Tab(browser, "offline")
    try:
        page = tab.open(offline_site, PART1)
        with page.expect_download() as info:
            page.locator(".part-links a[download]").first.click()
        download = info.value
        assert download.suggested_filename == "01_computational_graphs.ipynb"
        notebook = json.loads(open(download.path(), encoding="utf-8").read())
        assert notebook["nbformat"] == 4
        assert "BEGIN SOLUTION" not in json.dumps(notebook)
    finally:
        tab.close()


def test_the_training_viewer_slider_reads_training_steps(browser, offline_site):
    """Part V's training viewer: its slider reads the step of each snapshot, as its caption does."""
    name = "parts/05_multilayer_perceptrons.html"
    if not (offline_site / name).exists():
        pytest.skip("notebooks/05_multilayer_perceptrons.ipynb does not exist yet")
    tab = Tab(browser, "offline")
    try:
        page = tab.open(offline_site, name)
        viewer = page.locator(".cell_output:has(.widget-slider):has(.ts-caption)").last
        viewer.locator(".noUi-handle").first.wait_for(timeout=30000)
        readout = viewer.locator(".widget-readout").first
        assert readout.inner_text().strip() == "0"
        caption = viewer.locator(".ts-caption:visible")
        last = re.match(r"step 0 of (\d+)", caption.inner_text()).group(1)
        viewer.locator(".noUi-handle").first.focus()
        page.keyboard.press("End")
        page.wait_for_function(
            f"el => el.innerText.trim() === '{last}'", arg=readout.element_handle(), timeout=5000
        )
        assert caption.inner_text().startswith(f"step {last} of {last}")
        assert viewer.locator(".noUi-handle").first.get_attribute("aria-label") == "step"
    finally:
        tab.close()


# ---------------------------------------------------------------- on a phone and on desktops
# No page is wider than a phone's screen (390 × 844), and Part VI's comparison tables fit their
# column at every width.

PART6 = "parts/06_real_frameworks.html"

# how wide the page is against the screen, and each table of the article against its box and column
MEASURE = """() => ({
    page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
    tables: [...document.querySelectorAll('article table')].map(t => {
        const box = t.closest('.pst-scrollable-table-container') || t.parentElement;
        return {scroll: box.scrollWidth, box: box.clientWidth,
                right: t.getBoundingClientRect().right, column: t.closest('article').getBoundingClientRect().right};
    }),
})"""


def measure(chromium, html, name, width, height=900):
    tab = Tab(chromium, "offline", {"width": width, "height": height})
    try:
        page = tab.open(html, name)
        page.wait_for_load_state("load")
        if page.evaluate("() => !!(window.MathJax && MathJax.startup && MathJax.startup.promise)"):
            page.evaluate("() => MathJax.startup.promise")  # typeset formulas have their final widths
        return page.evaluate(MEASURE)
    finally:
        tab.close()


def test_no_page_is_wider_than_a_phone(browser, offline_site):
    """Long inline code, API signatures and tables wrap or scroll in their own box: the page
    itself never scrolls sideways at 390 px."""
    names = ["index.html", "glossary.html", "exercises.html", "api.html", "instructor_guide.html"]
    wide = {}
    for name in names + part_pages(offline_site):
        scroll, client = measure(browser, offline_site, name, PHONE["width"], PHONE["height"])["page"]
        if scroll > client:
            wide[name] = f"{scroll} px wide on a {client} px screen"
    assert not wide, wide


@pytest.mark.parametrize("width", [PHONE["width"], 1024, 1280, 1440])
def test_part6_comparison_tables_fit_their_column(browser, offline_site, width):
    """Part VI's two comparison tables show every column without scrolling, on a phone and on
    desktops (on a phone their code breaks inside long names)."""
    reading = measure(browser, offline_site, PART6, width)
    assert len(reading["tables"]) >= 2, "Part VI's comparison tables were not found"
    for i, table in enumerate(reading["tables"]):
        assert table["scroll"] <= table["box"] + 1, f"table {i + 1} at {width} px: {table}"
        assert table["right"] <= table["column"] + 1, f"table {i + 1} at {width} px: {table}"
    assert reading["page"][0] <= reading["page"][1], reading["page"]
