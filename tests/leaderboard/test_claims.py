"""The reproduction table (leaderboard/claims.py): every committed verdict is what today's code recomputes from its
bundle, docs/reproductions.md is what the claims render, and the measures and rules compute what they say."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from leaderboard import claims
from leaderboard.claims import (
    Above,
    Below,
    Change,
    Claim,
    ClaimError,
    Diagnostic,
    Difference,
    Final,
    HeadlineScore,
    Improvement,
    Mean,
    Outcome,
    RelativeDrift,
    TaskMetric,
    Within,
)
from leaderboard.statistics import BootstrapSettings, Estimate
from tests.leaderboard.record_factory import make_record

FAST = BootstrapSettings(reps=200)
DECLINE = [0.9] + [0.8] * 10 + [0.6] * 7 + [0.5] * 2
"""20 tasks: tasks 2–11 average 0.8, the final 10% (two tasks) 0.5, so final − early is −0.3."""


@pytest.fixture(scope="module")
def committed() -> list[Outcome]:
    return claims.evaluate_committed()


def toy_claim(measure, rule=Above(0.0), **fields) -> Claim:
    values = dict(id="toy-claim", kind="method", paper="Toy et al.", source="Fig. 1", statement="A toy claim.",
                  subject="nap", benchmark="toy", preset="smoke", seeds=3, measure=measure, rule=rule,
                  bundle="toy.json.gz", recorded="holds")
    return Claim(**{**values, **fields})


def test_every_committed_verdict_is_what_todays_code_recomputes_from_its_bundle(committed):
    moved = [f"{o.claim_id}: recorded {claims.CLAIMS[o.claim_id].recorded!r}, recomputed {o.verdict!r} ({o.figure})"
             for o in committed if o.verdict != claims.CLAIMS[o.claim_id].recorded]
    assert not moved, ("verdicts moved; if on purpose, set Claim.recorded in leaderboard/claims.py and run "
                       "`python -m leaderboard.claims`:\n" + "\n".join(moved))


def test_docs_reproductions_table_is_what_the_claims_render_from_the_committed_bundles(committed):
    document = claims.DOC_PATH.read_text(encoding="utf-8")
    assert claims.generated_part(document) == claims.render_markdown(committed), \
        "docs/reproductions.md is out of date: run `python -m leaderboard.claims`"


def test_the_table_decides_at_least_twelve_claims_over_benchmarks_diagnostics_and_methods(committed):
    tested = [claims.CLAIMS[o.claim_id] for o in committed if o.verdict != "untested"]
    assert len(tested) >= 12
    assert {c.kind for c in tested} == {"benchmark", "diagnostic", "method"}
    assert sum(c.paper.startswith("Lyle et al. 2024 (NaP") for c in tested) >= 3


def test_every_claim_that_does_not_hold_says_whether_implementation_or_scale_is_at_fault():
    for claim in claims.CLAIMS.values():
        if claim.recorded in ("does not hold", "holds in part"):
            assert re.match(r"(implementation|scale)", claim.why), claim.id


def test_every_claim_has_a_kebab_id_a_figure_or_says_its_number_is_not_stated_and_runs_its_subject():
    for claim in claims.CLAIMS.values():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", claim.id), claim.id
        assert re.search(r"Fig\. \d|Table \d|not stated", claim.source), claim.id
        assert claim.subject in claim.methods, claim.id
        assert f"--methods {','.join(claim.methods)} --seeds {claim.seeds} --preset {claim.preset}" in claim.command()


def test_a_claim_whose_bundle_is_not_committed_is_untested_with_the_command_that_would_test_it(tmp_path):
    claim = claims.CLAIMS["nap-beats-baseline"]
    (outcome,) = claims.evaluate_committed([claim], evidence_dir=tmp_path)
    assert outcome.verdict == "untested" and outcome.estimate is None
    assert outcome.reason == f"evidence not committed yet: {claim.command()}"


def test_claims_module_imports_neither_torch_nor_benchmarks_nor_methods():
    code = ("import sys, leaderboard.claims; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'benchmarks', 'methods'}))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"


def test_above_holds_when_the_interval_clears_the_threshold_and_in_part_when_only_the_point_does():
    rule = Above(0.5)
    assert rule.verdict(Estimate(0.8, 0.6, 0.9)) == "holds"
    assert rule.verdict(Estimate(0.6, 0.4, 0.8)) == "holds in part"
    assert rule.verdict(Estimate(0.5, 0.2, 0.9)) == "does not hold"


def test_below_mirrors_above():
    rule = Below(0.0)
    assert rule.verdict(Estimate(-0.3, -0.4, -0.1)) == "holds"
    assert rule.verdict(Estimate(-0.1, -0.3, 0.1)) == "holds in part"
    assert rule.verdict(Estimate(0.1, -0.1, 0.2)) == "does not hold"


def test_within_holds_only_when_the_whole_interval_lies_inside_the_margin():
    rule = Within(0.02)
    assert rule.verdict(Estimate(-0.002, -0.004, 0.001)) == "holds"
    assert rule.verdict(Estimate(0.01, -0.01, 0.03)) == "holds in part"
    assert rule.verdict(Estimate(0.05, 0.03, 0.07)) == "does not hold"


def test_change_is_the_final_tenth_of_tasks_minus_tasks_two_to_eleven():
    record = make_record("baseline", 0, DECLINE)
    assert Change(TaskMetric("online_accuracy")).of(record) == pytest.approx(-0.3)
    assert Final(TaskMetric("online_accuracy")).of(record) == pytest.approx(0.5)


def test_a_diagnostic_series_takes_each_tasks_last_point():
    record = make_record("baseline", 0, [0.5, 0.5], diagnostics={"dead_fraction": [0.1, 0.4]})
    late = record.diagnostics[0].model_copy(update={"step": 5, "values": {"dead_fraction": 0.9}})
    record = record.model_copy(update={"diagnostics": [late, *record.diagnostics]})
    assert Diagnostic("dead_fraction").values(record) == [0.1, 0.4]


def test_relative_drift_is_the_largest_relative_change_of_any_layer_from_first_to_last_task():
    record = make_record("nap", 0, [0.5, 0.5, 0.5], diagnostics={
        "weight_norm/hidden.0": [2.0, 2.0, 2.02], "weight_norm/hidden.1": [4.0, 3.0, 3.98], "weight_norm/output": [1.0, 5.0, 9.0]})
    assert RelativeDrift("weight_norm/hidden.").of(record) == pytest.approx(0.01)


def test_mean_of_a_change_over_seeds_has_the_hand_computed_point():
    runs = {"baseline": [make_record("baseline", s, [x - 0.1 * s for x in DECLINE]) for s in range(3)]}
    estimate = Mean("baseline", Change(TaskMetric("online_accuracy"))).estimate(runs, FAST)
    assert estimate.point == pytest.approx(-0.3) and estimate.low == pytest.approx(-0.3) and estimate.high == pytest.approx(-0.3)


def test_difference_is_the_mean_of_one_method_minus_the_mean_of_the_other():
    runs = {"nap": [make_record("nap", s, [0.5, x]) for s, x in enumerate([0.6, 0.7, 0.8])],
            "baseline": [make_record("baseline", s, [0.5, x]) for s, x in enumerate([0.2, 0.3, 0.4])]}
    estimate = Difference("nap", "baseline", HeadlineScore()).estimate(runs, FAST)
    assert estimate.point == pytest.approx(0.4)
    assert 0.2 <= estimate.low <= estimate.point <= estimate.high <= 0.6


def test_improvement_is_one_when_every_run_beats_every_baseline_run():
    runs = {"nap": [make_record("nap", s, [0.5, x]) for s, x in enumerate([0.6, 0.7])],
            "baseline": [make_record("baseline", s, [0.5, x]) for s, x in enumerate([0.2, 0.3])]}
    assert Improvement("nap").estimate(runs, FAST).as_list() == [1.0, 1.0, 1.0]


def test_evaluate_labels_runs_with_their_versions_and_applies_the_rule():
    records = [make_record("nap", s, [0.5, x], method_version="2") for s, x in enumerate([0.6, 0.7])]
    records += [make_record("baseline", s, [0.5, x]) for s, x in enumerate([0.2, 0.3])]
    outcome = claims.evaluate(toy_claim(Improvement("nap"), Above(0.5)), records, FAST)
    assert outcome.verdict == "holds" and outcome.figure == "1.00 [1.00, 1.00]"
    assert outcome.runs == {"nap v2": 2, "baseline v1": 2} and outcome.protocol == "toy v1 (smoke)"


def test_a_claim_with_fewer_than_two_scored_seeds_of_a_method_is_untested():
    records = [make_record("nap", 0, [0.5, 0.6]), make_record("nap", 1, [0.5, 0.6], status="diverged")]
    records += [make_record("baseline", s, [0.5, 0.3]) for s in range(2)]
    outcome = claims.evaluate(toy_claim(Improvement("nap")), records, FAST)
    assert outcome.verdict == "untested" and "fewer than two scored seeds of nap" in outcome.reason


def test_a_claim_refuses_runs_of_one_method_at_two_versions():
    records = [make_record("nap", 0, [0.5, 0.6]), make_record("nap", 1, [0.5, 0.6], method_version="2")]
    with pytest.raises(ClaimError, match="nap ran with 2 versions or configs"):
        claims.claim_runs(toy_claim(Mean("nap", HeadlineScore())), records)


def test_an_unknown_claim_id_names_the_closest_and_lists_the_valid_ones():
    with pytest.raises(ClaimError) as error:
        claims.get("nap-beats-baselin")
    assert "did you mean 'nap-beats-baseline'?" in str(error.value)
    assert all(claim_id in str(error.value) for claim_id in claims.CLAIMS)


def test_a_rerun_agrees_by_verdict_and_overlapping_intervals_not_by_digits():
    committed = Outcome("x", "holds", Estimate(0.30, 0.20, 0.40), runs={"nap v1": 3})
    assert claims.agreement(committed, Outcome("x", "holds", Estimate(0.35, 0.25, 0.45), runs={"nap v1": 3})) == "agrees"
    assert claims.agreement(committed, Outcome("x", "holds", Estimate(0.60, 0.50, 0.70), runs={"nap v1": 3})).startswith(
        "same verdict; the 95% CIs do not overlap")
    differs = claims.agreement(committed, Outcome("x", "does not hold", Estimate(0.0, -0.1, 0.1), runs={"nap v2": 3}))
    assert differs.startswith("differs: ✔ committed, ✘ rerun") and "method versions differ" in differs
    assert claims.agreement(Outcome("x", "untested"), committed) == "new: nothing committed to compare with"


def test_a_methods_status_is_its_claims_recorded_verdicts_combined():
    assert claims.overall_verdict(["holds", "holds", "untested"]) == "holds"
    assert claims.overall_verdict(["holds", "does not hold"]) == "holds in part"
    assert claims.overall_verdict(["does not hold", "untested"]) == "does not hold"
    assert claims.overall_verdict(["untested"]) == "untested"
    statuses = claims.method_statuses()
    assert [s.claim_id for s in statuses["nap"]] == [c.id for c in claims.CLAIMS.values() if c.subject == "nap"]
    assert statuses["soft_reset"][0].symbol == "✘"


def test_a_versions_status_comes_only_from_the_claims_about_that_version():
    statuses = [claims.ClaimStatus("old", "does not hold", "", "1"), claims.ClaimStatus("new", "holds", "", "2"),
                claims.ClaimStatus("newer", "untested", "", "10")]
    assert claims.status_of_version(statuses, "1") == "does not hold"
    assert claims.status_of_version(statuses, "2") == "holds"
    assert claims.status_of_version(statuses, "3") == "untested"
    assert claims.status_of_version(statuses) == "untested"
    assert claims.status_of_version(statuses[:2]) == "holds"
    soft_reset = claims.method_statuses()["soft_reset"]
    assert claims.status_of_version(soft_reset, "1") == "does not hold" and claims.status_of_version(soft_reset, "2") == "holds"


def test_each_claim_is_about_the_version_its_bundle_ran_or_else_the_registered_one():
    from leaderboard.bundle import read_bundle
    from methods import base

    bundles: dict[str, list] = {}
    for claim in claims.CLAIMS.values():
        path = claims.EVIDENCE_DIR / claim.bundle
        records = bundles.setdefault(claim.bundle, read_bundle(path) if path.exists() else [])
        ran = {r.method_version for r in claims.claim_runs(claim, records)[claim.subject]}
        assert ran <= {claim.version}, f"{claim.id}: the bundle ran {claim.subject} {sorted(ran)}, the claim says v{claim.version}"
        if not ran:
            assert claim.version == str(base.get(claim.subject).version), claim.id


@pytest.fixture(scope="module")
def methods_page(tmp_path_factory) -> str:
    from leaderboard.aggregate import build_leaderboard
    from leaderboard.site.builder import MethodInfo, build_site
    from tests.leaderboard.record_factory import site_records

    out = tmp_path_factory.mktemp("site")
    given = [MethodInfo("nap", "Normalize-and-Project."), MethodInfo("soft_reset", "Soft resets.", version="2"),
             MethodInfo("toy_method", "No claims."),
             MethodInfo("cbp", "Given statuses.", reproductions=(claims.ClaimStatus("x-claim", "holds in part", "A claim."),))]
    build_site(build_leaderboard(site_records(), BootstrapSettings(reps=100)), out, given)
    return (out / "methods.html").read_text(encoding="utf-8")


def test_the_methods_page_shows_each_methods_reproduction_status_and_links_its_claims(methods_page):
    nap = methods_page.split('id="m-nap"')[1].split("</dd>")[0]
    assert '<span class="reproduction" title="reproduction status of v1">◐</span>' in nap
    for status in claims.method_statuses()["nap"]:
        assert f'docs/reproductions.md#{status.claim_id}">{status.claim_id}</a>' in nap


def test_the_methods_page_shows_the_current_versions_status_and_labels_each_claims_version(methods_page):
    soft_reset = methods_page.split('id="m-soft_reset"')[1].split("</dd>")[0]
    assert '<span class="reproduction" title="reproduction status of v2">✔</span>' in soft_reset
    assert "✘ v1 <a" in soft_reset and "✔ v2 <a" in soft_reset


def test_a_method_without_claims_is_untested_and_statuses_given_by_the_caller_are_kept(methods_page):
    toy = methods_page.split('id="m-toy_method"')[1].split("</dd>")[0]
    assert "untested</span>" in toy and "no claim about it" in toy
    cbp = methods_page.split('id="m-cbp"')[1].split("</dd>")[0]
    assert "◐</span>" in cbp and "x-claim" in cbp and "cbp-keeps-plasticity" not in cbp
