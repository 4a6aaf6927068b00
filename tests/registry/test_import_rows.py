"""A row's cleaned values are held as a compact read-only mapping that answers exactly as the dictionary did."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.registry.import_rows import Values

keys = st.text(alphabet="abcdefghij_", min_size=1, max_size=8)
cells = st.one_of(st.none(), st.text(max_size=5), st.integers(), st.lists(st.text(max_size=3), max_size=2))


@settings(deadline=None)
@given(st.dictionaries(keys, cells, max_size=12))
def test_values_answer_as_the_dictionary(data: dict[str, Any]) -> None:
    values = Values(data)
    assert dict(values) == data
    assert list(values) == list(data)
    assert len(values) == len(data)
    for key, value in data.items():
        assert values[key] == value
        assert values.get(key, "missing") == value
        assert key in values
    assert values.get("not-a-field") is None
    assert "not-a-field" not in values
    with pytest.raises(KeyError):
        values["not-a-field"]


def test_rows_of_one_shape_share_their_key_table() -> None:
    first = Values({"name": "张三", "income": 1200})
    second = Values({"name": "李四", "income": 900})
    assert first["name"] == "张三" and second["name"] == "李四"
    assert first._keys is second._keys  # one key table per shape, not one dictionary per row
