"""Search spaces: each kind of dimension refuses a range it cannot sample, and a space says where it comes from."""

from __future__ import annotations

import pytest

from core.errors import MethodError
from core.search_space import Choice, FloatRange, IntRange, SearchSpace, nothing_to_tune, round_significant, step_size_dimension


@pytest.mark.parametrize("make", [lambda: FloatRange(0.0, 1.0, log=True), lambda: FloatRange(1.0, 0.5, log=True), lambda: FloatRange(1.0, 1.0),
                                  lambda: IntRange(2, 2), lambda: IntRange(0, 3, log=True), lambda: Choice((1,)), lambda: Choice((1, 1))])
def test_a_dimension_that_cannot_be_sampled_is_refused(make):
    with pytest.raises(MethodError):
        make()


def test_a_space_with_dimensions_must_cite_its_source_and_an_empty_one_must_say_why():
    with pytest.raises(MethodError, match="source"):
        SearchSpace({"strength": FloatRange(1e-5, 1e-1, log=True)})
    with pytest.raises(MethodError, match="why"):
        SearchSpace()
    assert nothing_to_tune("no hyperparameters").dimensions == {}


def test_a_space_naming_a_field_its_config_lacks_is_refused():
    space = SearchSpace({"strenght": FloatRange(1e-5, 1e-1, log=True)}, source="ours")
    with pytest.raises(MethodError, match="strenght"):
        space.check_fields({"strength"}, "method 'l2'")


def test_the_step_size_is_tuned_a_decade_either_side_of_the_benchmark_default():
    assert step_size_dimension(1e-3) == FloatRange(1e-4, 1e-2, log=True)


def test_sampled_numbers_keep_three_significant_digits():
    assert round_significant(0.0031622776) == 0.00316
    assert round_significant(123456.0) == 123000.0
    assert round_significant(0.0) == 0.0
