#!/usr/bin/env python3
"""Cross-checks the worked example against numpy and scikit-learn, on the very view consentric
segmented (exported with `consentric gate view ... --out view.csv`):

- RFM cut points: numpy.percentile of the purchasers, against the cuts in `segment show rfm`;
- k-means: scikit-learn's KMeans with as many k-means++ starts, the same transform and scaling
  (log1p, StandardScaler or RobustScaler) on the same features and k, against consentric's
  inertia and silhouette in `segment show clusters`.

Usage: cross_check.py VIEW_CSV RFM_JSON CLUSTERS_JSON   (run with /usr/bin/python3: Debian's
python3-sklearn and python3-numpy)"""
import csv
import json
import sys

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import RobustScaler, StandardScaler

if len(sys.argv) != 4:
    sys.exit(__doc__)
with open(sys.argv[1], newline="") as f:
    rows = list(csv.DictReader(f))
rfm = json.load(open(sys.argv[2]))["model"]["cuts"]
clusters = json.load(open(sys.argv[3]))["model"]


def column(name):
    return np.array([float(r[name]) if r[name] != "" else np.nan for r in rows])


freq, money, since = column("frequency"), column("monetary"), column("days_since_purchase")
buyers = (freq > 0) & ~np.isnan(since)
for name, values in (("recency_days", since), ("frequency", freq), ("monetary", money)):
    ours = np.array(rfm[name])
    numpy_cuts = np.percentile(values[buyers], [20, 40, 60, 80])
    print(f"RFM {name:13s} cuts: ours {np.round(ours, 3).tolist()}, numpy "
          f"{np.round(numpy_cuts, 3).tolist()}, largest difference "
          f"{np.max(np.abs(ours - numpy_cuts)):.2e}")

features = clusters["features"]
x = np.column_stack([column(f) for f in features]).astype(np.float32)
medians = np.array(clusters["imputed_medians"], dtype=np.float32)
x = np.where(np.isnan(x), medians, x)
if clusters.get("log"):
    x = np.log1p(x)
scaler = {"zscore": StandardScaler(), "robust": RobustScaler()}.get(clusters["scaling"])
xs = scaler.fit_transform(x) if scaler is not None else x
k = clusters["k"]
km = KMeans(n_clusters=k, n_init=clusters.get("n_init", 1), random_state=0).fit(xs)
sil = silhouette_score(xs, km.labels_)
print(f"k-means k={k}: inertia ours {clusters['inertia']:.1f}, scikit-learn {km.inertia_:.1f} "
      f"(ratio {clusters['inertia'] / km.inertia_:.4f}); silhouette ours "
      f"{clusters['silhouette']:.3f}, scikit-learn {sil:.3f}")
