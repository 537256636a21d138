"""The default fit's time on generated tables, beside gradient boosting's.

A table of ``--rows`` rows (default 512 and 5,000) with ``--numbers`` numbers
(16 by default; some skewed, one with missing cells) and 2 categorical columns (5 and 40
categories), a classification target and a regression one. In each round,
``TabularMLPClassifier``, ``TabularMLPRegressor`` and
``HistGradientBoosting*(categorical_features="from_dtype")`` are fitted with
their defaults, interleaved, on the same table; prints per model the median
wall and CPU seconds (``time.process_time``, every thread) of a fit over the
rounds, their range, and the median ratio to gradient boosting's wall time in
the same round. On 512 rows the tabular estimators fit five networks
(``n_cv="auto"``), on 5,000 one.

    python benchmarks/bench_tabular_time.py [--rows 512 5000] [--rounds 3] [--numbers 16]
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

from sknumpynet import TabularMLPClassifier, TabularMLPRegressor


def make_table(n_rows: int, seed: int = 0, n_numbers: int = 16):
    """A DataFrame of ``n_numbers`` numbers (at least 9) and 2 categories, a class
    and a real target."""
    rs = np.random.RandomState(seed)
    numbers = rs.normal(size=(n_rows, n_numbers))
    numbers[:, :4] = np.exp(numbers[:, :4])  # skewed
    frame = pd.DataFrame(numbers, columns=[f"x{j}" for j in range(n_numbers)])
    frame.loc[rs.rand(n_rows) < 0.1, "x5"] = np.nan
    small = rs.randint(0, 5, n_rows)
    large = rs.randint(0, 40, n_rows)
    frame["kind"] = pd.Categorical(np.array(list("abcde"))[small])
    frame["place"] = pd.Categorical([f"p{i}" for i in large])
    signal = (
        np.log(numbers[:, 0])
        + np.sin(2 * numbers[:, 6])
        + numbers[:, 7] * numbers[:, 8]
        + rs.normal(size=5)[small]
        + 0.5 * rs.normal(size=40)[large]
    )
    y_real = signal + 0.5 * rs.normal(size=n_rows)
    y_class = np.digitize(y_real, np.quantile(y_real, [1 / 3, 2 / 3]))
    return frame, y_class, y_real


def timed(model, X, y) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit(X, y)
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[512, 5000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--numbers", type=int, nargs="*", default=[16], help="number columns (at least 9)"
    )
    args = parser.parse_args()
    if min(args.numbers) < 9:
        parser.error("--numbers: the target reads the first 9 number columns")
    print(
        "| rows | columns | model | wall s, median (range) | CPU s, median (range) "
        "| wall / HGB's |"
    )
    print("|---|---|---|---|---|---|")
    for n_rows, n_numbers in itertools.product(args.rows, args.numbers):
        X, y_class, y_real = make_table(n_rows, n_numbers=n_numbers)
        pairs = [
            (TabularMLPClassifier, HistGradientBoostingClassifier, y_class),
            (TabularMLPRegressor, HistGradientBoostingRegressor, y_real),
        ]
        times = {model.__name__: [] for pair in pairs for model in pair[:2]}
        for round_ in range(args.rounds):
            for ours, hgb, y in pairs:
                times[ours.__name__].append(timed(ours(random_state=round_), X, y))
                reference = hgb(categorical_features="from_dtype", random_state=round_)
                times[hgb.__name__].append(timed(reference, X, y))
        for ours, hgb, _ in pairs:
            hgb_wall = np.array(times[hgb.__name__])[:, 0]
            for name in (ours.__name__, hgb.__name__):
                wall, cpu = np.array(times[name]).T
                ratio = np.median(wall / hgb_wall)
                print(
                    f"| {n_rows} | {X.shape[1]} | {name} | "
                    f"{np.median(wall):.2f} ({wall.min():.2f} to "
                    f"{wall.max():.2f}) | {np.median(cpu):.2f} ({cpu.min():.2f} to "
                    f"{cpu.max():.2f}) | {ratio:.1f} |"
                )


if __name__ == "__main__":
    main()
