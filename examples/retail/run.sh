#!/usr/bin/env bash
# The worked example of docs/segments.md on the UCI Online Retail sample: import, then an RFM and
# a k-means segmentation. Needs a built `consentric` (default build/consentric) and the shared
# datasets folder beside the checkout.
#   examples/retail/run.sh [WORK_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${CONSENTRIC:-$root/build/consentric}"
data="$root/../shared/datasets/uci_online_retail_sample.csv"
if [ ! -f "$data" ]; then
  echo "skipped: $data is not there (the shared datasets folder sits beside the checkout)"
  exit 0
fi
work="${1:-$(mktemp -d)}"
rm -rf "$work/store" && mkdir -p "$work"
/usr/bin/python3 "$root/examples/retail/to_consentric.py" "$data" "$work/data"
"$bin" init "$work/store" --config "$root/examples/retail/consentric.yaml" >/dev/null
for kind in profiles events consents; do
  file=$(ls "$work/data/$kind".*)
  "$bin" --store "$work/store" import "$kind" "$file"
done
"$bin" --store "$work/store" segment create rfm --purpose segmentation --rfm
echo
"$bin" --store "$work/store" segment create clusters --purpose segmentation --kmeans \
  --features recency_days,tenure_days,frequency,monetary --log --k-range 3-6

# The same view and results, checked against numpy and scikit-learn where Debian's are there.
if /usr/bin/python3 -c "import sklearn" 2>/dev/null; then
  "$bin" --store "$work/store" --json segment show rfm >"$work/rfm.json"
  "$bin" --store "$work/store" --json segment show clusters >"$work/clusters.json"
  as_of=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['latest_run']['as_of'])" "$work/rfm.json")
  "$bin" --store "$work/store" -q gate view --purpose segmentation --as-of "$as_of" \
    --columns recency_days,tenure_days,frequency,monetary,days_since_purchase --out "$work/view.csv" >/dev/null
  echo
  /usr/bin/python3 "$root/examples/retail/cross_check.py" "$work/view.csv" "$work/rfm.json" "$work/clusters.json"
fi
