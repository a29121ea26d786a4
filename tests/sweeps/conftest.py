"""Fixtures for sweep tests: the faulty test methods, registered only for the tests that use them."""

from __future__ import annotations

import os

import pytest

from methods import base as method_registry


@pytest.fixture(scope="module")
def faulty_methods():
    """Register crash_worker, raise_in_run and poison_weights for one test module; remove them afterwards."""
    from tests.sweeps import faulty_methods as module

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(module.DRIVER_PID_VARIABLE, str(os.getpid()))
        module.register_all()
        yield module
        for name in module.FAULTY:
            method_registry._REGISTRY.pop(name, None)
