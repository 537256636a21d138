"""CSV files that the tests of the compare command write."""

import numpy as np


def write_numbers_csv(path, n_rows: int, seed: int = 0) -> np.ndarray:
    """A file of eight numeric features, a text feature of three colours and a 0/1 label.

    Numbers are written with six decimals; returns the numeric features.
    """
    rng = np.random.RandomState(seed)
    X = rng.randn(n_rows, 8)
    colour = rng.choice(["red", "green", "blue"], n_rows)
    with open(path, "w") as f:
        f.write("f0,f1,f2,f3,f4,f5,f6,f7,colour,y\n")
        for row, c in zip(X, colour):
            f.write(",".join(f"{v:.6f}" for v in row) + f",{c},{int(row[0] > 0)}\n")
    return X
