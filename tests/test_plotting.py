"""Every display rendered with Agg, and what it drew checked."""

import math
import warnings

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from figure_checks import clipped_texts  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.inspection import DecisionBoundaryDisplay  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sknumpynet import (  # noqa: E402
    LossCurveDisplay,
    MLPClassifierNP,
    ProbabilityDisplay,
    SoftmaxClassifier,
    WeightImageDisplay,
    WorstPredictionsDisplay,
    make_spiral,
)

X_DIGITS, Y_DIGITS = load_digits(return_X_y=True)
X_DIGITS = X_DIGITS[:400] / 16.0
Y_DIGITS = Y_DIGITS[:400]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def softmax():
    return SoftmaxClassifier(solver="lbfgs", alpha=10.0, random_state=0).fit(X_DIGITS, Y_DIGITS)


@pytest.fixture(scope="module")
def mlp():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return MLPClassifierNP(
            (12,), early_stopping=True, max_iter=15, random_state=0, learning_rate_init=0.01
        ).fit(X_DIGITS, Y_DIGITS)


def _render(display):
    display.figure_.canvas.draw()  # raises if anything cannot be drawn


def test_loss_curve_with_validation_scores(mlp):
    disp = LossCurveDisplay.from_estimator(mlp)
    _render(disp)
    assert disp.ax_.get_lines() == [disp.line_, disp.validation_loss_line_]
    np.testing.assert_allclose(disp.line_.get_ydata(), mlp.loss_curve_)
    # the held-out loss, on the loss axis, in the colour of the training loss
    np.testing.assert_allclose(disp.validation_loss_line_.get_ydata(), mlp.validation_loss_curve_)
    assert disp.validation_loss_line_.get_color() == disp.line_.get_color()
    assert disp.validation_loss_line_.get_linestyle() == "-."
    np.testing.assert_array_equal(disp.line_.get_xdata(), np.arange(1, mlp.n_iter_ + 1))
    assert disp.score_ax_.get_lines() == [disp.validation_line_]
    np.testing.assert_allclose(disp.validation_line_.get_ydata(), mlp.validation_scores_)
    assert disp.validation_line_.get_color() == disp.line_.get_color()
    assert disp.train_line_ is None
    assert disp.ax_.get_xlabel() == "epoch"
    labels = [t.get_text() for t in disp.score_ax_.get_legend().get_texts()]
    assert labels == [
        "MLPClassifierNP: training loss",
        "MLPClassifierNP: validation loss",
        "MLPClassifierNP: validation accuracy",
    ]


def test_a_best_epoch_chosen_on_the_loss_draws_no_second_score():
    from sknumpynet import TabularMLPClassifier

    clf = TabularMLPClassifier((8,), max_iter=6, scoring="loss", random_state=0, n_cv=1)
    clf.fit(X_DIGITS[:200], Y_DIGITS[:200] % 2)
    disp = LossCurveDisplay.from_estimator(clf)
    _render(disp)
    # its validation scores are minus the validation loss, drawn as a loss
    assert disp.validation_line_ is None
    np.testing.assert_allclose(disp.validation_loss_line_.get_ydata(), clf.validation_loss_curve_)
    assert disp.ax_.get_lines() == [disp.line_, disp.validation_loss_line_]


def test_a_model_of_several_networks_points_to_their_curves():
    from sknumpynet import TabularMLPClassifier

    clf = TabularMLPClassifier((8,), max_iter=6, random_state=0, n_cv=2)
    clf.fit(X_DIGITS[:200], Y_DIGITS[:200] % 2)
    with pytest.raises(ValueError, match=r"is 2 networks \(n_cv\).*estimators_\[0\]"):
        LossCurveDisplay.from_estimator(clf)
    with pytest.raises(ValueError, match=r"is 2 networks \(n_cv\).*estimators_\[0\]"):
        WeightImageDisplay.from_estimator(clf, image_shape=(8, 8))
    disp = LossCurveDisplay.from_estimator(clf.estimators_[0])
    LossCurveDisplay.from_estimator(clf.estimators_[1], ax=disp.ax_)
    _render(disp)
    assert len(disp.ax_.get_lines()) == 4  # training and validation loss, twice


def test_loss_curves_of_several_estimators_share_one_axis(mlp):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = MLPClassifier((12,), max_iter=10, random_state=0).fit(X_DIGITS, Y_DIGITS)
        lbfgs = SoftmaxClassifier(solver="lbfgs", max_iter=5)
        pipe = make_pipeline(StandardScaler(), lbfgs).fit(X_DIGITS, Y_DIGITS)
    disp = LossCurveDisplay.from_estimator(mlp, name="ours")
    second = LossCurveDisplay.from_estimator(theirs, ax=disp.ax_, name="scikit-learn")
    third = LossCurveDisplay.from_estimator(pipe, ax=disp.ax_, log_scale=True)
    _render(disp)
    assert second.ax_ is disp.ax_ and third.ax_ is disp.ax_
    assert len(disp.ax_.get_lines()) == 4  # ours with its validation loss, theirs, the pipeline's
    assert second.score_ax_ is disp.score_ax_  # the score axis is found, not duplicated
    assert len(disp.score_ax_.get_lines()) == 1
    assert len({line.get_color() for line in disp.ax_.get_lines()}) == 3
    assert disp.ax_.get_yscale() == "log"
    legend = [t.get_text() for t in disp.score_ax_.get_legend().get_texts()]
    assert legend[:3] == [
        "ours: training loss",
        "ours: validation loss",
        "scikit-learn: training loss",
    ]
    assert "SoftmaxClassifier: training loss" in legend


def _pixels_of(fig, color, tolerance=40):
    """How many pixels of ``fig``, drawn without its legends, are close to ``color``."""
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    for legend in legends:
        legend.set_visible(False)
    fig.canvas.draw()
    for legend in legends:
        legend.set_visible(True)
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)
    target = np.array(matplotlib.colors.to_rgb(color)) * 255
    return int((np.abs(rgb - target).sum(axis=-1) < tolerance).sum())


@pytest.fixture(scope="module")
def twins():
    """Ours and scikit-learn's network, same settings: their curves coincide."""
    params = dict(hidden_layer_sizes=(12,), early_stopping=True, max_iter=15, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = MLPClassifierNP(**params).fit(X_DIGITS, Y_DIGITS)
        theirs = MLPClassifier(**params).fit(X_DIGITS, Y_DIGITS)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-6)
    return ours, theirs


@pytest.mark.parametrize("layout", [None, "constrained"])
@pytest.mark.parametrize("order", ["ours first", "theirs first"])
def test_coinciding_curves_on_the_users_axes_all_show_with_their_legend(
    twins, order, layout, tmp_path
):
    models = twins if order == "ours first" else twins[::-1]
    fig, ax = plt.subplots(layout=layout)
    first = LossCurveDisplay.from_estimator(models[0], ax=ax)
    second = LossCurveDisplay.from_estimator(models[1], ax=ax)
    # each estimator in its colour, the later one narrower and on top
    assert first.line_.get_color() != second.line_.get_color()
    assert first.line_.get_linewidth() >= 2 * second.line_.get_linewidth()
    assert first.validation_line_.get_linewidth() == first.line_.get_linewidth()
    assert second.validation_line_.get_linewidth() == second.line_.get_linewidth()
    # both coinciding curves show: the first at the edges of the second
    assert _pixels_of(fig, first.line_.get_color()) > 300
    assert _pixels_of(fig, second.line_.get_color()) > 300
    # the legend, in the saved figure, names every curve
    fig.savefig(tmp_path / "curves.png", bbox_inches=None)
    legend = first.score_ax_.get_legend()
    assert legend is not None and ax.get_legend() is None
    box = legend.get_window_extent(fig.canvas.get_renderer())
    assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1
    assert fig.bbox.y0 <= box.y0 and box.y1 <= fig.bbox.y1
    assert len(legend.get_texts()) == 5  # two training losses, one validation loss, two scores
    assert clipped_texts(fig) == []


def test_legend_inside_the_axes_hides_no_curve_of_either_y_axis():
    epochs = np.arange(50)
    # the loss falls from the upper left, the score rises to the upper right:
    # of the corners only the lower right is free
    loss = 2.0 - 1.8 * np.sqrt(epochs / 49)
    score = 0.1 + 0.8 * epochs / 49
    fig, ax = plt.subplots()
    disp = LossCurveDisplay(loss, validation_scores=score, estimator_name="m").plot(ax=ax)
    fig.canvas.draw()
    box = disp.score_ax_.get_legend().get_window_extent(fig.canvas.get_renderer())
    assert ax.bbox.x0 <= box.x0 and box.x1 <= ax.bbox.x1
    assert ax.bbox.y0 <= box.y0 and box.y1 <= ax.bbox.y1
    for line in (disp.line_, disp.validation_line_):
        path = line.get_transform().transform_path(line.get_path())
        assert box.count_contains(path.vertices) == 0
        assert not path.intersects_bbox(box, filled=False)


def test_axis_labels_say_what_is_drawn(mlp):
    disp = LossCurveDisplay([2.0, 1.0], train_scores=[0.5, 0.7]).plot()
    assert disp.ax_.get_ylabel() == "training loss (cross-entropy + penalty)"
    assert disp.score_ax_.get_ylabel() == "training accuracy"
    disp = LossCurveDisplay.from_estimator(mlp)  # with the held-out loss, without penalty
    assert " ".join(disp.ax_.get_ylabel().split()) == "loss (cross-entropy; training: + penalty)"
    assert disp.score_ax_.get_ylabel() == "validation accuracy"
    LossCurveDisplay([2.0, 1.0], train_scores=[0.5, 0.7]).plot(ax=disp.ax_)
    assert disp.score_ax_.get_ylabel() == "training and validation accuracy"


def test_loss_curve_from_recorded_scores_and_missing_curve():
    disp = LossCurveDisplay(
        [2.0, 1.0, 0.5], train_scores=[0.5, 0.7, 0.9], validation_scores=[0.4, 0.6, 0.7]
    ).plot()
    _render(disp)
    assert disp.train_line_.get_linestyle() == ":"
    assert disp.validation_line_.get_linestyle() == "--"
    assert len(disp.score_ax_.get_lines()) == 2
    theirs = MLPClassifier((3,), solver="lbfgs", max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs.fit(X_DIGITS[:50], Y_DIGITS[:50])
    with pytest.raises(ValueError, match="no loss_curve_"):
        LossCurveDisplay.from_estimator(theirs)


def test_weight_images_of_a_softmax_are_class_templates(softmax):
    disp = WeightImageDisplay.from_estimator(softmax, image_shape=(8, 8))
    _render(disp)
    assert len(disp.images_) == 10
    assert all(im.get_array().shape == (8, 8) for im in disp.images_)
    np.testing.assert_allclose(disp.images_[3].get_array(), softmax.coef_[3].reshape(8, 8))
    titles = [ax.get_title() for ax in disp.axes_.ravel() if ax.get_visible()]
    assert titles == [str(c) for c in range(10)]
    assert disp.colorbar_ is not None
    limits = {im.get_clim() for im in disp.images_}
    assert len(limits) == 1  # one shared, symmetric scale
    low, high = limits.pop()
    assert low == -high


def test_weight_images_of_hidden_units_and_colour_images():
    rng = np.random.RandomState(0)
    X = rng.rand(60, 32 * 32 * 3)
    y = rng.randint(0, 3, 60)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net = MLPClassifierNP((7,), max_iter=2, random_state=0).fit(X, y)
    _, ax = plt.subplots()
    disp = WeightImageDisplay.from_estimator(net, image_shape=(32, 32, 3), ax=ax, max_images=5)
    _render(disp)
    assert disp.ax_ is ax and not ax.axison
    assert len(disp.images_) == 5
    assert disp.images_[0].get_array().shape == (32, 32, 3)
    rgb = np.asarray(disp.images_[0].get_array())
    assert rgb.min() == 0.0 and rgb.max() == 1.0
    assert disp.colorbar_ is None
    assert "5 of the 7 hidden units" in ax.get_title()
    with pytest.raises(ValueError, match="image_shape"):
        WeightImageDisplay.from_estimator(net, image_shape=(32, 32))


def test_weight_images_per_image_scale_and_sklearn_models(softmax):
    theirs = MLPClassifier((6,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs.fit(X_DIGITS, Y_DIGITS)
    disp = WeightImageDisplay.from_estimator(theirs, image_shape=(8, 8)).plot(scale="image")
    _render(disp)
    assert len(disp.images_) == 6
    assert len({im.get_clim() for im in disp.images_}) == 6
    assert disp.colorbar_ is None
    binary = SoftmaxClassifier(solver="lbfgs").fit(X_DIGITS, Y_DIGITS == 3)
    disp = WeightImageDisplay.from_estimator(binary, image_shape=(8, 8))
    assert [ax.get_title() for ax in disp.axes_.ravel()[:1]] == ["True"]


def test_probability_display(softmax):
    x, label = X_DIGITS[7], Y_DIGITS[7]
    disp = ProbabilityDisplay.from_estimator(softmax, x, image_shape=(8, 8), y_true=label)
    _render(disp)
    proba = softmax.predict_proba(x.reshape(1, -1))[0]
    assert len(disp.bars_) == 10
    np.testing.assert_allclose([bar.get_width() for bar in disp.bars_], proba)
    assert disp.image_.get_array().shape == (8, 8)
    np.testing.assert_allclose(disp.image_.get_array(), x.reshape(8, 8))
    labels = [t.get_text() for t in disp.ax_proba_.get_yticklabels()]
    assert labels == [str(c) for c in range(10)]
    green = matplotlib.colors.to_rgba("tab:green")
    assert disp.bars_[label].get_facecolor() == green
    assert f"true {label}" in disp.ax_.get_title()


def test_probability_display_marks_a_wrong_prediction(softmax):
    x = X_DIGITS[0]  # a zero, claimed to be an eight
    disp = ProbabilityDisplay.from_estimator(softmax, x, image_shape=(8, 8), y_true=8)
    red = matplotlib.colors.to_rgba("tab:red")
    predicted = int(np.argmax(softmax.predict_proba(x.reshape(1, -1))))
    assert disp.bars_[predicted].get_facecolor() == red
    assert "wrong" in disp.ax_.get_title()


def test_worst_predictions_are_the_most_confidently_wrong(softmax):
    X, y = X_DIGITS, Y_DIGITS.copy()
    y[:5] = (y[:5] + 1) % 10  # mislabel a few: confidently "wrong"
    disp = WorstPredictionsDisplay.from_estimator(softmax, X, y, image_shape=(8, 8), n_images=4)
    _render(disp)
    proba = softmax.predict_proba(X)
    wrong = np.flatnonzero(softmax.predict(X) != y)
    expected = wrong[np.argsort(-proba[wrong].max(axis=1), kind="stable")][:4]
    np.testing.assert_array_equal(disp.indices, expected)
    assert len(disp.images_) == 4
    assert all(im.get_array().shape == (8, 8) for im in disp.images_)
    assert np.all(np.diff(disp.confidences) <= 0)
    title = disp.axes_.ravel()[0].get_title()
    assert title.startswith(f"true {y[expected[0]]}\npredicted")
    assert f"{disp.n_wrong_} wrong of {len(y)}" in disp.ax_.get_title()


def test_worst_predictions_when_none_is_wrong():
    X = np.r_[np.zeros((5, 4)), np.ones((5, 4))]
    y = np.r_[np.zeros(5), np.ones(5)]
    clf = SoftmaxClassifier(solver="lbfgs").fit(X, y)
    disp = WorstPredictionsDisplay.from_estimator(clf, X, y, image_shape=(2, 2))
    _render(disp)
    assert disp.images_ == []
    assert "no wrong predictions" in [t.get_text() for t in disp.ax_.texts]


@pytest.mark.parametrize(
    "estimator",
    [
        SoftmaxClassifier(random_state=0, max_iter=50),
        MLPClassifierNP((10,), solver="lbfgs", max_iter=30, random_state=0),
    ],
    ids=["softmax", "mlp"],
)
@pytest.mark.parametrize("response_method", ["predict", "predict_proba", "decision_function"])
def test_decision_boundary_display_works_with_our_estimators(estimator, response_method):
    X, y = make_spiral(n_samples=150, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X, y)
    # scikit-learn < 1.7 draws one class's score at a time for multiclass
    # probabilities or logits; newer versions can also blend all classes.
    kwargs = {} if response_method == "predict" else {"class_of_interest": 1}
    disp = DecisionBoundaryDisplay.from_estimator(
        estimator, X, response_method=response_method, grid_resolution=30, alpha=0.5, **kwargs
    )
    disp.ax_.scatter(X[:, 0], X[:, 1], c=y, edgecolor="k")
    disp.figure_.canvas.draw()
    assert disp.response.shape[:2] == (30, 30)
    if response_method == "predict":
        assert set(np.unique(disp.response)) <= {0, 1, 2}
    elif response_method == "predict_proba":
        assert 0 <= disp.response.min() and disp.response.max() <= 1
    else:  # logits of class 1: positive where it beats the others by a margin
        assert disp.response.min() < 0 < disp.response.max()


# ----------------------------------------------------------- no clipped text
LONG_NAMES = [
    "ours",
    "a model whose name is rather long: 30 sigmoid units, per-sample SGD",
    "an extremely long name " * 12,
    "a_name_with_no_space_to_break_it_at_" * 4,
]


def test_the_clipping_check_finds_text_outside_the_figure():
    fig, ax = plt.subplots(layout="constrained")
    ax.set_title("inside")
    assert clipped_texts(fig) == []
    fig.text(0.9, 0.5, "this text runs past the right edge of the figure")
    (found,) = clipped_texts(fig)
    assert "overflows the right" in found


@pytest.mark.parametrize("name", LONG_NAMES, ids=["short", "long", "very-long", "one-word"])
def test_loss_curve_legend_is_never_clipped(mlp, name):
    disp = LossCurveDisplay.from_estimator(mlp, name=name)
    LossCurveDisplay.from_estimator(mlp, ax=disp.ax_, name=name + " (again)")
    assert clipped_texts(disp.figure_) == []
    labels = [t.get_text() for t in disp.score_ax_.get_legend().get_texts()]
    assert len(labels) == 6  # training loss, validation loss and score, twice
    # an entry is wrapped onto at most three lines; a longer name is cut short,
    # but what the curve is stays
    assert all(label.count("\n") < 3 for label in labels)
    flat = [" ".join(label.split()) for label in labels]  # line breaks as spaces
    # the loss axis's curves first: each model's training then validation loss
    assert flat[0].endswith(": training loss") and flat[1].endswith(": validation loss")
    assert flat[2].endswith(": training loss") and flat[3].endswith(": validation loss")
    assert flat[4].endswith(": validation accuracy")
    if len(name) < 80:
        assert flat[0] == f"{name}: training loss"


@pytest.mark.parametrize("name", LONG_NAMES[1:3], ids=["long", "very-long"])
def test_loss_curve_in_a_grid_of_subplots_is_never_clipped(mlp, name):
    fig, axes = plt.subplots(1, 2, figsize=(9, 4), layout="constrained")
    for ax in axes:
        LossCurveDisplay.from_estimator(mlp, ax=ax, name=name)
    assert clipped_texts(fig) == []


def test_short_legend_entries_share_two_columns(mlp):
    disp = LossCurveDisplay.from_estimator(mlp, name="ours")
    assert disp.score_ax_.get_legend()._ncols == 2
    disp = LossCurveDisplay.from_estimator(mlp, name=LONG_NAMES[1])
    assert disp.score_ax_.get_legend()._ncols == 1


def test_score_curves_take_the_style_of_their_loss_curve(mlp):
    disp = LossCurveDisplay.from_estimator(mlp, linewidth=6, alpha=0.4, marker="x")
    line = disp.validation_line_
    assert (line.get_linewidth(), line.get_alpha(), line.get_marker()) == (6, 0.4, "x")
    assert line.get_linestyle() == "--"


def test_image_displays_with_long_names_are_never_clipped(softmax):
    binary = SoftmaxClassifier(solver="lbfgs").fit(X_DIGITS, Y_DIGITS == 3)
    long = "a class with a long name " * 3
    disp = WeightImageDisplay.from_estimator(binary, image_shape=(8, 8), labels=[long])
    assert clipped_texts(disp.figure_) == []  # one narrow tile under a long default title
    disp = WeightImageDisplay.from_estimator(softmax, image_shape=(8, 8), title=long * 3)
    assert clipped_texts(disp.figure_) == []
    names = np.array([f"digit {c} " + "with a long name" * 2 for c in range(10)])
    y = names[Y_DIGITS]
    clf = SoftmaxClassifier(solver="lbfgs", alpha=100.0).fit(X_DIGITS, y)
    disp = WorstPredictionsDisplay.from_estimator(clf, X_DIGITS, y, image_shape=(8, 8))
    assert clipped_texts(disp.figure_) == []
    disp = ProbabilityDisplay.from_estimator(clf, X_DIGITS[0], image_shape=(8, 8), y_true=y[0])
    assert clipped_texts(disp.figure_) == []


# ------------------------------------------------------- channel-first images
def _channels_last(rows, channels, height, width):
    """Rows of channel-first images as rows of the same images, channel-last."""
    images = rows.reshape(-1, channels, height, width).transpose(0, 2, 3, 1)
    return images.reshape(rows.shape[0], -1)


def test_channel_first_and_channel_last_images_look_the_same():
    rng = np.random.RandomState(0)
    rows = rng.rand(3, 3 * 6 * 5)  # three 6x5 RGB images, channels first
    weights = rows.T
    first = WeightImageDisplay(weights, (3, 6, 5)).plot()
    last = WeightImageDisplay(_channels_last(rows, 3, 6, 5).T, (6, 5, 3)).plot()
    for a, b in zip(first.images_, last.images_):
        assert a.get_array().shape == (6, 5, 3)
        np.testing.assert_allclose(a.get_array(), b.get_array())
    y = np.array([0, 1, 2])
    worst = WorstPredictionsDisplay(rows, y, (y + 1) % 3, [0.9, 0.8, 0.7], image_shape=(3, 6, 5))
    worst.plot()
    np.testing.assert_allclose(worst.images_[1].get_array(), last.images_[1].get_array())
    proba = ProbabilityDisplay(rows[2], [0.2, 0.3, 0.5], y, image_shape=(3, 6, 5)).plot()
    np.testing.assert_allclose(proba.image_.get_array(), last.images_[2].get_array())
    _render(proba)


def test_cifar_shaped_weights_of_a_network():
    rng = np.random.RandomState(0)
    X = rng.rand(40, 3 * 32 * 32)  # rows of raw CIFAR-10: the red plane, green, blue
    y = rng.randint(0, 3, 40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net = MLPClassifierNP((4,), max_iter=2, random_state=0).fit(X, y)
    disp = WeightImageDisplay.from_estimator(net, image_shape=(3, 32, 32))
    _render(disp)
    expected = net.coefs_[0][:, 0].reshape(3, 32, 32).transpose(1, 2, 0)
    expected = (expected - expected.min()) / (expected.max() - expected.min())
    np.testing.assert_allclose(disp.images_[0].get_array(), expected)


@pytest.mark.parametrize("shape", [(1, 8, 8), (8, 8, 1), (8, 8)])
def test_one_channel_is_a_grey_image(softmax, shape):
    disp = WeightImageDisplay.from_estimator(softmax, image_shape=shape)
    assert disp.images_[0].get_array().shape == (8, 8)
    np.testing.assert_allclose(disp.images_[0].get_array(), softmax.coef_[0].reshape(8, 8))
    assert disp.colorbar_ is not None  # grey: a diverging colour map and its bar


@pytest.mark.parametrize(
    "shape, channels_first",
    [((3, 32, 32), True), ((32, 32, 3), False), ((4, 4, 3), False), ((3, 4, 4), True),
     ((4, 4, 4), False), ((1, 28, 28), True)],
)  # fmt: skip
def test_how_the_channel_axis_is_told(shape, channels_first):
    from sknumpynet.plotting._common import _check_image_shape

    assert _check_image_shape(shape, math.prod(shape)).channels_first is channels_first


@pytest.mark.parametrize("shape", [(5, 32, 32), (32, 32, 5), (2, 8, 8), (8,), (2, 2, 2, 2)])
def test_shapes_that_are_no_image_are_refused(shape):
    with pytest.raises(ValueError, match=r"image_shape must be .*\(3, 32, 32\)"):
        WeightImageDisplay(np.zeros((math.prod(shape), 2)), shape).plot()


# ------------------------------------------------------------ package layout
def test_displays_are_public_where_users_import_them():
    import pickle

    import sknumpynet
    import sknumpynet.plotting as plotting

    assert sorted(plotting.__all__) == [
        "LossCurveDisplay",
        "ProbabilityDisplay",
        "WeightImageDisplay",
        "WorstPredictionsDisplay",
    ]
    for name in plotting.__all__:
        display = getattr(plotting, name)
        assert getattr(sknumpynet, name) is display
        # pickles name the public module, not the file that defines the class
        assert display.__module__ == "sknumpynet.plotting"
        assert pickle.loads(pickle.dumps(display)) is display
    curves = pickle.loads(pickle.dumps(LossCurveDisplay([3.0, 2.0], estimator_name="ours")))
    assert curves.estimator_name == "ours" and curves.loss_curve == [3.0, 2.0]


@pytest.mark.parametrize("height", [2.6, 3.2, 4.0, 8.0])
def test_colour_bar_label_breaks_between_phrases_only(softmax, height):
    fig, ax = plt.subplots(figsize=(7, height), layout="constrained")
    disp = WeightImageDisplay.from_estimator(softmax, image_shape=(8, 8), ax=ax)
    phrases = ["weight", "(red: pixel counts for,", "blue: against)"]
    label = disp.colorbar_.ax.get_ylabel()
    assert label.replace("\n", " ") == " ".join(phrases)
    # every line is whole phrases
    lines, at = label.split("\n"), 0
    for line in lines:
        n = next(
            k for k in range(1, len(phrases) - at + 1) if " ".join(phrases[at : at + k]) == line
        )
        at += n
    assert at == len(phrases)
    assert clipped_texts(fig) == []


# ------------------------------------------------- every display's own figure
def test_class_colours_are_tab10_in_order():
    from sknumpynet.plotting._common import _class_colors

    colors = _class_colors(12)
    assert colors.shape == (12, 4)
    tab10 = [matplotlib.colors.to_rgba(f"tab:{name}") for name in ["blue", "orange", "green"]]
    np.testing.assert_allclose(colors[:3], tab10)
    np.testing.assert_allclose(colors[10:], colors[:2])  # beyond ten, they repeat


def test_probability_legend_says_what_the_colours_mean(softmax):
    disp = ProbabilityDisplay.from_estimator(softmax, X_DIGITS[0], image_shape=(8, 8), y_true=8)
    legend = disp.ax_proba_.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["true class", "predicted class (wrong)"]
    colors = [handle.get_facecolor() for handle in legend.legend_handles]
    assert colors == [matplotlib.colors.to_rgba(c) for c in ("tab:green", "tab:red")]
    right = ProbabilityDisplay.from_estimator(softmax, X_DIGITS[0], image_shape=(8, 8), y_true=0)
    assert [t.get_text() for t in right.ax_proba_.get_legend().get_texts()] == ["true class"]
    unknown = ProbabilityDisplay.from_estimator(softmax, X_DIGITS[0], image_shape=(8, 8))
    assert unknown.ax_proba_.get_legend() is None  # no colour to explain


def _own_figures(softmax, mlp):
    yield "loss curves", LossCurveDisplay.from_estimator(mlp).figure_
    two = LossCurveDisplay.from_estimator(mlp, name="a")
    LossCurveDisplay([2.0, 1.0, 0.5], train_scores=[0.2, 0.4, 0.6]).plot(ax=two.ax_)
    yield "two loss curves", two.figure_
    yield "weights", WeightImageDisplay.from_estimator(softmax, image_shape=(8, 8)).figure_
    proba = ProbabilityDisplay.from_estimator(softmax, X_DIGITS[0], image_shape=(8, 8), y_true=8)
    yield "probabilities", proba.figure_
    worst = WorstPredictionsDisplay.from_estimator(softmax, X_DIGITS, Y_DIGITS, image_shape=(8, 8))
    yield "worst predictions", worst.figure_


def test_every_display_figure_keeps_text_and_legends_inside_and_entries_apart(
    softmax, mlp, tmp_path
):
    from figure_checks import alike_entries, legends_outside

    for name, fig in _own_figures(softmax, mlp):
        fig.savefig(tmp_path / "figure.png", bbox_inches=None)
        assert clipped_texts(fig) == [], name
        assert legends_outside(fig) == [], name
        assert alike_entries(fig) == [], name


def test_cleared_axes_start_afresh(mlp):
    fig, ax = plt.subplots()
    LossCurveDisplay.from_estimator(mlp, ax=ax)
    ax.cla()
    disp = LossCurveDisplay([2.0, 1.0, 0.5]).plot(ax=ax)
    assert disp.line_.get_linewidth() == 3.0  # the first estimator on these axes again
    assert ax.get_ylabel() == "training loss (cross-entropy + penalty)"
