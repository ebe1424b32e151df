#!/usr/bin/env python3
"""Turns the UCI Online Retail sample (../shared/datasets/uci_online_retail_sample.csv) into
consentric import files for the worked example in docs/segments.md.

- one `order` event per invoice: amount = sum of quantity x unit price over its lines,
  cancellations (invoice numbers starting with C), lines without a customer and lines with a
  non-positive quantity or price left out;
- times shifted by a whole number of days so that the last invoice falls on the day before
  today: recency is then measured as if the analysis ran the day after the data ends;
- the data carries no consent, so the example records one: a segmentation grant at each
  customer's first order for 85% of customers (chosen by a hash of the customer number), and
  none for the rest, whom the purpose gate then keeps out.

Usage: to_consentric.py DATASET OUT_DIR"""
import csv
import datetime as dt
import hashlib
import json
import pathlib
import sys

if len(sys.argv) != 3:
    sys.exit(__doc__)
src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)

invoices = {}  # invoice -> [customer, time, amount, items, country]
with src.open(newline="", encoding="utf-8") as f:
    for row in csv.DictReader(f):
        if row["InvoiceNo"].startswith("C") or not row["CustomerID"]:
            continue
        qty, price = int(row["Quantity"]), float(row["UnitPrice"])
        if qty <= 0 or price <= 0:
            continue
        customer = "U" + row["CustomerID"].split(".")[0]
        when = dt.datetime.strptime(row["InvoiceDate"], "%Y-%m-%d %H:%M:%S")
        inv = invoices.setdefault(row["InvoiceNo"], [customer, when, 0.0, 0, row["Country"]])
        inv[2] += qty * price
        inv[3] += qty

last = max(i[1] for i in invoices.values())
today = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
shift = dt.timedelta(days=(today.date() - last.date()).days - 1)

first_order, country = {}, {}
with (out / "events.ndjson").open("w") as f:
    for number, (customer, when, amount, items, ctry) in sorted(invoices.items()):
        t = when + shift
        first_order[customer] = min(first_order.get(customer, t), t)
        country[customer] = ctry
        f.write(json.dumps({"customer_id": customer, "type": "order", "event_id": number,
                            "time": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                            "properties": {"amount": round(amount, 2), "items": items}}) + "\n")

with (out / "profiles.csv").open("w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["customer_id", "country"])
    for customer in sorted(country):
        w.writerow([customer, country[customer]])

with (out / "consents.ndjson").open("w") as f:
    for customer in sorted(first_order):
        if hashlib.sha256(customer.encode()).digest()[0] >= 256 * 85 // 100:
            continue
        t = first_order[customer] - dt.timedelta(minutes=5)
        f.write(json.dumps({"customer_id": customer, "purpose": "segmentation", "action": "grant",
                            "time": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "source": "checkout",
                            "method": "checkbox", "notice_version": "2024-01",
                            "proof": {"form_id": "checkout-v1"}}) + "\n")

print(f"{len(invoices)} orders of {len(country)} customers; "
      f"{sum(1 for _ in (out / 'consents.ndjson').open())} segmentation consents")
