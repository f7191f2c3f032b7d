"""Editing a config file's settings in a test: one value replaced or removed, the rest as shipped."""

from __future__ import annotations

import copy
from typing import Any


class _Drop:
    """The value that removes a key; its repr is the same in every process (test ids name it)."""

    def __repr__(self) -> str:
        return "DROP"


DROP = _Drop()  # as the value: remove the key


def changed(shipped: dict, path: str, value: Any) -> dict:
    """A copy of ``shipped`` with one value replaced (or removed, value=DROP); path like
    'routing.capacity_passes' or 'follow_up.rules.0.task' (list items by index)."""
    data = copy.deepcopy(shipped)
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key = int(last) if isinstance(node, list) else last
    if value is DROP:
        del node[key]
    else:
        node[key] = value
    return data
