"""The static site (leaderboard/site/builder.py): pages, plots and exports on disk; record strings escaped; paper links safe."""

from __future__ import annotations

import csv
import json
import re

import pytest

from leaderboard.aggregate import build_leaderboard
from leaderboard.site.builder import MethodInfo, build_site
from leaderboard.statistics import BootstrapSettings
from tests.leaderboard.record_factory import make_record, site_records


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    methods = [
        MethodInfo("nap", "Normalize-and-Project.", "Lyle et al. 2024", "https://arxiv.org/abs/2407.01800"),
        MethodInfo("baseline", "No intervention.", "", "javascript:alert(1)"),
    ]
    build_site(build_leaderboard(site_records(), BootstrapSettings(reps=100)), out, methods)
    return out


def test_site_has_an_index_a_page_per_benchmark_and_a_methods_page(site):
    pages = sorted(p.name for p in site.glob("*.html"))
    assert "index.html" in pages and "methods.html" in pages
    assert len([p for p in pages if p.startswith(("toy-", "regression-"))]) == 2


def test_every_table_has_csv_and_markdown_exports(site):
    html = (site / "index.html").read_text() + "".join(p.read_text() for p in site.glob("toy-*.html"))
    for table_id in [part.split('"')[0] for part in html.split('<table class="sortable" id="')[1:]]:
        assert (site / "exports" / f"{table_id}.csv").exists() and (site / "exports" / f"{table_id}.md").exists()


def test_csv_export_expands_each_interval_into_three_columns(site):
    rows = list(csv.DictReader((site / "exports" / "overall-smoke.csv").open()))
    baseline = next(r for r in rows if r["method"] == "baseline")
    assert float(baseline["normalised_iqm_ci_low"]) <= float(baseline["normalised_iqm"]) <= float(baseline["normalised_iqm_ci_high"])


def chart_data(page: str) -> list[dict]:
    block = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', page, re.S).group(1)
    return json.loads(block)


def test_benchmark_page_has_a_chart_for_each_task_metric_and_diagnostic_and_a_profile(site):
    page = next(site.glob("toy-*.html")).read_text()
    charts = chart_data(page)
    assert [c["title"] for c in charts] == ["online_accuracy", "dormant_fraction@0.1", "srank", "weight_norm", "Performance profile"]
    assert len(re.findall(r'<figure class="chart" data-chart="', page)) == len(charts)
    for chart in charts:
        assert all(len(series["y"]) == len(chart["x"]) for series in chart["series"])


def test_baseline_and_reset_full_are_reference_series_drawn_first_and_not_in_the_picker(site):
    page = next(site.glob("toy-*.html")).read_text()
    (accuracy, *_) = chart_data(page)
    assert [(s["method"], s.get("reference", False)) for s in accuracy["series"][:2]] == [("baseline", True), ("reset_full", True)]
    assert not any(s.get("reference") for s in accuracy["series"][2:])
    picked = re.findall(r'data-method="([^"]*)"', page)
    assert "baseline" not in picked and "reset_full" not in picked and "nap" in picked


def test_the_overview_has_the_interval_estimates_and_the_methods_by_benchmarks_heatmap(site):
    index = (site / "index.html").read_text()
    for name in ("overall-smoke-intervals.svg", "overall-smoke-heatmap.svg"):
        assert f"plots/{name}" in index and (site / "plots" / name).stat().st_size > 1000


def test_a_benchmark_without_diagnostics_says_so_instead_of_failing(site):
    page = next(site.glob("regression-*.html")).read_text()
    assert "No diagnostics recorded." in page and "no chance level" in page


def test_hostile_method_label_is_escaped_on_every_page_and_in_the_plots(site):
    for path in [*site.glob("*.html"), *site.glob("plots/*.svg")]:
        text = path.read_text()
        assert "<script>window" not in text and "<img src=x" not in text, path.name
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in (site / "index.html").read_text()


def test_hostile_method_label_is_escaped_in_every_markdown_export_of_the_site(site):
    exports = sorted(site.glob("exports/*.md"))
    assert exports
    for path in exports:
        text = path.read_text()
        assert "<script>" not in text and "<img src=x" not in text, path.name
    assert "&lt;script>window.pwned=1&lt;/script>" in (site / "exports" / "leaderboard.md").read_text()


def test_methods_page_links_papers_but_never_a_javascript_url(site):
    page = (site / "methods.html").read_text()
    assert 'href="https://arxiv.org/abs/2407.01800"' in page
    assert 'href="javascript' not in page


def test_pages_load_nothing_from_the_network(site):
    for path in site.glob("*.html"):
        text = path.read_text()
        assert "http://" not in text.replace('href="https://arxiv.org', "") and "src=\"http" not in text and "//cdn" not in text


def test_a_versioned_label_links_its_method_and_shows_its_version(tmp_path):
    records = [make_record("nap", 0, [0.5, 0.4]), make_record("nap", 0, [0.5, 0.6], method_version="2")]
    build_site(build_leaderboard(records, BootstrapSettings(reps=100)), tmp_path, [MethodInfo("nap", "NaP.")])
    page = next(tmp_path.glob("toy-*.html")).read_text()
    assert '<a href="methods.html#m-nap">nap</a> v1' in page and '<a href="methods.html#m-nap">nap</a> v2' in page


def test_each_row_shows_the_reproduction_status_of_its_own_method_version(tmp_path):
    records = [make_record("soft_reset", 0, [0.5, 0.4]), make_record("soft_reset", 0, [0.5, 0.6], method_version="2")]
    build_site(build_leaderboard(records, BootstrapSettings(reps=100)), tmp_path, [MethodInfo("soft_reset", "Soft resets.", version="2")])
    page = next(tmp_path.glob("toy-*.html")).read_text()
    assert '<a href="methods.html#m-soft_reset">soft_reset</a> v1 ✘' in page
    assert '<a href="methods.html#m-soft_reset">soft_reset</a> v2 ✔' in page


def test_a_method_row_shows_its_reproduction_status_after_its_name(site):
    from leaderboard.claims import SYMBOLS, method_statuses, overall_verdict

    symbol = SYMBOLS[overall_verdict(s.verdict for s in method_statuses()["nap"])]
    assert f'methods.html#m-nap">nap</a> {symbol}</td>' in (site / "index.html").read_text()
