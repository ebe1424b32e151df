#!/usr/bin/python3
"""The peers of scoring_bench (bench/scoring_bench.cc), run on the same matrices in the same run.

scoring_bench writes, into one temporary folder, a manifest.json and for each data set <name>
four raw files: <name>.train.f32 and <name>.test.f32 (float32, row-major, rows x cols, the
one-hot and scaled features both sides use), <name>.train_y.f32 and <name>.test_y.f32 (float32
labels 0/1), and <name>.ours_lr.f32 (our logistic regression's test probabilities, so that our
AUC can be checked against scikit-learn's roc_auc_score). For each data set the manifest gives
rows, cols, the logistic regression's C, tol and max_iter, XGBoost's parameters and rounds, how
many timed repeats, and whether to time scoring over every row (train and test together).

For each data set it fits and times, loading excluded:
  sklearn_lr   sklearn.linear_model.LogisticRegression(solver="lbfgs", C, tol, max_iter)
  sklearn_nc   the same with solver="newton-cholesky" (scikit-learn's own Newton; information)
  xgboost      xgboost.train(params, DMatrix(train), rounds) - the Python package over the
               same libxgboost our C API calls go to
and reports held-out AUC (roc_auc_score), fit seconds (one per repeat), lbfgs iterations, and,
when asked, predict seconds over every row (predict_proba; Booster.inplace_predict).

Prints ONE JSON line on stdout: a flat object whose keys are "<name>_<peer>_<figure>", plus
"<name>_ours_lr_auc_sklearn" and "<peer>_error" / "<name>_<peer>_error" strings when a peer
cannot run. Always exits 0 once its arguments are valid.

Run with Debian's /usr/bin/python3 (python3-numpy, python3-sklearn, python3-xgboost) and
OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1, as scoring_bench does.
"""

import json
import os
import sys
import time
import warnings


def timed(fn, repeats):
    seconds, result = [], None
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - start)
    return seconds, result


def load(np, folder, name, part, rows, cols):
    x = np.fromfile(os.path.join(folder, f"{name}.{part}.f32"), dtype=np.float32)
    y = np.fromfile(os.path.join(folder, f"{name}.{part}_y.f32"), dtype=np.float32)
    if x.size != rows * cols or y.size != rows:
        raise ValueError(f"{name}.{part}: expected {rows} x {cols}, got {x.size} values")
    return x.reshape(rows, cols), y


def run_sklearn(np, out, d, folder, xtr, ytr, xte, yte):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    name = d["name"]
    ours = os.path.join(folder, f"{name}.ours_lr.f32")
    if os.path.exists(ours):
        p = np.fromfile(ours, dtype=np.float32)
        if p.size == yte.size:
            out[f"{name}_ours_lr_auc_sklearn"] = float(roc_auc_score(yte, p))
    for peer, solver in (("sklearn_lr", "lbfgs"), ("sklearn_nc", "newton-cholesky")):
        key = f"{name}_{peer}"
        try:
            def fit(s=solver):
                return LogisticRegression(solver=s, C=d["C"], tol=d["tol"],
                                          max_iter=d["max_iter"]).fit(xtr, ytr)

            fit()  # warm-up: lazily imported code, first-touch allocations
            seconds, model = timed(fit, d["repeats"])
            out[key + "_fit_seconds"] = seconds
            out[key + "_iterations"] = int(model.n_iter_[0])
            out[key + "_auc"] = float(roc_auc_score(yte, model.predict_proba(xte)[:, 1]))
            if d["score_all"] and peer == "sklearn_lr":
                xall = np.concatenate([xtr, xte])
                seconds, _ = timed(lambda: model.predict_proba(xall), d["repeats"])
                out[key + "_score_seconds"] = seconds
                out[key + "_score_rows"] = int(xall.shape[0])
        except Exception as e:  # report it, measure the others
            out[key + "_error"] = f"{type(e).__name__}: {e}"


def run_xgboost(np, out, d, xtr, ytr, xte, yte):
    import xgboost as xgb
    from sklearn.metrics import roc_auc_score

    name = d["name"]
    key = f"{name}_xgboost"
    try:
        params = dict(d["xgb_params"])
        dtrain = xgb.DMatrix(xtr, label=ytr, missing=float("nan"), nthread=2)
        seconds, booster = timed(lambda: xgb.train(params, dtrain, d["rounds"]),
                                 d["train_repeats"])
        out[key + "_fit_seconds"] = seconds
        p = booster.inplace_predict(xte, missing=float("nan"))
        out[key + "_auc"] = float(roc_auc_score(yte, p))
        if d["score_all"]:
            xall = np.concatenate([xtr, xte])
            booster.inplace_predict(xall[:1000])  # warm-up
            seconds, _ = timed(lambda: booster.inplace_predict(xall, missing=float("nan")),
                               d["repeats"])
            out[key + "_score_seconds"] = seconds
            out[key + "_score_rows"] = int(xall.shape[0])
    except Exception as e:
        out[key + "_error"] = f"{type(e).__name__}: {e}"


def main():
    if len(sys.argv) != 2:
        print("usage: scoring_peers.py FOLDER", file=sys.stderr)
        return 1
    folder = sys.argv[1]
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    out = {"python": sys.version.split()[0]}
    try:
        import numpy as np
    except ImportError as e:
        out["sklearn_error"] = out["xgboost_error"] = f"numpy: {e}"
        print(json.dumps(out))
        return 0
    warnings.simplefilter("ignore")
    have = {}
    for module in ("sklearn", "xgboost"):
        try:
            m = __import__(module)
            out[module] = m.__version__
            have[module] = True
        except ImportError as e:
            out[module + "_error"] = f"{module}: {e}"
    for d in manifest["datasets"]:
        try:
            xtr, ytr = load(np, folder, d["name"], "train", d["train_rows"], d["cols"])
            xte, yte = load(np, folder, d["name"], "test", d["test_rows"], d["cols"])
        except Exception as e:
            out[d["name"] + "_error"] = f"{type(e).__name__}: {e}"
            continue
        if have.get("sklearn"):
            run_sklearn(np, out, d, folder, xtr, ytr, xte, yte)
        if have.get("xgboost") and have.get("sklearn"):
            run_xgboost(np, out, d, xtr, ytr, xte, yte)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
