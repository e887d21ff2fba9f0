"""Helpers for tests that open pages in headless Chromium through Playwright.

* ``chromium_executable()`` finds Chromium. Without it the calling test is
  skipped, except in CI (``CI`` set), where it is installed with apt-get or
  the test fails: CI must never pass by skipping the browser.
* ``widget_js_dir()`` gives a folder with the widget manager
  (``@jupyter-widgets/html-manager``) and ``require.js``, from the course's
  vendored copy if there is one, otherwise installed once with npm into a
  cache folder outside the repository.
* ``serve_offline(page, js_dir)`` answers the CDN requests of exported
  notebooks from that folder and blocks every other network request, so the
  page behaves the same with or without internet.
* ``open_browser()``: a context manager giving a Playwright browser.

Do not run ``playwright install``: it downloads its own browser.
"""

import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
HTML_MANAGER_VERSION = "1.0.15"
REQUIREJS_VERSION = "2.3.8"
REPO = Path(__file__).resolve().parent.parent


def _in_ci():
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def _unavailable(reason):
    """Skip on a learner's machine; fail in CI, where the tool must be there."""
    if _in_ci():
        pytest.fail(f"{reason} (CI is set, so this is an error rather than a skip)")
    pytest.skip(reason)


def _find_chromium():
    candidates = [os.environ.get("CHROMIUM_PATH")]
    candidates += [shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")]
    candidates.append("/usr/bin/chromium")
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def chromium_executable():
    """The path of a Chromium binary; installs Debian's ``chromium`` in CI if it is missing."""
    path = _find_chromium()
    if path is None and _in_ci() and shutil.which("apt-get"):
        sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
        for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
            subprocess.run(
                sudo + command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, timeout=900
            )
        path = _find_chromium()
    if path is None:
        _unavailable(
            "Chromium is not installed: run `apt-get install -y chromium` (Debian/Ubuntu) "
            "or set CHROMIUM_PATH to a Chromium binary"
        )
    return path


@contextmanager
def open_browser():
    """A headless Chromium driven by Playwright (skips if Playwright or Chromium is missing)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: pip install playwright (do not run `playwright install`)")
    executable = chromium_executable()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def _has_widget_js(folder):
    folder = Path(folder)
    return (folder / "@jupyter-widgets/html-manager/dist/embed-amd.js").is_file() and (
        folder / "requirejs/require.js"
    ).is_file()


def widget_js_dir():
    """A folder holding ``@jupyter-widgets/html-manager/dist/embed-amd.js`` and ``requirejs/require.js``."""
    for vendored in (
        REPO / "course/_vendor",
        REPO / "course/_vendor/node_modules",
        REPO / "course/_static_widgets",
        REPO / "course/widgets",
    ):
        if _has_widget_js(vendored):
            return vendored
    cache = Path(os.environ.get("TS_WIDGET_JS_CACHE", Path.home() / ".cache/tensorslow-edu/widget-js"))
    modules = cache / "node_modules"
    if _has_widget_js(modules):
        return modules
    npm = shutil.which("npm")
    if npm is None:
        _unavailable(
            "the widget manager's JavaScript is needed to test pages offline and npm is "
            "not installed to fetch it (apt-get install -y npm)"
        )
    cache.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            npm,
            "install",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(cache),
            f"@jupyter-widgets/html-manager@{HTML_MANAGER_VERSION}",
            f"requirejs@{REQUIREJS_VERSION}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0 or not _has_widget_js(modules):
        _unavailable(f"npm could not install the widget manager into {cache}:\n{result.stderr[-2000:]}")
    return modules


def serve_offline(page, js_dir):
    """Serve require.js and the widget manager from ``js_dir``; block all other network requests.

    Returns the list of blocked URLs, handy in assertion messages.
    """
    js_dir = Path(js_dir)
    manager = js_dir / "@jupyter-widgets/html-manager/dist"
    blocked = []

    def handle(route):
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            return route.continue_()
        name = url.split("?")[0].rsplit("/", 1)[-1]
        if "require" in name and name.endswith(".js") and "html-manager" not in url:
            return route.fulfill(
                path=str(js_dir / "requirejs/require.js"), content_type="application/javascript"
            )
        if "@jupyter-widgets/html-manager" in url and (manager / name).is_file():
            return route.fulfill(path=str(manager / name), content_type=_content_type(name))
        blocked.append(url)
        return route.abort()

    page.route("**/*", handle)
    return blocked


def _content_type(name):
    if name.endswith(".js"):
        return "application/javascript"
    if name.endswith(".css"):
        return "text/css"
    if name.endswith(".woff2"):
        return "font/woff2"
    return "application/octet-stream"
