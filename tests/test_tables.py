"""TableEncoder: column kinds, RealMLP-TD's scaling checked against its formulas,
missing and unknown values, refused input, and encodings that do not depend on
the other rows transformed."""

import datetime
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from numpydoc.docscrape import ClassDoc

from sknumpynet import _tables
from sknumpynet._tables import EncodedTable, TableEncoder


def realmlp_scale(x, fit_values):
    """pytabkit's median_center, robust_scale and smooth_clip, written out."""
    fit_values = np.asarray(fit_values, dtype=np.float64)
    median = np.quantile(fit_values, 0.5)
    spread = np.quantile(fit_values, 0.75) - np.quantile(fit_values, 0.25)
    if spread == 0:
        spread = 0.5 * (fit_values.max() - fit_values.min())
    factor = 0.0 if spread == 0 else 1.0 / (spread + 1e-30)
    z = (np.asarray(x, dtype=np.float64) - median) * factor
    return z / np.sqrt(1 + (z / 3) ** 2)


def mixed_frame(n=200, seed=0):
    rng = np.random.RandomState(seed)
    income = rng.lognormal(10, 1, n)
    income[rng.rand(n) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "income": income,
            "age": rng.randint(18, 90, n),
            "visits": pd.array(rng.randint(0, 5, n), dtype="Int64"),
            "member": rng.rand(n) < 0.3,
            "verified": pd.array(rng.choice([True, False, None], n), dtype="boolean"),
            "plan": pd.Categorical(rng.choice(["basic", "plus", "pro"], n)),
            "city": rng.choice([f"city{i:02d}" for i in range(20)] + [None], n).astype(object),
            "code": pd.array(rng.choice(["a", "b"], n), dtype="string"),
        }
    )


def test_column_kinds_layout_and_names():
    X = mixed_frame()
    X.loc[3, "visits"] = pd.NA
    encoder = TableEncoder().fit(X)
    assert encoder.column_kinds_ == [
        "continuous",
        "continuous",
        "continuous",
        "boolean",
        "boolean",
        "categorical",
        "categorical",
        "categorical",
    ]
    assert encoder.n_features_in_ == 8
    assert list(encoder.feature_names_in_) == list(X.columns)
    assert encoder.feature_names_in_.dtype == object
    assert encoder.n_continuous_ == 3
    assert encoder.categories_[5] == ["basic", "plus", "pro"]
    assert encoder.categories_[6] == [f"city{i:02d}" for i in range(20)]  # sorted, no None
    assert encoder.cardinalities_ == [21]  # 20 cities + the missing/unknown code
    assert encoder.feature_names_out_ == [
        "income",
        "age",
        "visits",
        "missingindicator_income",
        "missingindicator_visits",
        "member",
        "verified",
        "plan_basic",
        "plan_plus",
        "plan_pro",
        "code_b",
        "city",
    ]
    table = encoder.transform(X)
    assert isinstance(table, EncodedTable)
    assert table.num.shape == (200, 11) and table.num.dtype == np.float64
    assert table.cat.shape == (200, 1) and table.cat.dtype == np.intp
    assert table.num.flags.c_contiguous and table.cat.flags.c_contiguous
    assert np.isfinite(table.num).all() and np.abs(table.num).max() < 3


def test_continuous_columns_follow_realmlp_formulas():
    rng = np.random.RandomState(1)
    skewed = rng.lognormal(0, 2, 300)
    mostly_zero = np.where(rng.rand(300) < 0.8, 0.0, rng.randn(300) * 50)  # q25 == q75
    X = np.column_stack([skewed, mostly_zero])
    assert np.quantile(mostly_zero, 0.25) == np.quantile(mostly_zero, 0.75)
    X_new = np.column_stack([rng.lognormal(0, 3, 50), rng.randn(50) * 100])
    num = TableEncoder().fit(X).transform(X_new).num
    np.testing.assert_allclose(num[:, 0], realmlp_scale(X_new[:, 0], skewed), rtol=1e-14)
    np.testing.assert_allclose(num[:, 1], realmlp_scale(X_new[:, 1], mostly_zero), rtol=1e-14)
    assert np.abs(num).max() < 3 and np.abs(num).max() > 2.5  # the clip bites


def test_smooth_clip_is_pytabkits_formula_and_saturates_with_the_right_sign():
    x = np.array([-1e308, -1e200, -50.0, -3.0, -0.1, 0.0, 0.1, 3.0, 50.0, 1e200, 1e308])
    with np.errstate(over="ignore", invalid="ignore"):
        expected = x / np.sqrt(1 + (1 / 9) * x**2)
    expected[[0, 1]], expected[[-2, -1]] = -3.0, 3.0  # where x**2 overflows
    np.testing.assert_allclose(_tables.smooth_clip(x.copy()), expected, rtol=1e-15)


def test_extreme_finite_values_stay_finite():
    X = np.array([[-1.7e308], [0.0], [1.0], [2.0], [1.7e308]])
    num = TableEncoder().fit(X).transform(X).num
    assert np.isfinite(num).all()
    np.testing.assert_allclose(num[[0, -1], 0], [-3.0, 3.0])
    tiny = np.array([[0.0], [1e-310], [2e-310], [3e-310]])  # a spread below the 1e-30 of pytabkit
    num = TableEncoder().fit(tiny).transform(tiny).num
    np.testing.assert_allclose(num[:, 0], realmlp_scale(tiny[:, 0], tiny[:, 0]), atol=1e-300)


def test_missing_numbers_are_imputed_with_the_median_and_get_an_indicator():
    x = np.array([1.0, np.nan, 3.0, 10.0, np.nan, 7.0, 2.0, 5.0])
    X = pd.DataFrame({"x": x, "full": np.arange(8.0)})
    encoder = TableEncoder().fit(X)
    assert encoder.feature_names_out_ == ["x", "full", "missingindicator_x"]
    X_new = pd.DataFrame({"x": [np.nan, 4.0, None], "full": [np.nan, 1.0, 2.0]})
    num = encoder.transform(X_new).num
    present = x[~np.isnan(x)]
    np.testing.assert_allclose(num[:, 0], [0.0, realmlp_scale([4.0], present)[0], 0.0])
    # "full" had no missing cell at fit: a missing one now is imputed, without indicator
    assert num[0, 1] == 0.0
    indicator_fit = np.isnan(x).astype(float)
    np.testing.assert_allclose(num[:, 2], realmlp_scale([1.0, 0.0, 1.0], indicator_fit))
    assert num[0, 2] > 0 == num[1, 2]  # most rows are present: their median is 0


def test_constant_columns_are_dropped_and_never_nan():
    X = pd.DataFrame(
        {
            "const": np.full(6, 4.2),
            "const_but_missing": [1.0, 1.0, np.nan, 1.0, 1.0, 1.0],
            "all_missing": np.full(6, np.nan),
            "one_category": ["a"] * 6,
            "always_true": [True] * 6,
            "varies": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        }
    )
    encoder = TableEncoder().fit(X)
    assert encoder.feature_names_out_ == ["varies", "missingindicator_const_but_missing"]
    num = encoder.transform(X.iloc[::-1]).num
    assert num.shape == (6, 2) and np.isfinite(num).all()
    constants = X[["const", "one_category"]]
    only_constants = TableEncoder().fit(constants).transform(constants)
    assert only_constants.num.shape == (6, 0) and only_constants.cat.shape == (6, 0)


def test_one_hot_columns_are_scaled_like_realmlps_one_hot_block():
    plans = np.array(["pro", "basic", "plus", "basic", None, "basic", "plus", "basic"], object)
    X = pd.DataFrame({"plan": plans})
    encoder = TableEncoder().fit(X)
    assert encoder.feature_names_out_ == ["plan_basic", "plan_plus", "plan_pro"]
    new = np.array(["plus", "gold", None, "basic", "pro"], dtype=object)  # gold: unknown
    num = encoder.transform(pd.DataFrame({"plan": new})).num
    for j, category in enumerate(["basic", "plus", "pro"]):
        fit_column = (plans == category).astype(float)
        np.testing.assert_allclose(
            num[:, j], realmlp_scale((new == category).astype(float), fit_column), rtol=1e-15
        )
    # unknown and missing: every one-hot column off, like a missing cell at fit
    np.testing.assert_array_equal(num[1], num[2])


def test_binary_and_single_category_columns_take_one_column():
    X = pd.DataFrame(
        {
            "two": ["no", "yes", "yes", None, "no", "yes"],
            "one_and_missing": ["x", None, "x", "x", None, "x"],
        }
    )
    encoder = TableEncoder().fit(X)
    assert encoder.feature_names_out_ == ["two_yes", "one_and_missing_x"]
    num = encoder.transform(X).num
    # pytabkit's codes before the scaling: two categories -1/+1 (0 missing),
    # one category +1 (-1 missing)
    np.testing.assert_allclose(
        num[:, 0], realmlp_scale([-1, 1, 1, 0, -1, 1], [-1, 1, 1, 0, -1, 1])
    )
    np.testing.assert_allclose(
        num[:, 1], realmlp_scale([1, -1, 1, 1, -1, 1], [1, -1, 1, 1, -1, 1])
    )


def test_booleans_nullable_booleans_and_object_booleans():
    values = [True, False, None, True, True, False]
    raw = np.array([1, -1, 0, 1, 1, -1], dtype=float)
    for column in (
        pd.array(values, dtype="boolean"),
        np.array(values, dtype=object),
    ):
        encoder = TableEncoder().fit(pd.DataFrame({"b": column}))
        assert encoder.column_kinds_ == ["boolean"] and encoder.categories_ == [[False, True]]
        num = encoder.transform(pd.DataFrame({"b": column})).num
        np.testing.assert_allclose(num[:, 0], realmlp_scale(raw, raw))
    plain = np.array([True, False, True, True])
    num = TableEncoder().fit(plain[:, None]).transform(plain[:, None]).num
    assert num[0, 0] == 0 > num[1, 0]  # True, the median, above False
    # booleans stay in num even when every categorical column is embedded
    assert TableEncoder(max_one_hot=0).fit(plain[:, None]).cardinalities_ == []


def test_embedded_codes_unknown_and_missing_are_zero():
    cities = pd.Series(["b", "a", "c", None, "a", "d"], dtype=object)
    encoder = TableEncoder(max_one_hot=3).fit(pd.DataFrame({"city": cities}))
    assert encoder.cardinalities_ == [5] and encoder.categories_[0] == ["a", "b", "c", "d"]
    new = pd.DataFrame({"city": ["d", "zzz", None, "a", np.nan]})
    table = encoder.transform(new)
    assert table.num.shape == (5, 0)
    np.testing.assert_array_equal(table.cat[:, 0], [4, 0, 0, 1, 0])
    assert TableEncoder(max_one_hot=0).fit(pd.DataFrame({"city": cities})).cardinalities_ == [5]


def test_pandas_categoricals_map_by_value_whatever_their_categories():
    fit = pd.DataFrame(
        {"c": pd.Categorical(["x", "y", "z", "y"], categories=["z", "y", "x", "w"])}
    )
    encoder = TableEncoder(max_one_hot=2).fit(fit)
    assert encoder.categories_ == [["x", "y", "z"]]  # present at fit, sorted; "w" never seen
    reordered = pd.Categorical(["z", "w", "x", None, "q"], categories=["q", "w", "x", "y", "z"])
    codes = encoder.transform(pd.DataFrame({"c": reordered})).cat[:, 0]
    np.testing.assert_array_equal(codes, [3, 0, 1, 0, 0])
    as_strings = encoder.transform(pd.DataFrame({"c": ["z", "w", "x", None, "q"]})).cat[:, 0]
    np.testing.assert_array_equal(as_strings, codes)


def test_rows_are_encoded_the_same_alone_as_together():
    X = mixed_frame(300, seed=2)
    train, test = X.iloc[:200], X.iloc[200:].copy()
    test.loc[test.index[0], "city"] = "never seen"
    test.loc[test.index[1], "age"] = np.nan  # missing where fit had none
    encoder = TableEncoder(max_one_hot=9).fit(train)
    together = encoder.transform(test)
    for i in range(0, len(test), 7):
        alone = encoder.transform(test.iloc[i : i + 1])
        np.testing.assert_array_equal(alone.num[0], together.num[i])
        np.testing.assert_array_equal(alone.cat[0], together.cat[i])
    np.testing.assert_array_equal(encoder.fit_transform(train).num, encoder.transform(train).num)


def test_fit_and_transform_leave_x_unchanged():
    X = mixed_frame(50)
    before = X.copy()
    array = np.random.RandomState(0).randn(30, 3)
    array[2, 1] = np.nan
    array_before = array.copy()
    TableEncoder().fit(X).transform(X)
    TableEncoder().fit(array).transform(array)
    pd.testing.assert_frame_equal(X, before)
    np.testing.assert_array_equal(array, array_before)


def test_float32_output_keeps_float32():
    X = mixed_frame(100)
    num64 = TableEncoder().fit(X).transform(X).num
    num32 = TableEncoder(dtype=np.float32).fit(X).transform(X).num
    assert num32.dtype == np.float32 and num32.flags.c_contiguous
    np.testing.assert_allclose(num32, num64, rtol=1e-6, atol=1e-6)
    X32 = np.random.RandomState(0).randn(20, 2).astype(np.float32)
    assert TableEncoder(dtype="float32").fit(X32).transform(X32).num.dtype == np.float32


def test_numpy_object_and_sparse_inputs():
    rng = np.random.RandomState(3)
    numbers = rng.randn(40, 2)
    numbers[5, 0] = np.nan
    objects = np.empty((40, 3), dtype=object)
    objects[:, 0] = numbers[:, 0]  # floats in an object array stay numbers
    objects[:, 1] = rng.choice(["u", "v", "w"], 40)
    objects[:, 2] = rng.rand(40) < 0.5
    objects[7, 1] = None
    encoder = TableEncoder().fit(objects)
    assert encoder.column_kinds_ == ["continuous", "categorical", "boolean"]
    assert not hasattr(encoder, "feature_names_in_")
    assert encoder.feature_names_out_ == [
        "x0",
        "missingindicator_x0",
        "x2",
        "x1_u",
        "x1_v",
        "x1_w",
    ]
    frame = pd.DataFrame({"a": numbers[:, 0], "b": objects[:, 1], "c": objects[:, 2].astype(bool)})
    np.testing.assert_array_equal(
        encoder.transform(objects).num, TableEncoder().fit(frame).transform(frame).num
    )
    strings = rng.choice(["p", "q", "r"], size=(40, 2))  # a numpy string array: categories
    assert TableEncoder().fit(strings).column_kinds_ == ["categorical"] * 2
    rows = [[1.5, "a"], [2.5, "b"], [0.5, "a"]]  # a list of rows mixing numbers and strings
    assert TableEncoder().fit(rows).column_kinds_ == ["continuous", "categorical"]

    dense = sp.random(60, 4, density=0.3, random_state=0, format="csr").toarray()
    dense[2, 3] = np.nan
    for matrix in (sp.csr_matrix(dense), sp.csc_array(dense), sp.coo_matrix(dense)):
        table = TableEncoder().fit(matrix).transform(matrix)
        np.testing.assert_array_equal(table.num, TableEncoder().fit(dense).transform(dense).num)


def test_sparse_duplicates_add_up():
    matrix = sp.csr_matrix((np.array([1.0, 2.0, 5.0]), np.array([0, 0, 0]), np.array([0, 2, 3])))
    assert not matrix.has_canonical_format
    sum_of_duplicates = TableEncoder().fit(matrix)._layout["continuous"][0]["center"]
    assert sum_of_duplicates == 4.0  # the median of 3 and 5


def test_a_sparse_matrix_whose_encoding_is_too_large_is_refused(monkeypatch):
    matrix = sp.random(100, 10, density=0.1, random_state=0, format="csr")
    monkeypatch.setattr(_tables, "SPARSE_DENSE_LIMIT_BYTES", 100 * 10 * 8 - 1)
    with pytest.raises(ValueError, match=r"sparse matrix of shape \(100, 10\).*GiB"):
        TableEncoder().fit(matrix)
    assert TableEncoder(dtype=np.float32).fit(matrix).transform(matrix).num.shape == (100, 10)


def test_infinity_is_refused_naming_the_column():
    X = pd.DataFrame({"ok": [1.0, 2.0, 3.0], "bad": [1.0, np.inf, 2.0]})
    with pytest.raises(ValueError, match=r"infinity in column 'bad' \(row 1"):
        TableEncoder().fit(X)
    encoder = TableEncoder().fit(X.assign(bad=[1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match=r"infinity in column 'bad' \(row 2"):
        encoder.transform(X.assign(bad=[1.0, 2.0, -np.inf]))
    with pytest.raises(ValueError, match=r"infinity in column 1"):
        TableEncoder().fit(np.array([[0.0, 1.0], [1.0, np.inf]]))


@pytest.mark.parametrize(
    "column, error, match",
    [
        (pd.to_datetime(["2024-01-01", "2024-02-01"]), TypeError, "dtype datetime64.*numbers"),
        (pd.to_timedelta([1, 2], unit="s"), TypeError, "dtype timedelta64"),
        (np.array([1 + 1j, 2j]), ValueError, "Complex data not supported: column 'c'"),
        (np.array(["a", 1], dtype=object), TypeError, "column 'c' mixes values of types"),
        (
            np.array([1.0, {"k": 1}], dtype=object),
            TypeError,
            "argument must be .* string.* number",
        ),
        (np.array([datetime.date(2024, 1, 1), None]), TypeError, "holds date values"),
    ],
)
def test_unreadable_columns_are_refused_naming_the_column(column, error, match):
    with pytest.raises(error, match=match) as info:
        TableEncoder().fit(pd.DataFrame({"ok": [1.0, 2.0], "c": column}))
    # the estimators' users meet these messages: no private class in them
    assert "TableEncoder" not in str(info.value)


def test_unreadable_array_columns():
    with pytest.raises(ValueError, match="Complex data not supported"):
        TableEncoder().fit(np.array([[1 + 1j], [2.0]]))
    objects = np.array([[1.0, "x"], [2.0, 3]], dtype=object)
    with pytest.raises(TypeError, match="column 1 mixes values of types number, str"):
        TableEncoder().fit(objects)
    with pytest.raises(ValueError, match="Expected a 2D array.*Reshape your data"):
        TableEncoder().fit(np.arange(3.0))
    with pytest.raises(ValueError, match=r"0 sample\(s\)"):
        TableEncoder().fit(np.empty((0, 2)))
    encoder = TableEncoder().fit(np.array([[1.0], [2.0]]))
    with pytest.raises(TypeError, match="column 0 was numeric in fit"):
        encoder.transform(np.array([["a"], ["b"]], dtype=object))


def test_wrong_columns_are_refused_naming_them():
    X = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"], "c": [True, False]})
    encoder = TableEncoder().fit(X)
    with pytest.raises(ValueError, match="unseen at fit time:\n- d\n.*yet now missing:\n- c\n"):
        encoder.transform(X.rename(columns={"c": "d"}))
    with pytest.raises(ValueError, match="yet now missing:\n- b\n"):
        encoder.transform(X[["a", "c"]])
    with pytest.raises(ValueError, match="must be in the same order as they were in fit"):
        encoder.transform(X[["c", "b", "a"]])
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        by_position = encoder.transform(X.to_numpy())
    np.testing.assert_array_equal(by_position.num, encoder.transform(X).num)
    array_encoder = TableEncoder().fit(np.zeros((3, 4)) + np.arange(3)[:, None])
    with pytest.raises(ValueError, match="X has 3 features, but TableEncoder is expecting 4"):
        array_encoder.transform(np.zeros((2, 3)))
    with pytest.warns(UserWarning, match="X has feature names, but TableEncoder was fitted"):
        array_encoder.transform(pd.DataFrame(np.zeros((2, 4)), columns=list("abcd")))
    with pytest.raises(TypeError, match="all input features have string names"):
        TableEncoder().fit(pd.DataFrame({"a": [1.0, 2.0], 0: [3.0, 4.0]}))
    int_names = TableEncoder().fit(pd.DataFrame({0: [1.0, 2.0], 1: [3.0, 4.0]}))
    assert not hasattr(int_names, "feature_names_in_")
    assert int_names.feature_names_out_ == ["0", "1"]


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"max_one_hot": 2.5}, TypeError, "max_one_hot must be an int"),
        ({"max_one_hot": True}, TypeError, "max_one_hot must be an int"),
        ({"max_one_hot": -1}, ValueError, "max_one_hot must be at least 0"),
        ({"dtype": np.int64}, ValueError, "dtype must be numpy.float32 or numpy.float64"),
        ({"dtype": "not a dtype"}, TypeError, "dtype must be numpy.float32"),
    ],
)
def test_bad_parameters_are_refused(params, error, match):
    with pytest.raises(error, match=match):
        TableEncoder(**params).fit(np.ones((3, 1)))


def test_a_failed_fit_leaves_the_fitted_encoder_as_it_was():
    X = mixed_frame(60)
    encoder = TableEncoder().fit(X)
    state = {key: value for key, value in vars(encoder).items() if key.endswith("_")}
    before = encoder.transform(X)
    with pytest.raises(ValueError, match="infinity"):
        encoder.fit(X.assign(income=np.inf))
    assert {k: v for k, v in vars(encoder).items() if k.endswith("_")}.keys() == state.keys()
    np.testing.assert_array_equal(encoder.transform(X).num, before.num)
    # refitting on an array forgets the DataFrame's names
    assert not hasattr(encoder.fit(np.ones((3, 2)) * [[1], [2], [3]]), "feature_names_in_")


def test_unfitted_encoder_refuses_to_transform():
    with pytest.raises(Exception, match="not fitted"):
        TableEncoder().transform(np.ones((2, 2)))


def test_discrete_quartiles_match_numpy():
    rng = np.random.RandomState(4)
    for _ in range(50):
        values = rng.choice([-1.0, 0.0, 1.0, 2.5], size=rng.randint(1, 4), replace=False)
        counts = rng.randint(0, 9, size=values.size)
        counts[0] = max(counts[0], 1)
        expanded = np.repeat(values, counts)
        assert _tables._discrete_quartiles(values, counts) == tuple(
            np.quantile(expanded, [0.25, 0.5, 0.75])
        )


def test_numpy_arrays_work_without_pandas(monkeypatch):
    objects = np.empty((12, 3), dtype=object)
    objects[:, 0] = np.linspace(0, 1, 12)
    objects[:, 1] = ["a", "b", "c", None, "a", "b", "c", "a", np.nan, "b", "c", "a"]
    objects[:, 2] = [True, False] * 6
    new = objects[:4].copy()
    new[0, 1] = "unknown"
    with_pandas = TableEncoder(max_one_hot=3).fit(objects)
    expected = with_pandas.transform(new)
    monkeypatch.setitem(sys.modules, "pandas", None)  # "import pandas" now fails
    assert _tables._pandas() is None
    without = TableEncoder(max_one_hot=3).fit(objects)
    assert without.categories_ == with_pandas.categories_
    table = without.transform(new)
    np.testing.assert_array_equal(table.num, expected.num)
    np.testing.assert_array_equal(table.cat, expected.cat)
    np.testing.assert_array_equal(table.cat[:, 0], [0, 2, 3, 0])
    numbers = np.random.RandomState(0).randn(10, 3)
    assert TableEncoder().fit(numbers).transform(numbers).num.shape == (10, 3)
    with pytest.raises(TypeError, match="column 0 mixes values of types number, str"):
        TableEncoder().fit(np.array([[1.0], ["x"]], dtype=object))
    new[1, 1] = {"not": "a category"}
    with pytest.raises(TypeError, match="column 1 holds dict values, which cannot be categories"):
        without.transform(new)


def test_unhashable_cells_are_refused_naming_the_column():
    encoder = TableEncoder().fit(pd.DataFrame({"c": ["a", "b", "a"], "b": [True, False, True]}))
    with pytest.raises(TypeError, match="column 'c' holds list values, which cannot be"):
        encoder.transform(pd.DataFrame({"c": [["a"], "b", "a"], "b": [True, False, True]}))
    with pytest.raises(TypeError, match="column 'b' holds dict values"):
        encoder.transform(pd.DataFrame({"c": ["a", "b", "a"], "b": [True, {}, None]}))
    with pytest.raises(TypeError, match="column 'c' mixes values of types list, str"):
        TableEncoder().fit(pd.DataFrame({"c": [["a"], "b"]}))


def test_every_attribute_and_parameter_is_documented():
    doc = ClassDoc(TableEncoder)
    documented = {name.strip() for item in doc["Attributes"] for name in item.name.split(",")}
    encoder = TableEncoder().fit(mixed_frame(30))
    public = {k for k in vars(encoder) if k.endswith("_") and not k.startswith("_")}
    assert public == documented
    assert {item.name for item in doc["Parameters"]} == set(TableEncoder().get_params())


def test_the_encoder_is_quiet():
    X = mixed_frame(80)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TableEncoder().fit(X).transform(X)
        TableEncoder().fit(X.to_numpy()).transform(X.to_numpy())


def test_binary_columns_scale_like_any_discrete_column():
    n = 11
    low, high = _tables._binary_outputs(n, np.arange(1, n))
    for ones in range(1, n):
        expected = _tables._discrete_outputs([0.0, 1.0], [n - ones, ones])
        assert (low[ones - 1], high[ones - 1]) == tuple(expected)


def test_many_one_hot_columns_are_scattered_alike(monkeypatch):
    rng = np.random.RandomState(5)
    labels = np.array([f"c{i:03d}" for i in range(100)], dtype=object)
    X = pd.DataFrame({"c": rng.choice(labels, 1000)})
    X.loc[::17, "c"] = None
    new = pd.DataFrame({"c": list(rng.choice(labels, 50)) + ["unseen", None]})
    encoder = TableEncoder(max_one_hot=200).fit(X)
    scattered = encoder.transform(new).num
    assert scattered.shape == (52, 100)
    fit_column = (X["c"] == "c042").to_numpy(dtype=float)
    expected = realmlp_scale((new["c"] == "c042").to_numpy(dtype=float), fit_column)
    np.testing.assert_allclose(scattered[:, 42], expected, rtol=1e-15)
    monkeypatch.setattr(_tables, "_GATHER_ONE_HOT", 1000)
    np.testing.assert_array_equal(encoder.transform(new).num, scattered)


def _pytabkit_table():
    rng = np.random.RandomState(0)
    n = 60

    def categories(k, p_missing):
        values = rng.choice([f"k{i}" for i in range(k)], n).astype(object)
        values[rng.rand(n) < p_missing] = None
        return values

    return pd.DataFrame(
        {
            "skewed": rng.lognormal(0, 2, n),
            "mostly_zero": np.where(rng.rand(n) < 0.8, 0.0, rng.randn(n) * 50),
            "one_and_missing": categories(1, 0.3),
            "two_and_missing": categories(2, 0.1),
            "four_and_missing": categories(4, 0.2),
            "twelve": categories(12, 0.05),
        }
    )


def test_the_encoding_is_pytabkits():
    """Rows 0, 1, 2, 3, 9, 11 and 20 of the table above as pytabkit 1.8.0 encodes it.

    pytabkit's ToDictDatasetConverter, then RealMLP_TD_CLASS's preprocessing as its
    NNFactory runs it (one-hot encoding, then median_center, robust_scale and
    smooth_clip on the continuous branch and on the one-hot branch), in float32;
    "twelve" (13 codes with the missing one) is left as codes for the embedding.
    """
    pytabkit_num = np.array(
        [
            [2.794171, 0.0, -0.9486833, 0.0, 0.0, 0.0, 0.0, 0.0],
            [0.2369683, 0.0, 0.0, 0.0, 0.0, 1.6641006, 0.0, 0.0],
            [1.2478396, 0.0, -0.9486833, -0.493197, 1.6641006, 0.0, 0.0, 0.0],
            [2.9679887, 0.0, 0.0, -0.493197, 0.0, 0.0, 0.0, 1.6641006],
            [0.247838, 0.0, -0.9486833, 0.493197, 0.0, 1.6641006, 0.0, 0.0],
            [2.4001176, 0.9520673, -0.9486833, -0.493197, 0.0, 0.0, 1.6641006, 0.0],
            [-0.2798303, -0.5031838, 0.0, 0.0, 0.0, 0.0, 0.0, 1.6641006],
        ]
    )
    pytabkit_codes = [11, 1, 8, 11, 0, 6, 9, 5, 1, 7, 6, 1, 4, 5, 2, 9, 3, 2, 5, 3]
    X = _pytabkit_table()
    table = TableEncoder().fit_transform(X)
    num = table.num[[0, 1, 2, 3, 9, 11, 20]]
    num[:, 3] *= -1  # pytabkit codes two categories +1, -1; the encoder -1, +1
    np.testing.assert_allclose(num, pytabkit_num, atol=2e-7)
    np.testing.assert_array_equal(table.cat[:20, 0], pytabkit_codes)


def test_whole_number_sample_weights_are_repeats_of_the_rows():
    """Weighted quartiles, frequencies of categories and of missing cells, and
    categories seen only in rows of weight 0 left out: as if the rows were
    repeated (or removed)."""
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    n = 40
    table = pd.DataFrame(
        {
            "x": np.where(rng.rand(n) < 0.2, np.nan, rng.lognormal(size=n)),
            "few": rng.choice(["a", "b", "c"], n),
            "many": rng.choice([f"k{i}" for i in range(12)], n),
            "flag": rng.rand(n) > 0.3,
        }
    )
    weights = rng.randint(0, 4, n)
    weights[table["many"] == "k3"] = 0  # a category only in rows of weight 0
    repeated = table.loc[np.repeat(np.arange(n), weights)].sample(frac=1.0, random_state=1)
    by_weight = TableEncoder(dtype=np.float64).fit(table, sample_weight=weights)
    by_repeats = TableEncoder(dtype=np.float64).fit(repeated)
    assert by_weight.feature_names_out_ == by_repeats.feature_names_out_
    assert by_weight.cardinalities_ == by_repeats.cardinalities_
    assert "k3" not in by_weight.categories_[2]
    a, b = by_weight.transform(table), by_repeats.transform(table)
    np.testing.assert_allclose(a.num, b.num, rtol=1e-12)
    np.testing.assert_array_equal(a.cat, b.cat)


def test_other_sample_weights_are_scaled_to_a_mean_of_one():
    X = np.arange(20.0).reshape(-1, 1)
    small = TableEncoder().fit(X, sample_weight=np.full(20, 0.01)).transform(X).num
    plain = TableEncoder().fit(X).transform(X).num
    np.testing.assert_allclose(small, plain)


@pytest.mark.parametrize(
    "weights, match",
    [
        (np.ones(3), "must hold 20 non-negative"),
        (-np.ones(20), "non-negative"),
        (np.zeros(20), "All sample weights are zero"),
    ],
)
def test_bad_sample_weights_are_refused(weights, match):
    with pytest.raises(ValueError, match=match):
        TableEncoder().fit(np.arange(20.0).reshape(-1, 1), sample_weight=weights)


def test_categorical_features_read_numbers_as_categories():
    frame = pd.DataFrame(
        {
            "place": [3, 7, 3, 12, 7, 3, 40, 12],
            "income": np.linspace(1.0, 2.0, 8),
            "size": pd.array([1, 2, None, 2, 1, 1, 2, 2], dtype="Int64"),
            "city": ["a", "b", "a", "c", "b", "a", "c", "b"],
        }
    )
    by_name = TableEncoder(max_one_hot=3, categorical_features=["place", "size"]).fit(frame)
    assert by_name.column_kinds_ == ["categorical", "continuous", "categorical", "categorical"]
    # the distinct values at fit, sorted; pandas' NA is a missing cell
    assert by_name.categories_[0] == [3, 7, 12, 40] and by_name.categories_[2] == [1, 2]
    assert by_name.cardinalities_ == [5, 4]  # place and city embedded, size one column
    # the same columns by position and by mask; a category column stays one
    for same in ([0, 2], [True, False, True, False], np.array([2, 0, 0])):
        other = TableEncoder(max_one_hot=3, categorical_features=same).fit(frame)
        assert other.column_kinds_ == by_name.column_kinds_
        np.testing.assert_array_equal(other.transform(frame).num, by_name.transform(frame).num)
    new = pd.DataFrame({"place": [40, 5, np.nan], "income": [1.0] * 3, "size": [2, 1, 9]})
    new["city"] = ["c", "a", "z"]
    table = by_name.transform(new)
    # an unseen number and a missing one are code 0, as an unknown string is
    np.testing.assert_array_equal(table.cat, [[4, 3], [0, 1], [0, 0]])
    # a numpy array of numbers, by position
    X = frame[["place", "income"]].to_numpy(dtype=float)
    encoder = TableEncoder(max_one_hot=0, categorical_features=[0]).fit(X)
    assert encoder.categories_[0] == [3.0, 7.0, 12.0, 40.0] and encoder.n_continuous_ == 1
    np.testing.assert_array_equal(encoder.transform(X).cat[:, 0], [1, 2, 1, 3, 2, 1, 4, 3])
    # the default reads the dtypes alone
    assert TableEncoder().fit(frame).column_kinds_[0] == "continuous"


@pytest.mark.parametrize(
    "categorical_features, X, match",
    [
        (["nope"], "frame", r"columns that X does not have: \['nope'\]"),
        (["a"], "array", "X has no column names"),
        ([0, 2], "frame", r"column positions \[2\] that X, of 2 columns"),
        ([-1], "array", r"column positions \[-1\]"),
        ([True], "frame", "one entry per column of X: 2, got 1"),
        ([0.5], "frame", "got an array of dtype float64"),
        ([[0]], "frame", "one-dimensional"),
        ("place", "frame", 'must be "from_dtype" or an array-like'),
    ],
)
def test_bad_categorical_features_are_refused(categorical_features, X, match):
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [0.0, 1.0, 0.0]})
    X = frame if X == "frame" else frame.to_numpy()
    with pytest.raises(ValueError, match=match):
        TableEncoder(categorical_features=categorical_features).fit(X)


def test_numbers_read_as_categories_refuse_infinity():
    X = np.array([[1.0, 0.0], [2.0, 1.0], [np.nan, 0.5]])
    encoder = TableEncoder(categorical_features=[0]).fit(X)  # NaN: a missing cell
    assert encoder.categories_[0] == [1.0, 2.0]
    with pytest.raises(ValueError, match="infinity in column 0"):
        TableEncoder(categorical_features=[0]).fit(np.vstack([X, [np.inf, 0.0]]))
    with pytest.raises(ValueError, match="infinity in column 0"):
        encoder.transform(np.array([[-np.inf, 0.0]]))


def test_a_standalone_encoder_saved_by_skops_asks_to_trust_only_itself():
    sio = pytest.importorskip("skops.io")
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame({"x": [0.5, 1.5, np.nan, 3.0], "c": pd.Categorical(list("abca"))})
    for encoder in (TableEncoder(), TableEncoder(dtype="float32")):
        encoder.fit(X)
        data = sio.dumps(encoder)
        assert sio.get_untrusted_types(data=data) == ["sknumpynet._tables.TableEncoder"]
        loaded = sio.loads(data, trusted=["sknumpynet._tables.TableEncoder"])
        np.testing.assert_array_equal(loaded.transform(X).num, encoder.transform(X).num)
        assert loaded.transform(X).num.dtype == np.dtype(encoder.dtype)
