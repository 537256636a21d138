"""The order of the examples in the gallery: from a first network to deployment."""

EXAMPLES = [
    "plot_spiral.py",
    "plot_digits_sgd.py",
    "plot_compare_sklearn.py",
    "plot_regressor.py",
    "plot_activations.py",
    "plot_dropout.py",
    "plot_tabular.py",
    "plot_grid_search.py",
    "plot_callbacks.py",
    "gradient_check.py",
    "plot_onnx_export.py",
]


class ExampleOrder:
    """sphinx-gallery's sort key: the examples in the order of :data:`EXAMPLES`,
    any other after them by file name."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        position = EXAMPLES.index(filename) if filename in EXAMPLES else len(EXAMPLES)
        return position, filename

    def __repr__(self):
        return f"<{type(self).__name__}>"
