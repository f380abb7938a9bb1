from __future__ import annotations

from pathlib import Path

import pytest

from rung.checkpoints import CheckpointStore


def test_save_load_delete_round_trip(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path)
    assert store.load("t1") is None and not store.exists("t1")
    store.save("t1", {"w": [1, 2, 3]})
    assert store.load("t1") == {"w": [1, 2, 3]}
    store.save("t1", {"w": [4]})
    assert store.load("t1") == {"w": [4]}
    store.delete("t1")
    assert store.load("t1") is None


def test_a_failed_save_keeps_the_previous_checkpoint_and_leaves_no_temp_file(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path)
    store.save("t1", {"ok": True})

    class Unpicklable:
        def __reduce__(self):  # noqa: ANN204
            raise RuntimeError("cannot pickle")

    with pytest.raises(RuntimeError, match="cannot pickle"):
        store.save("t1", Unpicklable())
    assert store.load("t1") == {"ok": True}
    assert sorted(p.name for p in (tmp_path / "t1").iterdir()) == ["checkpoint.pkl", "checkpoint.saved"]
