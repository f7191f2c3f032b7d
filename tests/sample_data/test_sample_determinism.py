"""Same arguments -> byte-identical files; another seed -> different data."""

from __future__ import annotations

from pathlib import Path


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_bytes(dataset, make_dataset) -> None:
    again = make_dataset("again")
    first, second = _snapshot(dataset.out), _snapshot(again.out)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_other_seed_gives_other_data(dataset, make_dataset) -> None:
    other = make_dataset("other", seed=7)
    first, second = _snapshot(dataset.out), _snapshot(other.out)
    landing = [name for name in first if name.startswith("landing/")]
    assert landing and all(first[name] != second.get(name) for name in landing)
