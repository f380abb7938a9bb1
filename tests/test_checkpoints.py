from __future__ import annotations

import threading
from pathlib import Path

import pytest

from rung.checkpoints import CheckpointStore


class Holder:
    def __init__(self) -> None:
        self.state = {"step": 3, "log": threading.Lock()}


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


def test_an_unpicklable_part_is_named_with_its_type_and_nothing_is_written(tmp_path: Path) -> None:
    """pickle's own error names a type, not where it is: the error of save names the part."""
    store = CheckpointStore(tmp_path)

    class Local:  # a class defined in a function: its instances cannot be pickled
        pass

    cases = [({"w": [1.0], "lock": threading.Lock()}, TypeError, r"obj\['lock'\], a _thread\.lock"),
             ([1, {"f": lambda: 1}], Exception, r"obj\[1\]\['f'\], a function"),
             (Holder(), TypeError, r"obj\.state\['log'\], a _thread\.lock"),
             ({"ok": 1, "x": Local()}, Exception, r"obj\['x'\], a .*Local, cannot be pickled")]
    for obj, kind, where in cases:
        with pytest.raises(kind, match=where) as info:
            store.save("t2", obj)
        assert "the checkpoint of trial t2" in str(info.value)
        assert "state_dict()" in str(info.value) and "Nothing was written" in str(info.value)
        assert type(info.value.__cause__) is type(info.value)  # pickle's error, kept as the cause
    assert store.load("t2") is None  # no marker: "never saved", not "deleted since"
    assert [p.name for p in (tmp_path / "t2").iterdir()] == []
