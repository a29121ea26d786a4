"""`clbench methods list|show` and `clbench benchmarks list`: names, citations, hyperparameters, families, presets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks import base
from tests.cli_runner import run_cli

REPO = Path(__file__).resolve().parents[2]


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


def piped_env() -> dict[str, str]:
    """The environment of `clbench ... | grep`: 80 columns, and nothing that tells rich to act as if on a terminal."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    return {**env, "COLUMNS": "80"}


def test_benchmarks_list_piped_to_grep_prints_the_whole_row_of_random_label_mnist():
    listed = subprocess.run([sys.executable, "-m", "clbench.cli", "benchmarks", "list"], capture_output=True, text=True,
                            env=piped_env(), cwd=REPO, check=True, timeout=120)
    (row,) = [line for line in listed.stdout.splitlines() if "random-label-mnist" in line]
    name, version, presets, offline, role, description = row.split("\t")
    assert (name, offline, role) == ("random-label-mnist", "yes", "plasticity") and "smoke" in presets
    assert description == base.get("random-label-mnist").description


def test_methods_list_piped_prints_a_header_then_one_tab_separated_row_per_method():
    lines = run_cli("methods", "list").stdout.splitlines()
    assert lines[:2] == ["# methods", "name\tversion\tdescription"]
    names = [line.split("\t")[0] for line in lines[2:]]
    assert names == [row["name"] for row in json.loads(run_cli("methods", "list", "--json").stdout)]
    assert all(line.count("\t") == 2 for line in lines[1:])


def test_methods_show_piped_prints_its_hyperparameters_one_per_line():
    lines = run_cli("methods", "show", "redo").stdout.splitlines()
    header = lines.index("field\ttype\tdefault\ttuned over")
    assert lines[header + 1].split("\t")[:3] == ["tau", "a number", "0.1"]
