"""Headless Chromium loads the built site from file://: the table renders, sorts, and logs no errors."""

from __future__ import annotations

import os

import pytest

from leaderboard.aggregate import build_leaderboard
from leaderboard.site.builder import MethodInfo, build_site
from leaderboard.statistics import BootstrapSettings
from tests.leaderboard.record_factory import HOSTILE, site_records
from tests.leaderboard.site.chromium import Browser, chromium_path, file_url

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None and not os.environ.get("CI"), reason="Debian chromium is not installed (.ci/run installs it)"),
]

ROWS = "Array.from(document.querySelectorAll('#overall-smoke tbody tr'))"


@pytest.fixture(scope="module")
def browser_and_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    build_site(build_leaderboard(site_records(), BootstrapSettings(reps=100)), out, [MethodInfo("nap", "NaP", "", "https://example.org")])
    with Browser() as browser:
        browser.open(file_url(out / "index.html"))
        yield browser, out


def column_values(browser, index):
    return browser.evaluate(f"{ROWS}.map(r => r.cells[{index}].dataset.sort)")


def test_overall_table_renders_one_row_per_method(browser_and_site):
    browser, _ = browser_and_site
    assert browser.evaluate("document.documentElement.dataset.sortable") == "ready"
    labels = browser.evaluate(f"{ROWS}.map(r => r.cells[1].dataset.sort)")
    assert sorted(labels) == sorted(["baseline", "nap", "reset_full", HOSTILE])
    shown = browser.evaluate(f"{ROWS}.map(r => r.cells[1].textContent.trim())")
    assert HOSTILE in shown and any(text.startswith("nap ") for text in shown)


def test_clicking_a_header_sorts_its_column_both_ways(browser_and_site):
    browser, _ = browser_and_site
    browser.evaluate("document.querySelectorAll('#overall-smoke thead button')[1].click()")
    names = browser.evaluate(f"{ROWS}.map(r => r.cells[1].dataset.sort)")
    assert names == sorted(names, key=str.lower) or names == sorted(names)
    iqm = "document.querySelectorAll('#overall-smoke thead button')[4].click()"
    browser.evaluate(iqm)
    descending = [float(v) for v in column_values(browser, 4)]
    assert descending == sorted(descending, reverse=True)
    browser.evaluate(iqm)
    ascending = [float(v) for v in column_values(browser, 4)]
    assert ascending == sorted(ascending) and ascending != descending


def test_hostile_label_shows_as_text_and_never_runs(browser_and_site):
    browser, _ = browser_and_site
    assert browser.evaluate("typeof window.pwned") == "undefined"
    assert browser.evaluate(f"document.body.textContent.includes({HOSTILE!r})")
    assert browser.evaluate("document.querySelectorAll('main script, main img[src=x]').length") == 0


def test_every_page_loads_its_plots_and_logs_no_console_errors(browser_and_site):
    browser, site = browser_and_site
    for page in sorted(site.glob("*.html")):
        browser.navigate(file_url(page))
        broken = browser.evaluate("Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length")
        assert broken == 0, page.name
    assert browser.console_errors() == []


def test_the_error_check_sees_console_errors_and_uncaught_exceptions(browser_and_site, tmp_path):
    browser, _ = browser_and_site
    page = tmp_path / "broken.html"
    page.write_text("<!doctype html><script>console.error('logged'); missingFunction();</script>")
    before = len(browser.console_errors())
    browser.navigate(file_url(page))
    found = browser.console_errors()[before:]
    assert any("logged" in e for e in found) and any("missingFunction" in e for e in found)


def benchmark_page(site):
    return next(site.glob("toy-*.html"))


def test_every_chart_is_drawn_at_1400px_with_a_plot_area_at_least_200px_tall(browser_and_site):
    browser, site = browser_and_site
    browser.set_width(1400)
    errors_before = len(browser.console_errors())
    browser.navigate(file_url(benchmark_page(site)))
    figures = browser.evaluate("document.querySelectorAll('figure.chart').length")
    assert figures == 5 and browser.evaluate("document.documentElement.dataset.charts") == "5"
    heights = browser.evaluate("Array.from(document.querySelectorAll('figure.chart .u-over')).map(e => e.getBoundingClientRect().height)")
    assert len(heights) == 5 and min(heights) >= 200
    legend_below = browser.evaluate(
        "Array.from(document.querySelectorAll('figure.chart')).every(f => f.querySelector('.u-legend').getBoundingClientRect().top"
        " >= f.querySelector('.u-over').getBoundingClientRect().bottom)"
    )
    assert legend_below
    assert browser.console_errors()[errors_before:] == []


def test_picking_methods_hides_the_others_in_every_chart_and_keeps_the_references(browser_and_site):
    browser, site = browser_and_site
    browser.navigate(file_url(benchmark_page(site)))
    browser.evaluate("document.querySelector('.picker button[data-pick=none]').click()")
    shown = browser.evaluate("Array.from(document.querySelectorAll('figure.chart')).map(f => Array.from(f.querySelectorAll('.u-legend tr.u-series:not(:first-child):not(.u-off) th')).map(t => t.textContent.trim()))")
    assert all(set(labels) <= {"baseline", "reset_full"} and "baseline" in labels for labels in shown[:1])
    browser.evaluate("document.querySelector('.picker input[data-method=\"nap\"]').click()")
    assert browser.evaluate("document.documentElement.dataset.picked") == "3"
    browser.evaluate("document.querySelector('.picker button[data-pick=all]').click()")
    assert browser.evaluate("document.documentElement.dataset.picked") == "4"


def test_every_page_kind_renders_at_1400px_for_a_screenshot(browser_and_site, tmp_path):
    browser, site = browser_and_site
    browser.set_width(1400)
    keep = os.environ.get("CLBENCH_SCREENSHOTS")
    errors_before = len(browser.console_errors())
    for page in ("index.html", benchmark_page(site).name, "methods.html"):
        browser.navigate(file_url(site / page))
        shot = browser.screenshot((tmp_path if not keep else __import__("pathlib").Path(keep)) / f"{page}.png")
        assert shot.stat().st_size > 10_000
    assert browser.console_errors()[errors_before:] == []
