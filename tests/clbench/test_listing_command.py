"""`clbench methods list|show` and `clbench benchmarks list`: names, citations, hyperparameters, families, presets."""

from __future__ import annotations

import json

from tests.cli_runner import run_cli


def test_methods_list_json_names_the_foundation_methods():
    result = run_cli("methods", "list", "--json")
    assert result.exit_code == 0, result.output
    names = {row["name"] for row in json.loads(result.stdout)}
    assert {"baseline", "reset_full"} <= names


def test_methods_list_shows_every_first_wave_method():
    listed = {row["name"] for row in json.loads(run_cli("methods", "list", "--json").stdout)}
    assert {
        "baseline", "layernorm", "weight_decay", "ln_wd", "nap", "reset_full", "reset_head", "reset_lastk",
        "shrink_perturb", "soft_reset", "redo", "cbp", "l2_init", "injection", "tam", "adatam",
    } <= listed


def test_show_prints_citation_defaults_and_families():
    result = run_cli("methods", "show", "parseval")
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "Chung, Cherif, Meger, Precup 2024" in out and "https://arxiv.org/abs/2412.07224" in out
    assert "strength" in out and "0.001" in out and "scale" in out
    assert "applies to: atari, regression, supervised" in out


def test_show_json_lists_each_hyperparameter_with_type_and_default():
    result = run_cli("methods", "show", "crelu", "--json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["hyperparameters"] == [{"field": "units", "type": "a number", "default": "0.5"}]
    assert info["roles"] == ["activation"] and info["paper_url"].startswith("https://")


def test_show_describes_an_avalanche_plugin_and_its_supervised_scope():
    info = json.loads(run_cli("methods", "show", "avalanche:ewc", "--json").stdout)
    assert info["families"] == ["supervised"]
    assert {row["field"]: row["default"] for row in info["hyperparameters"]} == {
        "ewc_lambda": "1.0", "mode": "online", "decay_factor": "1.0"}
    assert "Kirkpatrick" in info["citation"]


def test_show_unknown_method_exits_2_with_a_suggestion():
    result = run_cli("methods", "show", "parsevl")
    assert result.exit_code == 2
    assert "did you mean 'parseval'" in result.stderr
    assert "Traceback" not in result.output


def test_methods_list_includes_the_avalanche_plugins():
    names = {row["name"] for row in json.loads(run_cli("methods", "list", "--json").stdout)}
    expected = {"parseval", "crelu", "fourier_features", "trac", "kron", "l2"}
    expected |= {f"avalanche:{n}" for n in ("ewc", "si", "lwf", "replay", "mas")}
    assert expected <= names


def test_square_brackets_in_descriptions_are_printed_not_read_as_markup():
    listed = " ".join(run_cli("methods", "list", "fourier_features").stdout.split())
    shown = " ".join(run_cli("methods", "show", "fourier_features").stdout.split())
    assert "[sin z, cos z]" in listed and "[sin z, cos z]" in shown


def test_benchmarks_list_json_includes_permuted_mnist_with_presets():
    result = run_cli("benchmarks", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert {"smoke", "quick", "paper"} <= set(rows["permuted-mnist"]["presets"])
