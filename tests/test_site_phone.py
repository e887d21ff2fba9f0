"""The course website on a phone (390 × 844) and on desktops: no page is wider than a phone's
screen, and Part VI's comparison tables fit their column at every width.

The built site and the browser are those of test_site.py (its fixtures, imported), so the site
is built once per module and from the same execution cache.
"""

import pytest

from .test_site import PHONE, Tab, browser, offline_site, part_pages  # noqa: F401 (fixtures)

pytestmark = pytest.mark.site

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


def test_no_page_is_wider_than_a_phone(browser, offline_site):  # noqa: F811
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
def test_part6_comparison_tables_fit_their_column(browser, offline_site, width):  # noqa: F811
    """Part VI's two comparison tables show every column without scrolling, on a phone and on
    desktops (on a phone their code breaks inside long names)."""
    reading = measure(browser, offline_site, PART6, width)
    assert len(reading["tables"]) >= 2, "Part VI's comparison tables were not found"
    for i, table in enumerate(reading["tables"]):
        assert table["scroll"] <= table["box"] + 1, f"table {i + 1} at {width} px: {table}"
        assert table["right"] <= table["column"] + 1, f"table {i + 1} at {width} px: {table}"
    assert reading["page"][0] <= reading["page"][1], reading["page"]
