"""The command line: ``python -m sknumpynet compare`` and the ``sknumpynet`` script.

This module parses and checks the options, then runs the other modules of
the package in turn: :mod:`.data` loads each data set, :mod:`.models` builds
the models, :mod:`.measure` fits and measures each one, :mod:`.report`
prints the table and writes the results, :mod:`.figures` draws the figures.
Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
import threading
import time
from contextlib import contextmanager

import numpy as np
from sklearn.metrics import r2_score

from .columns import MISSING
from .data import BUILT_IN, TASKS, load_dataset
from .errors import CommandError
from .measure import measure
from .models import DEFAULT_MAX_ITER, make_models
from .options import (
    MAX_ALPHA,
    MAX_ITER,
    MAX_LAYER_SIZE,
    MAX_SEED,
    check_network_memory,
    parse_alpha,
    parse_batch_size,
    parse_hidden,
    parse_max_iter,
    parse_seed,
)
from .report import below_baseline_note, footnotes, format_table, result_row, write_results
from .target import MAX_AUTO_CLASSES


class Interrupted(BaseException):
    """Ctrl-C (SIGINT) during a run of ``compare``: the run ends, with exit status 130.

    Not a ``KeyboardInterrupt``, which the estimators catch to stop a fit
    early and keep the weights trained so far (as scikit-learn's MLPs do):
    the run would go on and report a half-trained model beside the others.
    """


@contextmanager
def interrupts_end_the_run():
    """Within the block, SIGINT raises :class:`Interrupted` wherever it comes.

    Only in the main thread, and only where SIGINT has Python's default
    handler: a caller that ignores SIGINT (``nohup``) or handles it keeps
    its own way.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return

    def interrupt(signum, frame):
        raise Interrupted

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit status 2."""

    def error(self, message):
        raise CommandError(message)


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser of ``python -m sknumpynet``."""
    from .. import __version__

    parser = _Parser(
        prog="sknumpynet",
        description="Neural networks in plain numpy, beside scikit-learn's.",
    )
    parser.add_argument("--version", action="version", version=f"sknumpynet {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    cmp = commands.add_parser(
        "compare",
        help="fit ours beside scikit-learn's and print a table per task",
        description=(
            "Classification: fit SoftmaxClassifier beside LogisticRegression and "
            "SGDClassifier(log_loss), and MLPClassifierNP beside MLPClassifier with identical "
            "parameters; print test accuracy and log loss. Regression: fit MLPRegressorNP "
            "beside MLPRegressor with identical parameters, and the linear baselines Ridge and "
            "SGDRegressor, all on the target standardized on the training set; print test R2 "
            "and RMSE. Both: fit time, epochs, time per epoch and peak memory. Built-in data "
            "is shipped with scikit-learn or generated: nothing is downloaded."
        ),
    )
    cmp.add_argument(
        "--dataset",
        action="append",
        choices=[*BUILT_IN, "all"],
        help="built-in data set: digits, spiral and mnist-like are classifications, diabetes "
        "and friedman1 regressions; repeat for several (default: all, or none with --csv)",
    )
    cmp.add_argument(
        "--csv",
        metavar="PATH",
        help="your own data: a CSV file with a header row. Feature columns of numbers are "
        "standardized, text columns one-hot encoded, both fitted on the training split; "
        f"missing cells ({', '.join(repr(m) for m in sorted(MISSING) if m)}, empty) are "
        "imputed (numbers: the median; text: a category 'missing') and counted in the report",
    )
    cmp.add_argument(
        "--target",
        metavar="COLUMN",
        help="the CSV column that holds the class labels or the values to predict; none of "
        "its cells may be missing",
    )
    cmp.add_argument(
        "--drop",
        action="append",
        default=[],
        metavar="COLUMN",
        help="a CSV column to leave out, such as an identifier; repeat for several",
    )
    cmp.add_argument(
        "--task",
        choices=["auto", "classification", "regression"],
        default="auto",
        help="auto (default): a CSV target of text makes a classification, and so do whole "
        f"numbers of at most {MAX_AUTO_CLASSES} distinct values (class codes); numbers that "
        "are not all whole (continuous, as scikit-learn's type_of_target says) or more "
        "distinct whole numbers (a count) make a regression; the report says which. "
        "--task classification reads whole numbers as classes, --task regression as a "
        "quantity. With built-in data: only the sets of that task",
    )
    cmp.add_argument(
        "--hidden",
        type=parse_hidden,
        default="100",
        metavar="SIZES",
        help=f"hidden layer sizes of both MLPs, comma-separated, each up to {MAX_LAYER_SIZE} "
        "(default: 100)",
    )
    cmp.add_argument(
        "--solver",
        choices=["sgd", "adam", "lbfgs"],
        help="solver of our models and of scikit-learn's MLP (default: each estimator's own "
        "default)",
    )
    cmp.add_argument(
        "--max-iter",
        type=parse_max_iter,
        metavar="N",
        help=f"epochs (iterations for L-BFGS), up to {MAX_ITER}; default: "
        + ", ".join(f"{k} {v}" for k, v in DEFAULT_MAX_ITER.items()),
    )
    cmp.add_argument(
        "--batch-size",
        type=parse_batch_size,
        default="auto",
        metavar="N",
        help="mini-batch size, or 'auto' for min(200, n_samples); one larger than the "
        "training set is cut to it (default: auto)",
    )
    cmp.add_argument(
        "--alpha",
        type=parse_alpha,
        default=1e-4,
        help=f"L2 penalty, from 0 to {MAX_ALPHA:g} (default: 1e-4)",
    )
    cmp.add_argument(
        "--dtype",
        choices=["float32", "float64"],
        default="float64",
        help="dtype of the data; float32 trains in float32 (default: float64)",
    )
    cmp.add_argument(
        "--seed",
        type=parse_seed,
        default=0,
        metavar="N",
        help=f"seed of data, split and models, from 0 to {MAX_SEED} (default: 0)",
    )
    cmp.add_argument(
        "--out",
        metavar="DIR",
        help="write results.json, results.csv and figures (PNG) here: loss curves, decision "
        "boundaries (classification, two features), predicted against true targets "
        "(regression)",
    )
    cmp.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return parser


def check_args(args) -> None:
    """Reject options that do not go together, and create ``--out`` before any fit."""
    if args.target and not args.csv:
        raise CommandError("--target needs --csv PATH")
    if args.drop and not args.csv:
        raise CommandError("--drop needs --csv PATH: it leaves out a column of the file")
    if args.csv and not args.target:
        raise CommandError(
            "--csv needs --target COLUMN: the column that holds the labels or values to predict"
        )
    if args.csv and args.dataset:
        raise CommandError("give either --dataset or --csv, not both")
    if args.dataset and args.task != "auto":
        for name in args.dataset:
            if name != "all" and TASKS[name] != args.task:
                raise CommandError(f"--task {args.task}: {name} is a {TASKS[name]} data set")
    if args.csv and os.path.isdir(args.csv):
        raise CommandError(f"cannot read {args.csv}: it is a directory, not a CSV file")
    if args.csv and not os.path.exists(args.csv):
        raise CommandError(f"cannot read {args.csv}: no such file")
    if args.out:
        try:
            os.makedirs(args.out, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"cannot create --out directory {args.out}: {exc}") from None


def run(args, progress=None):
    """Fit and measure every model on every data set.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options of ``compare``.
    progress : callable, default=None
        Called with each line of progress; None for none.

    Returns
    -------
    rows : list of dict
        The result rows (see :mod:`.report`).
    fitted : list of tuple
        Per data set, the :class:`~.data.Dataset` and its fitted
        :class:`~.models.Model` list.
    """
    say = progress or (lambda message: None)
    if args.csv:
        keys = ["csv"]
    else:
        names = args.dataset or ["all"]
        keys = [
            key
            for key in BUILT_IN
            if (key in names or "all" in names) and args.task in ("auto", TASKS[key])
        ]
    rows, fitted = [], []
    for key in keys:
        data = load_dataset(
            key,
            seed=args.seed,
            dtype=args.dtype,
            csv_path=args.csv,
            target=args.target,
            task=args.task,
            drop=tuple(dict.fromkeys(args.drop)),
        )
        n_train, n_features = data.X_train.shape
        say(
            f"{data.name}: {n_train} training samples, {n_features} features, {args.dtype}, "
            f"{data.task}"
        )
        n_outputs = 1 if data.task == "regression" else np.unique(data.y_train).shape[0]
        check_network_memory(
            args.hidden,
            n_features,
            n_outputs if n_outputs > 2 else 1,
            dtype=args.dtype,
            name=data.name,
        )
        batch_size = args.batch_size
        if batch_size != "auto" and batch_size > n_train:
            data.notes.append(
                f"--batch-size {batch_size} is more than the {n_train} training samples: "
                "each epoch is one batch of all of them"
            )
            batch_size = n_train
        models = make_models(
            key,
            n_train,
            task=data.task,
            hidden=args.hidden,
            solver=args.solver,
            max_iter=args.max_iter,
            batch_size=batch_size,
            alpha=args.alpha,
            seed=args.seed,
        )
        for i, model in enumerate(models, start=1):
            say(f"{data.name}: fitting {model.name} ({i}/{len(models)})")
            try:
                result = measure(
                    model.estimator,
                    data.X_train,
                    data.y_train,
                    data.X_test,
                    data.y_test,
                    task=data.task,
                )
            except (ValueError, ArithmeticError) as exc:
                raise CommandError(f"{data.name}: {model.name} failed: {exc}") from None
            rows.append(
                result_row(
                    task=data.task,
                    dataset=data.name,
                    n_train=n_train,
                    n_features=n_features,
                    family=model.family,
                    model=model.name,
                    **result,
                )
            )
            score = (
                f"R2 {result['r2']:.3f}"
                if data.task == "regression"
                else f"accuracy {result['accuracy']:.3f}"
            )
            say(f"{data.name}: {model.name}: {score} in {result['fit_s']:.2f} s")
        fitted.append((data, models))
    return rows, fitted


def compare(args, stdout=None, stderr=None) -> int:
    """Run ``sknumpynet compare`` with parsed ``args``; returns the exit status.

    Ctrl-C (SIGINT) ends the whole run by raising :class:`Interrupted`, also
    in the middle of a fit (see :func:`interrupts_end_the_run`);
    :func:`main` turns it into exit status 130.
    """
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    check_args(args)
    start = time.perf_counter()

    def progress(message):
        print(f"[{time.perf_counter() - start:5.1f} s] {message}", file=stderr, flush=True)

    say = None if args.quiet else progress
    with interrupts_end_the_run():
        return _report(args, stdout, say)


def _report(args, stdout, say) -> int:
    """Run, print the tables and notes, and write ``--out``."""
    rows, fitted = run(args, progress=say)
    print(format_table(rows), file=stdout)
    print("", *footnotes(rows), sep="\n", file=stdout)
    notes = [f"{data.name}: {note}" for data, _ in fitted for note in data.notes]
    notes += _model_notes(rows, fitted, alpha=args.alpha)
    if notes:  # how the data was read and prepared: on stdout, so that --quiet keeps it
        print("", *notes, sep="\n", file=stdout)
    stdout.flush()  # here, where a closed pipe is handled, not at exit
    if args.out:
        from .figures import write_figures  # matplotlib: only when figures are asked for

        written = write_results(args.out, rows)
        for data, models in fitted:
            written += write_figures(args.out, data, models)
        if say:
            for path in written:
                say(f"wrote {path}")
    return 0


def _model_notes(rows, fitted, *, alpha) -> list[str]:
    """Notes on the results: an MLP below the linear baseline of a regression."""
    notes = []
    for data, models in fitted:
        if data.task != "regression":
            continue
        of_data = [row for row in rows if row["dataset"] == data.name]
        train_r2 = {
            model.name: _r2(model.estimator, data.X_train, data.y_train) for model in models
        }
        note = below_baseline_note(of_data, train_r2, alpha=alpha)
        if note:
            notes.append(f"{data.name}: {note}")
    return notes


def _r2(estimator, X, y) -> float:
    """R² of a fitted regressor on ``X``, NaN where it predicts non-finite values."""
    predicted = estimator.predict(X)
    if not np.isfinite(predicted).all():
        return math.nan
    return float(r2_score(y, predicted))


def main(argv=None) -> int:
    """Entry point of ``python -m sknumpynet`` and of the ``sknumpynet`` script.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments; ``sys.argv[1:]`` when None.

    Returns
    -------
    status : int
        0 on success, 2 for bad arguments or unreadable input (with one line
        on stderr saying why; no arguments at all print the usage and the
        commands before it, as argparse's convention for a missing command).
        Nothing prints a traceback: 1 (and one line) for an unexpected error,
        130 for Ctrl-C (one line; the run ends there, with no table, also
        when it comes in the middle of a fit), and 1, silently, when the
        reader of stdout goes away (``sknumpynet compare | head -1``).

    Examples
    --------
    >>> from sknumpynet.__main__ import main
    >>> main(["compare", "--dataset", "spiral", "--max-iter", "3", "--hidden", "4", "--quiet"])
    ... # doctest: +ELLIPSIS
    dataset  model               accuracy  log loss  fit s  epochs  ms/epoch  peak MiB
    -------  ------------------  --------  --------  -----  ------  --------  --------
    spiral   SoftmaxClassifier  ...
    spiral   LogisticRegression ...
    spiral   SGDClassifier      ...
    spiral   MLPClassifierNP    ...
    spiral   MLPClassifier      ...
    <BLANKLINE>
    ms/epoch: fit time / epochs (L-BFGS: / iterations); peak MiB: ...
    0
    >>> main(["compare", "--max-iter", "0"])
    2
    """
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:  # the usage and the commands, on stderr as argparse's errors (exit 2)
        print(parser.format_help(), file=sys.stderr)
        _error("give a command, e.g. sknumpynet compare --dataset spiral")
        return 2
    try:
        args = parser.parse_args(argv)
        return compare(args)
    except CommandError as exc:
        _error(exc)
        return 2
    except BrokenPipeError:
        _discard_stdout()
        return 1
    except (KeyboardInterrupt, Interrupted):
        _error("interrupted")
        return 130
    except Exception as exc:  # a bug, or a failure nothing above foresaw
        _error(f"unexpected {type(exc).__name__}: {exc}")
        return 1


def _error(message) -> None:
    """One line on stderr, whatever line breaks the message holds."""
    print(f"sknumpynet: error: {' '.join(str(message).split())}", file=sys.stderr, flush=True)


def _discard_stdout() -> None:
    """Point stdout at devnull once its reader has gone, so that the flush at exit
    raises no second BrokenPipeError (the recipe of Python's signal module docs)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a file: nothing left to flush
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
