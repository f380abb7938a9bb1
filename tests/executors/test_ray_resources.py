"""What a Ray cluster must have for the per-job resources (no Ray needed: the arithmetic)."""

from __future__ import annotations

import pytest

from rung.errors import ConfigurationError
from rung.executors.ray import _slots

CLUSTER = {"CPU": 2.0, "GPU": 1.0, "TPU": 4.0}


def test_jobs_at_once_is_the_scarcest_resource() -> None:
    assert _slots(CLUSTER, 1, 0, None) == 2
    assert _slots(CLUSTER, 0.5, 0.5, None) == 2
    assert _slots(CLUSTER, 1, 0, {"TPU": 1}) == 2
    assert _slots(CLUSTER, 0.25, 0, {"TPU": 1}) == 4


@pytest.mark.parametrize(("cpus", "gpus", "extra", "named"), [
    (4, 0, None, "4 CPU (resources_per_job's 'cpu' / num_cpus)"),
    (1, 2, None, "2 GPU (resources_per_job's 'gpu' / num_gpus)"),
    (1, 0, {"TPU": 8}, "8 TPU (resources_per_job)"),
])
def test_a_resource_the_cluster_lacks_is_named_with_where_it_was_asked(
        cpus: float, gpus: float, extra: dict | None, named: str) -> None:
    with pytest.raises(ConfigurationError, match="wait forever") as error:
        _slots(CLUSTER, cpus, gpus, extra)
    assert named in str(error.value)
