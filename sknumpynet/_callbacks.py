"""scikit-learn's callbacks (``sklearn.callback``, scikit-learn >= 1.9), as a training hook.

Where the installed scikit-learn has the callback API, the estimators take
``set_callbacks`` from its ``CallbackSupportMixin`` and every epoch (every
L-BFGS iteration) is a subtask of the fit: ``ProgressBar`` shows epochs,
``ScoringMonitor`` scores the model after each one, and callbacks set on a
``Pipeline`` or a search reach the estimators inside. A callback asking to
stop stops any solver, L-BFGS included. The end of the fit task is shown the
new model (as ``fitted_estimator``) before it is published, and the
callbacks are torn down before it is too: a callback that raises there fails
the fit, which then changes nothing. On older versions the mixin is an empty
class and nothing here runs.
"""

from __future__ import annotations

from collections.abc import Callable

from ._hooks import Hook

try:
    from sklearn.callback import CallbackSupportMixin, with_callbacks

    CALLBACKS_AVAILABLE = True
except ImportError:  # scikit-learn < 1.9
    CALLBACKS_AVAILABLE = False

    class CallbackSupportMixin:  # type: ignore[no-redef]
        """scikit-learn before 1.9 has no callback API: nothing to support."""

    def with_callbacks(method):  # type: ignore[no-redef]
        return method


def wants_callbacks(estimator) -> bool:
    """Whether callbacks were set on ``estimator`` or reach it from a meta-estimator."""
    return CALLBACKS_AVAILABLE and (
        bool(getattr(estimator, "_skl_callbacks", None))
        or hasattr(estimator, "_parent_callback_ctx")
    )


class SklearnCallbacks(Hook):
    """Each epoch a subtask of the fit's callback context.

    ``attributes(net)`` gives the fitted attributes of the model as it is at
    that moment (scikit-learn builds a ready-to-predict copy of the estimator
    from them, only if a callback asks for it). A callback whose
    ``on_fit_task_end`` returns True stops training.
    """

    def __init__(self, context, estimator, X, y, metadata, attributes: Callable, net):
        self.context = context
        self.call = dict(estimator=estimator, X=X, y=y, metadata=metadata)
        self.attributes = attributes
        self.epoch = self._begin(net)

    def _begin(self, net):
        epoch = self.context.subcontext(task_name="epoch")
        epoch.call_on_fit_task_begin(
            **self.call, reconstruction_attributes=lambda: self.attributes(net)
        )
        return epoch

    def on_epoch_end(self, state, net):
        stop = self.epoch.call_on_fit_task_end(
            **self.call, reconstruction_attributes=lambda: self.attributes(net)
        )
        self.epoch = self._begin(net)
        return bool(stop)

    def on_train_end(self, state, net):
        # The subtask begun after the last epoch never ran: end it empty.
        self.epoch.call_on_fit_task_end(estimator=self.call["estimator"])
