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
  --features recency_days,tenure_days,frequency,monetary --scaling robust --k-range 3-6
