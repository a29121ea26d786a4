"""Records name the processor and MKL's kernel mode: both change the low digits of a run (docs/sweeps.md)."""

from __future__ import annotations

import platform

from benchmarks import provenance
from benchmarks.provenance import cpu_model

CPUINFO = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC  9654 96-Core Processor
flags\t\t: fpu vme avx2 avx512f

processor\t: 1
model name\t: AMD EPYC  9654 96-Core Processor
"""


def test_the_cpu_model_is_read_from_cpuinfo_with_its_spacing_normalised(tmp_path):
    (tmp_path / "cpuinfo").write_text(CPUINFO)
    assert cpu_model(tmp_path / "cpuinfo") == "AMD EPYC 9654 96-Core Processor"


def test_without_cpuinfo_the_cpu_model_is_what_platform_knows_or_none(tmp_path):
    assert cpu_model(tmp_path / "missing") == (platform.processor() or None)


def test_a_record_environment_carries_the_cpu_model_and_mkl_cbwr_off_when_unset(monkeypatch):
    monkeypatch.setattr(provenance, "_ENVIRONMENT", None)
    monkeypatch.setenv("MKL_CBWR", "AVX2")
    pinned = provenance.environment()
    monkeypatch.setattr(provenance, "_ENVIRONMENT", None)
    monkeypatch.delenv("MKL_CBWR")
    unpinned = provenance.environment()
    assert pinned.cpu_model == unpinned.cpu_model == cpu_model()
    assert (pinned.mkl_cbwr, unpinned.mkl_cbwr) == ("AVX2", "OFF")
