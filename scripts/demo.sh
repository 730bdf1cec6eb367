#!/usr/bin/env bash
# The Customer 360 demo of seed 000 (Trino cross-database federation), on local stand-ins:
#   PostgreSQL customers  -> a SQLite database, registered as catalog `postgresql` (schema public)
#   Iceberg transactions, products -> real Iceberg tables (format v2; transactions partitioned by
#   day(transaction_date)) in a serverless SQL catalog (SQLite) under lakehouse/, written by aishell
#   itself (CREATE TABLE ... WITH (partitioning = ...) AS SELECT from generated CSV files), registered
#   as catalog `iceberg` (aishell connect ... --type iceberg)
# then runs the seed's Trino SQL unchanged and checks the seed's validations.
#
# Environment: BUILD_DIR (default build), DEMO_CUSTOMERS (100000), DEMO_PRODUCTS (10000),
# DEMO_TRANSACTIONS (1000000), DEMO_DIR (default $BUILD_DIR/demo).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
BUILD_DIR="${BUILD_DIR:-build}"
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
AISHELL="$BUILD_DIR/aishell"
DEMO_DIR="${DEMO_DIR:-$BUILD_DIR/demo}"
case "$DEMO_DIR" in /*) ;; *) DEMO_DIR="$ROOT/$DEMO_DIR" ;; esac
CUSTOMERS="${DEMO_CUSTOMERS:-100000}"
PRODUCTS="${DEMO_PRODUCTS:-10000}"
TRANSACTIONS="${DEMO_TRANSACTIONS:-1000000}"

if [[ ! -x "$AISHELL" ]]; then
  echo "demo: $AISHELL is missing; build first (make build)" >&2
  exit 1
fi

fail() {
  echo "❌ demo check failed: $*" >&2
  exit 1
}

step() { printf '\n━━━ %s ━━━\n' "$*"; }

# 1. Data (regenerated when the sizes or the date change; transaction dates are relative to today).
step "Generating seed 000 data ($CUSTOMERS customers, $PRODUCTS products, $TRANSACTIONS transactions)"
mkdir -p "$DEMO_DIR"
stamp="iceberg-ctas $CUSTOMERS $PRODUCTS $TRANSACTIONS $(date -u +%F)"
if [[ -f "$DEMO_DIR/.stamp" && "$(cat "$DEMO_DIR/.stamp")" == "$stamp" && -f "$DEMO_DIR/customers.db" ]]; then
  echo "reusing the data in $DEMO_DIR"
else
  rm -f "$DEMO_DIR/.stamp"
  rm -rf "$DEMO_DIR/warehouse" "$DEMO_DIR/lakehouse"
  python3 scripts/gen_demo_data.py --out "$DEMO_DIR" --customers "$CUSTOMERS" --products "$PRODUCTS" \
    --transactions "$TRANSACTIONS" --today "$(date -u +%F)"
  # aishell loads the CSV files into Iceberg tables (Parquet data files, manifests, a snapshot,
  # committed through the SQLite catalog), with the column types of the seed's Spark tables.
  load_home="$DEMO_DIR/load-home"
  rm -rf "$load_home"
  mkdir -p "$DEMO_DIR/lakehouse/warehouse"
  AISHELL_HOME="$load_home" "$AISHELL" connect "file://$DEMO_DIR/warehouse" --name staging >/dev/null
  AISHELL_HOME="$load_home" "$AISHELL" connect "sqlite://$DEMO_DIR/lakehouse/catalog.db" --type iceberg \
    --name iceberg --property "warehouse=file://$DEMO_DIR/lakehouse/warehouse" >/dev/null
  AISHELL_HOME="$load_home" "$AISHELL" query "CREATE TABLE iceberg.demo.products AS
    SELECT product_id, product_name, category, CAST(unit_price AS DOUBLE) AS unit_price
    FROM staging.demo.products"
  AISHELL_HOME="$load_home" "$AISHELL" query "CREATE TABLE iceberg.demo.transactions
    WITH (partitioning = ARRAY['day(transaction_date)'], format = 'PARQUET') AS
    SELECT transaction_id, customer_id, product_id, CAST(quantity AS BIGINT) AS quantity,
           CAST(transaction_date AS DATE) AS transaction_date, CAST(total_amount AS DOUBLE) AS total_amount
    FROM staging.demo.transactions"
  rm -rf "$load_home" "$DEMO_DIR/warehouse"  # the CSV copies: the lakehouse holds the same rows
  echo "$stamp" > "$DEMO_DIR/.stamp"
fi

# 2. Sources, in a demo AISHELL_HOME.
export AISHELL_HOME="$DEMO_DIR/home"
rm -rf "$AISHELL_HOME"
mkdir -p "$AISHELL_HOME"
step "Connecting the sources"
"$AISHELL" connect "sqlite://$DEMO_DIR/customers.db" --name postgresql --property schema=public
"$AISHELL" connect "sqlite://$DEMO_DIR/lakehouse/catalog.db" --type iceberg --name iceberg \
  --property "warehouse=file://$DEMO_DIR/lakehouse/warehouse"
"$AISHELL" connections

# The seed's Trino SQL, unchanged.
CUSTOMER_360="SELECT 
    t.transaction_id,
    c.customer_name,
    c.email,
    c.region,
    p.product_name,
    p.category,
    t.quantity,
    t.transaction_date,
    t.quantity * p.unit_price AS calculated_amount
FROM iceberg.demo.transactions t
LEFT JOIN postgresql.public.customers c
    ON t.customer_id = c.customer_id
LEFT JOIN iceberg.demo.products p
    ON t.product_id = p.product_id
ORDER BY t.transaction_date DESC
LIMIT 100;"

REGIONAL="SELECT 
    c.region,
    COUNT(*) as total_transactions,
    SUM(t.quantity * p.unit_price) as total_revenue,
    AVG(t.quantity * p.unit_price) as avg_transaction,
    COUNT(DISTINCT c.customer_id) as unique_customers
FROM iceberg.demo.transactions t
JOIN postgresql.public.customers c ON t.customer_id = c.customer_id
JOIN iceberg.demo.products p ON t.product_id = p.product_id
WHERE t.transaction_date >= CURRENT_DATE - INTERVAL '30' DAY
GROUP BY c.region
ORDER BY total_revenue DESC;"

# The notebook's category analysis (a Spark groupBy) written as SQL over the Customer 360 join.
CATEGORY="SELECT
    p.category,
    COUNT(*) AS total_transactions,
    SUM(t.quantity) AS total_units_sold,
    SUM(t.quantity * p.unit_price) AS total_revenue
FROM iceberg.demo.transactions t
LEFT JOIN postgresql.public.customers c ON t.customer_id = c.customer_id
LEFT JOIN iceberg.demo.products p ON t.product_id = p.product_id
GROUP BY p.category
ORDER BY total_revenue DESC"

# The seed's Superset dataset query, unchanged.
REGION_CATEGORY="SELECT 
    c.region,
    p.category,
    SUM(t.quantity * p.unit_price) as revenue
FROM iceberg.demo.transactions t
JOIN postgresql.public.customers c ON t.customer_id = c.customer_id
JOIN iceberg.demo.products p ON t.product_id = p.product_id
GROUP BY c.region, p.category"

json_count() {  # SQL -> the number of result rows (jsonl)
  "$AISHELL" query --format jsonl "$1" | grep -c . || true
}
scalar() {  # SQL returning one value -> that value
  "$AISHELL" query --format csv "$1" | sed -n 2p
}

step "Customer 360 (PostgreSQL + Iceberg transactions + Iceberg products), first rows"
"$AISHELL" query --max-rows 10 "$CUSTOMER_360"
rows=$(json_count "$CUSTOMER_360")
[[ "$rows" == 100 ]] || fail "the Customer 360 query returned $rows rows, expected 100"
latest=$(scalar "SELECT max(transaction_date) FROM iceberg.demo.transactions")
first_date=$("$AISHELL" query --format csv "$CUSTOMER_360" | sed -n 2p | python3 -c "import csv,sys; print(next(csv.reader(sys.stdin))[7])")
[[ "$first_date" == "$latest" ]] || fail "Customer 360 is not ordered by transaction_date DESC ($first_date vs latest $latest)"

step "Regional performance (last 30 days)"
"$AISHELL" query "$REGIONAL"

step "Category performance"
"$AISHELL" query "$CATEGORY"

step "Revenue by region and category (the Superset dataset)"
"$AISHELL" query --max-rows 30 "$REGION_CATEGORY"

step "Validation"
C360_FROM="FROM iceberg.demo.transactions t
LEFT JOIN postgresql.public.customers c ON t.customer_id = c.customer_id
LEFT JOIN iceberg.demo.products p ON t.product_id = p.product_id"
customer_360_count=$(scalar "SELECT count(*) $C360_FROM")
transactions_count=$(scalar "SELECT count(*) FROM iceberg.demo.transactions")
[[ -n "$customer_360_count" && "$customer_360_count" == "$transactions_count" ]] ||
  fail "Customer 360 should match transaction count (left join): $customer_360_count vs $transactions_count"
[[ "$transactions_count" == "$TRANSACTIONS" ]] ||
  fail "iceberg.demo.transactions has $transactions_count rows, generated $TRANSACTIONS"
echo "✅ Customer 360 view: $customer_360_count rows"
enriched_count=$(scalar "SELECT count(*) $C360_FROM WHERE c.customer_name IS NOT NULL AND p.product_name IS NOT NULL")
[[ "$enriched_count" =~ ^[0-9]+$ && "$enriched_count" -gt 0 ]] || fail "Should have enriched rows from all sources (got '$enriched_count')"
echo "✅ Enriched rows (all 3 sources): $enriched_count"
regional_count=$(json_count "$REGIONAL")
[[ "$regional_count" -gt 0 ]] || fail "Should have regional analytics"
echo "✅ Regional breakdown: $regional_count regions"
echo
echo "✅ All validations passed!"

# Seed 002's first question, in English, over the demo's sources (the offline translator, src/nl/):
# the panel (sources, join, filters, SQL, plan) and the answer, without a prompt.
step "An English question (offline translator)"
QUESTION="Show me customers from postgresql who bought Electronics last week"
echo "aishell query \"$QUESTION\" --yes --max-rows 10"
"$AISHELL" query "$QUESTION" --yes --max-rows 10 2>&1 || fail "the English question was not answered"
