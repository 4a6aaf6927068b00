"""The vectorised transform gives scikit-learn's vectors, the same alone as in a batch."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.catalogs import Catalogs
from matching.text import default_space

texts = st.lists(
    st.text(alphabet=st.sampled_from(list("软件开发工程师护理会计 ，。JavaSQL　ＡＢ１2-")), max_size=40),
    min_size=1,
    max_size=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=texts)
def test_transform_matches_sklearn_and_is_row_independent(catalogs: Catalogs, docs: list[str]) -> None:
    space = default_space(catalogs)
    ours = space.transform(docs)
    theirs = sp.csr_matrix(space.vectorizer.transform(docs), dtype=np.float32)
    assert ours.shape == theirs.shape
    assert abs(ours - theirs).max() <= 1e-6 if ours.nnz or theirs.nnz else True
    for i, doc in enumerate(docs):
        alone = space.transform([doc])
        assert (alone != ours[i]).nnz == 0
    padded = space.transform([*docs, *docs])
    assert (padded[: len(docs)] != ours).nnz == 0
