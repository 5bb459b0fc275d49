"""The resource model: spans packed as bytes read exactly like the loader's dict."""

from __future__ import annotations

import pickle

from astra_guard.loaders import load_bytes
from astra_guard.model import PackedSpans, pack_spans_of

LIST = b"""apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: b}
    data: {key: value}
"""


def test_packed_spans_locate_like_the_loaders_index_and_stay_shared() -> None:
    fresh = load_bytes(LIST, "k/list.yaml", "kubernetes")
    packed = pack_spans_of(load_bytes(LIST, "k/list.yaml", "kubernetes"))
    first, second = packed.resources
    assert isinstance(first.spans, PackedSpans) and first.spans is second.spans  # one document, one index
    assert second.locate(("data", "key"))[0].line == 8
    assert second.locate(("data", "missing")) == fresh.resources[1].locate(("data", "missing"))
    assert dict(first.spans) == dict(fresh.resources[0].spans) and len(first.spans) == len(fresh.resources[0].spans)
    assert pickle.loads(pickle.dumps(packed)) == fresh
    assert pack_spans_of(packed) is packed and first.spans is second.spans  # packing twice changes nothing
