"""The course website: built with course/build.py, then read in headless Chromium.

Both builds are checked:

* online (the default): the widget manager and MathJax come from cdn.jsdelivr.net. There is
  no internet on the test machines, so the browser answers those CDN addresses with the
  files of course/_vendor/ (the same versions): this tests the default page's wiring.
* offline (`--offline`): nothing is routed, and no request may leave file://.

The builds go to temporary folders but share the execution cache with `make course`
(_build/.jupyter_cache), so notebooks run only when they or the library changed. Warnings
are errors.
"""

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .browser import open_browser

pytestmark = pytest.mark.site

REPO = Path(__file__).resolve().parent.parent
VENDOR = REPO / "course" / "_vendor"
PART1 = "parts/01_computational_graphs.html"

# CDN address prefix -> vendored folder with the same files
CDN = {
    "https://cdn.jsdelivr.net/npm/requirejs@2.3.8/": VENDOR / "requirejs",
    "https://cdn.jsdelivr.net/npm/@jupyter-widgets/html-manager@1.0.15/dist/":
        VENDOR / "@jupyter-widgets/html-manager/dist",
    "https://cdn.jsdelivr.net/npm/mathjax@3.2.2/es5/": VENDOR / "mathjax",
}

# Page errors that are not ours and do no harm:
# - Jupyter Book 1.x declares sphinx-thebe's `const THEBE_JS_URL` twice on every page;
# - over file:// the search page cannot fetch pages for its result summaries (CORS).
KNOWN_PAGE_ERRORS = ("THEBE_JS_URL", "Failed to fetch")

GLOSSARY_TERMS = [
    "computational graph", "node", "operation", "placeholder", "Variable", "session",
    "post-order traversal", "forward pass", "backpropagation", "gradient", "chain rule",
    "total derivative", "perceptron", "sigmoid", "softmax", "logits", "one-hot",
    "cross-entropy", "maximum likelihood", "learning rate", "gradient descent", "epoch",
    "hidden layer", "decision boundary", "broadcasting", "finite differences",
]


def build(out, offline):
    cmd = [sys.executable, str(REPO / "course" / "build.py"), "--out", str(out), "--strict"]
    if offline:
        cmd.append("--offline")
    start = time.time()
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, (
        f"the {'offline' if offline else 'online'} build failed:\n"
        + result.stdout[-6000:] + result.stderr[-3000:])
    html = out / "_build" / "html"
    last_line = result.stdout.strip().splitlines()[-1].strip()
    assert last_line == (html / "index.html").as_uri(), "the build must end with the site's address"
    print(f"built the {'offline' if offline else 'online'} site in {time.time() - start:.0f} s")
    return html


@pytest.fixture(scope="module")
def online_site(tmp_path_factory):
    return build(tmp_path_factory.mktemp("site-online"), offline=False)


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory):
    return build(tmp_path_factory.mktemp("site-offline"), offline=True)


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

    def __init__(self, browser, mode):
        self.page = browser.new_page(viewport={"width": 1280, "height": 1000})
        self.mode = mode
        self.requests, self.failed, self.errors, self.unrouted = [], [], [], []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        if mode == "online":
            self.page.route(re.compile(r"^https?://"), self._from_vendor)

    def _from_vendor(self, route):
        url = route.request.url
        for prefix, folder in CDN.items():
            if url.startswith(prefix):
                path = folder / url[len(prefix):].split("?")[0]
                if path.is_file():
                    return route.fulfill(path=str(path),
                                         headers={"Access-Control-Allow-Origin": "*"})
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


# ------------------------------------------------------------------------- the pages

def test_pages_exist(site):
    _, html = site
    for page in ("index.html", "exercises.html", "api.html", "glossary.html",
                 "instructor_guide.html", "search.html"):
        assert (html / page).is_file(), page
    parts = sorted(p.name for p in (html / "parts").glob("*.html"))
    toc = (REPO / "course" / "_toc.yml").read_text()
    stems = re.findall(r"file: parts/(\S+)", toc)
    notebooks = sorted(s + ".html" for s in stems if (REPO / "notebooks" / f"{s}.ipynb").exists())
    assert parts == notebooks, "every notebook of the table of contents that exists is a page"


def test_no_solution_is_published(site):
    _, html = site
    for path in html.rglob("*"):
        if path.suffix in (".html", ".ipynb", ".txt", ".js") and path.is_file():
            text = path.read_text(errors="ignore")
            assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, path


def test_each_part_offers_its_student_notebook(site):
    _, html = site
    parts = sorted((html / "parts").glob("*.html"))
    assert parts
    for page in parts:
        text = page.read_text()
        link = re.search(r'href="(\.\./_downloads/[0-9a-f]+/' + re.escape(page.stem)
                         + r'\.ipynb)"', text)
        assert link, f"{page.name} has no download link to its notebook"
        assert (page.parent / link.group(1)).resolve().is_file()
        assert "github.com/tensorslow-edu/tensorslow_edu" in text, "link to the source repository"


def test_glossary_and_api(site):
    _, html = site
    glossary = (html / "glossary.html").read_text()
    for term in GLOSSARY_TERMS:
        assert f'id="term-{term.replace(" ", "-")}"' in glossary, term
    api = (html / "api.html").read_text()
    for name in ("tensorslow_edu.graph.Session", "tensorslow_edu.graph.placeholder",
                 "tensorslow_edu.train.GradientDescentOptimizer", "tensorslow_edu.perceptron.sigmoid"):
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
    page.wait_for_function("([el, old]) => el.innerText !== old",
                           arg=[player.locator(".widget-slider .widget-readout").first.element_handle(),
                                step_before], timeout=5000)
    assert step() != step_before
    after = picture()
    assert after and after != before, "moving the slider did not change the picture"

    # the Play button steps on by itself
    player.locator(".widget-slider .noUi-handle").first.focus()
    page.keyboard.press("Home")
    page.wait_for_timeout(200)
    start = step()
    player.locator(".widget-play button").first.click()
    page.wait_for_function("([el, old]) => el.innerText !== old",
                           arg=[player.locator(".widget-slider .widget-readout").first.element_handle(),
                                start], timeout=10000)

    assert not tab.unexpected_errors(), tab.unexpected_errors()
    failed = [u for u in tab.failed if not u.endswith(".html")]
    assert not failed, f"files that did not load: {failed}"
    if mode == "online":
        requested = tab.external_requests()
        for prefix in CDN:
            assert any(u.startswith(prefix) for u in requested), f"nothing loaded from {prefix}"
        assert not tab.unrouted, f"requests to other servers: {tab.unrouted}"
    else:
        assert not tab.external_requests(), \
            f"the offline site asked the network for {tab.external_requests()}"


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
    assert page.locator("a[href*='parts/01_computational_graphs']").count() > 0 or \
        not (html / PART1).exists()
    assert not tab.unexpected_errors(), tab.unexpected_errors()
    if mode == "offline":
        assert not tab.external_requests(), tab.external_requests()


def test_every_page_of_the_offline_site_loads_all_it_needs(browser, offline_site):
    """Each page finds every file it asks for (MathJax extensions, fonts, widget icons) locally."""
    pages = ["index.html", "glossary.html", "exercises.html", "api.html"]
    pages += [f"parts/{p.name}" for p in sorted((offline_site / "parts").glob("*.html"))]
    for name in pages:
        tab = Tab(browser, "offline")
        try:
            page = tab.open(offline_site, name)
            page.wait_for_load_state("load")
            page.evaluate("""async () => {
                if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
                    await MathJax.startup.promise;
                }
                await new Promise(r => setTimeout(r, 500));
            }""")
            assert page.locator("mjx-merror").count() == 0, f"{name}: MathJax could not typeset"
            assert not tab.failed, f"{name}: files that did not load: {tab.failed}"
            assert not tab.external_requests(), f"{name}: asked the network for {tab.external_requests()}"
            assert not tab.unexpected_errors(), f"{name}: {tab.unexpected_errors()}"
        finally:
            tab.close()
