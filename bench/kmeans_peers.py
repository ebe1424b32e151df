#!/usr/bin/python3
"""The peers of kmeans_bench (bench/kmeans_bench.cc), run on the same data in the same run.

Reads a raw float32 matrix (rows x cols, row-major) and k initial centroids (raw float32,
k x cols) written by kmeans_bench, and times, on that data and from those centroids:

  sklearn_lloyd     sklearn.cluster.KMeans(init=<centroids>, n_init=1, max_iter, tol=0,
                    algorithm="lloyd")
  sklearn_elkan     the same with algorithm="elkan"
  faiss             faiss.Kmeans(d, k, niter) trained with init_centroids, on every row
                    (max_points_per_centroid raised so it does not subsample)
  sklearn_kmeanspp  sklearn.cluster.kmeans_plusplus(X, k): seeding only

Each is timed inside Python, loading excluded, `repeats` times (a small warm-up fit first, so
module loading and thread start-up are not timed). Prints ONE JSON line on stdout: a flat
object whose keys are "<peer>_<figure>": seconds (list, one per repeat), iterations (sklearn's
n_iter_; faiss always runs niter), inertia (the library's own figure: sklearn's inertia_; for
faiss the sum of its index-search distances), inertia_f64 (the inertia of the final centroids
recomputed here in float64, outside the timing, the figure kmeans_bench compares) and error
(a string when the peer could not run; its other keys are then absent). Always exits 0 once
its arguments are valid: a missing module is an error of the peers that need it.

Run it with Debian's /usr/bin/python3 (which sees python3-numpy, python3-sklearn and
python3-faiss) and OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1, as kmeans_bench does.
"""

import argparse
import json
import sys
import time
import warnings

PEERS = ("sklearn_lloyd", "sklearn_elkan", "faiss", "sklearn_kmeanspp")


def inertia_f64(np, x, centroids):
    """Sum over rows of the squared distance to the nearest centroid, in float64."""
    c = centroids.astype(np.float64)
    total = 0.0
    step = 32768
    for start in range(0, x.shape[0], step):
        block = x[start:start + step].astype(np.float64)
        d = ((block[:, None, :] - c[None, :, :]) ** 2).sum(axis=2)
        total += float(d.min(axis=1).sum())
    return total


def timed(fn, repeats):
    """Runs fn() `repeats` times; returns the seconds of each run and the last result."""
    seconds, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - start)
    return seconds, result


def run_sklearn(np, out, x, init, args):
    from sklearn.cluster import KMeans, kmeans_plusplus

    small = x[: max(args.k * 4, 1000)]
    for algorithm in ("lloyd", "elkan"):
        name = "sklearn_" + algorithm
        try:
            def fit(data=x, algo=algorithm):
                return KMeans(n_clusters=args.k, init=init, n_init=1, max_iter=args.iterations,
                              tol=0, algorithm=algo, copy_x=True).fit(data)

            fit(small)  # warm-up: OpenMP threads, lazily imported code
            seconds, model = timed(fit, args.repeats)
            out[name + "_seconds"] = seconds
            out[name + "_iterations"] = int(model.n_iter_)
            out[name + "_inertia"] = float(model.inertia_)
            out[name + "_inertia_f64"] = inertia_f64(np, x, model.cluster_centers_)
        except Exception as e:  # report it, measure the others
            out[name + "_error"] = f"{type(e).__name__}: {e}"

    name = "sklearn_kmeanspp"
    try:
        def seed(data=x):
            return kmeans_plusplus(data, n_clusters=args.k, random_state=args.seed)

        seed(small)
        seconds, _ = timed(seed, args.kmeanspp_repeats)
        out[name + "_seconds"] = seconds
    except Exception as e:
        out[name + "_error"] = f"{type(e).__name__}: {e}"


def run_faiss(np, out, x, init, args):
    import faiss

    faiss.omp_set_num_threads(2)
    rows, cols = x.shape
    try:
        def fit(data=x, niter=args.iterations):
            # Every row takes part: faiss otherwise subsamples 256 points per centroid.
            km = faiss.Kmeans(cols, args.k, niter=niter, nredo=1, verbose=False, seed=args.seed,
                              max_points_per_centroid=data.shape[0] // args.k + 1,
                              min_points_per_centroid=1)
            km.train(data, init_centroids=init)
            return km

        fit(x[: max(args.k * 4, 1000)], 2)
        seconds, km = timed(fit, args.repeats)
        out["faiss_seconds"] = seconds
        out["faiss_iterations"] = args.iterations
        dist, _ = km.index.search(x, 1)
        out["faiss_inertia"] = float(dist.astype(np.float64).sum())
        out["faiss_inertia_f64"] = inertia_f64(np, x, km.centroids)
    except Exception as e:
        out["faiss_error"] = f"{type(e).__name__}: {e}"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True)
    p.add_argument("--rows", type=int, required=True)
    p.add_argument("--cols", type=int, required=True)
    p.add_argument("--init", required=True)
    p.add_argument("--k", type=int, required=True)
    p.add_argument("--iterations", type=int, default=50)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--kmeanspp-repeats", type=int, default=5)
    args = p.parse_args()

    out = {"python": sys.version.split()[0]}
    try:
        import numpy as np
    except ImportError as e:
        for name in PEERS:
            out[name + "_error"] = f"numpy: {e}"
        print(json.dumps(out))
        return 0
    out["numpy"] = np.__version__
    warnings.simplefilter("ignore")

    x = np.fromfile(args.data, dtype=np.float32, count=args.rows * args.cols)
    init = np.fromfile(args.init, dtype=np.float32, count=args.k * args.cols)
    if x.size != args.rows * args.cols or init.size != args.k * args.cols:
        print(f"kmeans_peers.py: {args.data} or {args.init} is shorter than its shape",
              file=sys.stderr)
        return 1
    x = x.reshape(args.rows, args.cols)
    init = init.reshape(args.k, args.cols)

    try:
        import sklearn
        out["sklearn"] = sklearn.__version__
        run_sklearn(np, out, x, init, args)
    except ImportError as e:
        for name in ("sklearn_lloyd", "sklearn_elkan", "sklearn_kmeanspp"):
            out[name + "_error"] = f"sklearn: {e}"
    try:
        import faiss
        out["faiss"] = getattr(faiss, "__version__", "unknown")
        run_faiss(np, out, x, init, args)
    except ImportError as e:
        out["faiss_error"] = f"faiss: {e}"

    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
