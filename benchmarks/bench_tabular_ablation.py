"""What each part of the tabular estimators' recipe costs and gives: an ablation.

On the development suite of ``bench_tabular.py`` (the same data sets and
splits; ``--suite held-out`` or ``all`` for the others),
``TabularMLPClassifier``/``TabularMLPRegressor`` are fitted with their
defaults and with one part changed at a time. Prints, per variant, the mean
test score over the data sets, its mean difference with the defaults (and
the spread of that difference), on how many data sets the variant scores
higher and lower, the mean CPU seconds of a fit (``time.process_time``,
which counts every thread and holds on a busy machine better than wall
time), and for the classifiers the mean difference of the test log loss.

    python benchmarks/bench_tabular_ablation.py [--seeds 1] [--first-seed 0] \\
        [--suite development] [--only NAME ...] [--variants NAME ...] \\
        [--save FILE.jsonl] [--results FILE.jsonl]

A fit takes seconds: ``--save`` appends each fit's record to a JSON-lines
file as it ends, and ``--results`` prints the table from such a file without
fitting anything.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.metrics import log_loss

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _tables_data import add_suite_options, chosen, split  # noqa: E402

# One part removed or changed at a time; each applies where the estimator has it.
VARIANTS = {
    "defaults": {},
    "no numerical embedding": {"numerical_embedding": None},
    "periodic embedding (RealMLP's)": {"numerical_embedding": "periodic"},
    "piecewise-linear embedding, 8 values": {"embedding_dim": 8},
    "piecewise-linear embedding, 128 bins": {"n_bins": 128},
    "no scale layer": {"feature_scale": False},
    "no parametric activations": {"parametric_activation": False},
    "standard parametrization (lr 1e-3)": {
        "parametrization": "standard",
        "learning_rate_init": 0.001,
    },
    "no dropout": {"dropout": 0.0},
    "no weight decay": {"weight_decay": 0.0},
    "constant weight decay": {"weight_decay_schedule": None},
    "no label smoothing": {"label_smoothing": 0.0},
    "last epoch, not the best": {"early_stopping": False},
    "best epoch on the loss": {"scoring": "loss"},
    "one network (n_cv=1)": {"n_cv": 1},
    "5 networks on every table (n_cv=5)": {"n_cv": 5},
    "best epoch on the loss, no label smoothing": {"scoring": "loss", "label_smoothing": 0.0},
    "256 epochs (RealMLP's)": {"max_iter": 256},
    "4 members": {"n_members": 4},
    "4 members of 128 units": {"n_members": 4, "hidden_layer_sizes": (128, 128, 128)},
}


def fit_variant(name: str, seed: int, variant: str) -> dict | None:
    from sknumpynet import TabularMLPClassifier, TabularMLPRegressor

    X_train, X_test, y_train, y_test, task = split(name, seed)
    cls = TabularMLPClassifier if task == "classification" else TabularMLPRegressor
    params = VARIANTS[variant]
    if not set(params) <= set(cls().get_params()):
        return None
    model = cls(random_state=seed, **params)
    start = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X_train, y_train)
    cpu = time.process_time() - start
    record = {
        "dataset": name,
        "seed": seed,
        "variant": variant,
        "score": float(model.score(X_test, y_test)),
        "cpu_seconds": cpu,
        "n_iter": int(np.mean([m.n_iter_ for m in getattr(model, "estimators_", [model])])),
    }
    if task == "classification":
        proba = model.predict_proba(X_test)
        record["log_loss"] = float(log_loss(y_test, proba, labels=model.classes_))
    return record


def table(records: list[dict]) -> None:
    by = {(r["dataset"], r["seed"], r["variant"]): r for r in records}
    runs = sorted({(d, s) for d, s, v in by if v == "defaults"})
    print(
        "| variant | mean score | difference with the defaults (spread) | higher / lower |"
        " CPU s per fit | log loss difference (spread), classifiers |"
    )
    print("|---|---|---|---|---|---|")
    for variant in VARIANTS:
        pairs = [
            (by[(d, s, variant)], by[(d, s, "defaults")]) for d, s in runs if (d, s, variant) in by
        ]
        if not pairs:
            continue
        diff = np.array([a["score"] - b["score"] for a, b in pairs])
        score = np.mean([a["score"] for a, _ in pairs])
        cpu = np.mean([a["cpu_seconds"] for a, _ in pairs])
        higher, lower = int((diff > 0).sum()), int((diff < 0).sum())
        spread = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else float("nan")
        sets = "" if len(pairs) == len(runs) else f" ({len(pairs)} of {len(runs)} runs)"
        both = [(a, b) for a, b in pairs if "log_loss" in a and "log_loss" in b]
        losses = np.array([a["log_loss"] - b["log_loss"] for a, b in both])
        loss = "—"
        if len(losses) > 1:
            loss_spread = losses.std(ddof=1) / np.sqrt(len(losses))
            loss = f"{losses.mean():+.4f} (±{loss_spread:.4f})"
        print(
            f"| {variant}{sets} | {score:.4f} | {diff.mean():+.4f} (±{spread:.4f}) | "
            f"{higher} / {lower} | {cpu:.1f} | {loss} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--first-seed", type=int, default=0, help="seeds first-seed, ...")
    add_suite_options(parser)
    parser.add_argument("--variants", nargs="*", choices=list(VARIANTS), default=list(VARIANTS))
    parser.add_argument("--save", help="JSON-lines file to append each fit's record to")
    parser.add_argument("--results", help="JSON-lines file of saved records: print only")
    args = parser.parse_args()
    args.only = chosen(args)
    if args.results:
        records = [json.loads(line) for line in Path(args.results).read_text().splitlines()]
        table(records)
        return
    records = []
    for name in args.only:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            for variant in dict.fromkeys(["defaults", *args.variants]):
                record = fit_variant(name, seed, variant)
                if record is None:
                    continue
                records.append(record)
                print(json.dumps(record), file=sys.stderr, flush=True)
                if args.save:
                    with open(args.save, "a") as f:
                        print(json.dumps(record), file=f)
    table(records)


if __name__ == "__main__":
    main()
