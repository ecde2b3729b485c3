/**
 * Whole payloads as production sends them (Stripe, GitHub, Shopify, Segment, IoT), typed by
 * DuckDB's own inference over the rows as a sample is, found by the payload hunt (2026-12-06).
 * The cases marked "failed before" differed before their fix; the others are guards over shapes
 * that agreed already (expandable fields, mixed event types, decimal strings, numbers as text).
 */
import type { ConformanceCase } from "../case.ts";

/** Stripe events: `customer` is an id, an expanded object or null; `metadata` has arbitrary keys; many fields always null. */
const stripe = [
  { id: "evt_1", created: 1733400000, type: "charge.succeeded", data: { object: { id: "ch_1", amount: 1999, amount_refunded: 0, currency: "usd", customer: "cus_A", metadata: { order_id: "9001", "Plan Tier": "gold" }, description: null, failure_code: null } } },
  { id: "evt_2", created: 1733400037, type: "charge.refunded", data: { object: { id: "ch_2", amount: 500, amount_refunded: 500, currency: "eur", customer: { id: "cus_B", object: "customer", email: "b@x.com" }, metadata: {}, description: null, failure_code: null } } },
  { id: "evt_3", created: 1733400074, type: "charge.succeeded", data: { object: { id: "ch_3", amount: 0, amount_refunded: 0, currency: "USD", customer: null, metadata: { order_id: "9003" }, description: null, failure_code: null } } },
  { id: "evt_4", created: 1733400111, type: "charge.failed", data: { object: { id: "ch_4", amount: 2147483648, amount_refunded: 0, currency: "jpy", customer: { id: "cus_C", object: "customer", email: null }, metadata: { "Plan Tier": "" }, description: null, failure_code: null } } },
];

/** GitHub deliveries of three event types in one stream: fields present only in some. */
const github = [
  { ref: "refs/heads/main", commits: [{ id: "a1", message: "fix\n\nbody", timestamp: "2024-03-01T10:00:00+01:00", author: { name: "Zoë", username: null }, added: [], modified: ["README.md"] }, { id: "a2", message: "two", timestamp: "2024-03-01T11:00:00Z", author: { name: "Ünal", username: "u" }, added: ["x"], modified: [] }], repository: { full_name: "o/r", id: 1 }, sender: { login: "o", type: "User" } },
  { action: "opened", issue: { number: 7, title: "Bug — ünïcode", labels: [{ name: "bug", color: "f00" }], closed_at: null }, repository: { full_name: "o/r", id: 1 }, sender: { login: "mona", type: "User" } },
  { action: "synchronize", number: 9, pull_request: { number: 9, additions: 10, deletions: 3, merged_at: null, requested_reviewers: [] }, repository: { full_name: "o/r", id: 1 }, sender: { login: "bot[bot]", type: "Bot" } },
  { ref: "refs/heads/gone", commits: [], repository: { full_name: "o/r", id: 1 }, sender: { login: "o", type: "User" } },
];

/** Shopify orders: prices as decimal text with thousands separators, empty, padded; line items as structs. */
const shop = [
  { id: 1, total_price: "1,299.00", line_items: [{ sku: "A", quantity: 2, price: "19.99" }, { sku: null, quantity: 1, price: "1,299.00" }] },
  { id: 2, total_price: "", line_items: [] },
  { id: 3, total_price: " 3.50 ", line_items: [{ sku: "B", quantity: 3, price: "" }] },
  { id: 4, total_price: "12.345", line_items: null },
  { id: 5, total_price: "-4.00", line_items: [{ sku: "C", quantity: 1, price: "1e2" }] },
];

/** Segment events: `properties` values change type per event; timestamps in several formats and units. */
const segment = [
  { type: "track", event: "Order Completed", timestamp: "2024-03-01T12:00:00.000Z", sentAt: 1709294400000, properties: { revenue: 9.99, plan: "pro", count: 1 } },
  { type: "track", event: "Order Completed", timestamp: "1709294400", sentAt: 1709294400, properties: { revenue: "9.99", plan: { name: "pro", seats: 3 }, count: "2" } },
  { type: "page", event: null, timestamp: "", sentAt: 1709294400123, properties: { revenue: null, plan: null, count: "NaN" } },
  { type: "track", event: "Signed Up", timestamp: "-", sentAt: 1709294400, properties: { revenue: "", plan: "free", count: "-" } },
];

/** IoT readings: numbers as text, integers past 2^63, -0.0, unicode keys, long strings. */
const iot = [
  '{"device":"dev-1","température":"21.5","seq":18446744073709551615,"reading":-0.0,"ключ":{"值":1,"🔑":"k"},"raw":"' + "x".repeat(5000) + '"}',
  '{"device":"dev-2","température":"-0","seq":9223372036854775807,"reading":0,"ключ":{"值":2,"🔑":null},"raw":""}',
  '{"device":"dev-2","température":"NaN","seq":-9223372036854775808,"reading":1e308,"ключ":null,"raw":"é"}',
  '{"device":null,"température":"","seq":1,"reading":-1e-310,"ключ":{"值":null,"🔑":"∞"},"raw":null}',
].map((line) => JSON.parse(line.replace(/"seq":(-?\d+)/, '"seq":"$1"'), (k, v) => (k === "seq" ? BigInt(v as string) : v)) as unknown);

export const cases: ConformanceCase[] = [
  {
    name: "payload: European dates (25-12-2024) in a sample are text, not DATEs read by a format the pipeline's cast cannot read (failed before: every event failed to convert)",
    sql: "SELECT id, d, CAST(strptime(d, '%d-%m-%Y') AS DATE) AS day FROM t",
    rows: [{ id: 1, d: "25-12-2024" }, { id: 2, d: "01-03-2024" }, { id: 3, d: null }],
  },
  {
    name: "payload: two-digit years (25-12-24) are text, not 2025-12-24 to the sample and 0025-12-24 to the pipeline (failed before)",
    sql: "SELECT d, length(d) AS n FROM t",
    rows: [{ d: "25-12-24" }, { d: "01-02-03" }],
  },
  {
    name: "payload: US timestamps with AM/PM and a European date nested in a struct are text (failed before)",
    sql: "SELECT \"at\", strptime(\"at\", '%m-%d-%Y %I:%M:%S %p') AS at_ts, o.d AS od, day FROM t",
    rows: [{ at: "12-25-2024 01:00:00 PM", o: { d: "31-01-2024" }, day: "2024-12-25" }, { at: "12-26-2024 11:00:00 AM", o: { d: null }, day: "2024-01-05" }],
  },
  {
    name: "payload: ISO and European dates in one sample, which DuckDB's inference fails on, load: ISO a DATE, European text (failed before: the check stopped with a DuckDB error)",
    sql: "SELECT d + 1 AS next_day, e FROM t",
    rows: [{ d: "2024-01-01", e: "25-12-2024" }, { d: "2024-01-02", e: "26-12-2024" }],
  },
  {
    name: "payload: (guard) a timestamp column holding 'infinity' is text, as the inference read it as 1900-01-01 and a cast as infinity",
    sql: "SELECT t, TRY_CAST(t AS TIMESTAMP) AS ts FROM t",
    rows: [{ t: "2024-01-01 00:00:00" }, { t: "infinity" }, { t: "-infinity" }],
  },
  {
    name: "payload: (guard) Stripe charges: an expandable customer (id, object or null) read as JSON, metadata keys with spaces, null-only fields",
    sql: `SELECT id, to_timestamp(created) AS created_at, data.object.amount / 100 AS amount, CAST(data.object.amount AS DECIMAL(18,2)) / 100 AS amount_dec,
      data.object.amount - data.object.amount_refunded AS net, upper(data.object.currency) AS cur,
      coalesce(data.object.customer->>'id', data.object.customer->>'$') AS customer_id, data.object.customer->>'email' AS email,
      json_type(data.object.customer) AS customer_kind, data.object.metadata.order_id AS order_id, data.object.metadata."Plan Tier" AS tier,
      data.object.metadata AS metadata, data.object.description AS description, data.object.failure_code IS NULL AS ok
    FROM t`,
    rows: stripe,
  },
  {
    name: "payload: (guard) Stripe totals per tier and currency over null and missing metadata keys",
    sql: "SELECT data.object.metadata.\"Plan Tier\" AS tier, lower(data.object.currency) AS cur, count(*) AS n, sum(data.object.amount) AS cents FROM t GROUP BY ALL",
    rows: stripe,
  },
  {
    name: "payload: (guard) GitHub deliveries of three types in one stream, told apart by the fields each carries",
    sql: `SELECT CASE WHEN ref IS NOT NULL THEN 'push' WHEN issue IS NOT NULL THEN 'issues' WHEN pull_request IS NOT NULL THEN 'pull_request' END AS kind,
      action, sender."type" = 'Bot' AS bot, coalesce(issue.number, pull_request.number, number) AS num, issue.labels[1].name AS label,
      pull_request.additions + pull_request.deletions AS churn, len(commits) AS ncommits, list_transform(commits, c -> c.author.name) AS authors
    FROM t`,
    rows: github,
  },
  {
    name: "payload: (guard) GitHub commits unnested laterally, their offset times to TIMESTAMPTZ, the subject line cut at the first newline",
    sql: "SELECT r.full_name AS repo, c.id AS sha, split_part(c.message, chr(10), 1) AS subject, CAST(c.\"timestamp\" AS TIMESTAMPTZ) AS at, len(c.added) + len(c.modified) AS files FROM (SELECT repository AS r, commits FROM t) AS e, unnest(e.commits) AS u(c)",
    rows: github,
  },
  {
    name: "payload: (guard) Shopify decimal text with thousands separators, padding, empty and exponent forms, per order and per line item",
    sql: `SELECT o.id, TRY_CAST(replace(trim(o.total_price), ',', '') AS DECIMAL(12,2)) AS total, TRY_CAST(o.total_price AS DOUBLE) AS total_d,
      li.sku, li.quantity * TRY_CAST(replace(li.price, ',', '') AS DECIMAL(12,2)) AS line_total
    FROM t AS o, unnest(o.line_items) AS u(li)`,
    rows: shop,
  },
  {
    name: "payload: (guard) Shopify revenue summed from decimal text, unparsable prices counted",
    sql: "SELECT count(*) AS n, sum(TRY_CAST(replace(trim(total_price), ',', '') AS DECIMAL(12,2))) AS revenue, count(*) FILTER (WHERE TRY_CAST(replace(trim(total_price), ',', '') AS DECIMAL(12,2)) IS NULL) AS unparsed FROM t",
    rows: shop,
  },
  {
    name: "payload: (guard) Segment properties whose values change type per event, and timestamps as ISO text, epoch seconds, epoch ms, '' and '-'",
    sql: `SELECT event, properties.revenue AS rev_json, TRY_CAST(properties.revenue ->> '$' AS DOUBLE) AS revenue, json_type(properties.plan) AS plan_kind,
      coalesce(properties.plan ->> 'name', properties.plan ->> '$') AS plan, TRY_CAST(properties.count AS INTEGER) AS cnt,
      CASE WHEN regexp_matches("timestamp", '^\\d{10}$') THEN to_timestamp(CAST("timestamp" AS BIGINT))::TIMESTAMP
           ELSE TRY_CAST(nullif(nullif("timestamp", ''), '-') AS TIMESTAMP) END AS at,
      CASE WHEN sentAt > 100000000000 THEN epoch_ms(sentAt) ELSE to_timestamp(sentAt)::TIMESTAMP END AS sent_at
    FROM t`,
    rows: segment,
  },
  {
    name: "payload: (guard) IoT readings: numbers as text, integers past 2^63 (HUGEINT), -0.0, unicode keys and a 5,000-character string",
    sql: `SELECT device, "température" AS t_raw, TRY_CAST("température" AS DOUBLE) AS temp, seq, seq + 1 AS next_seq, CAST(seq AS VARCHAR) AS seq_text,
      reading, CAST(reading AS VARCHAR) AS reading_text, sign(reading) AS sg, "ключ"."值" AS v, "ключ"."🔑" AS k, length(raw) AS raw_len, md5(raw) AS raw_md5
    FROM t`,
    rows: iot,
  },
  {
    name: "payload: (guard) IoT totals per device over HUGEINT sequence numbers",
    sql: "SELECT device, count(*) AS n, sum(seq) AS s, max(seq) AS m, avg(reading) AS mean FROM t GROUP BY ALL",
    rows: iot,
  },
  {
    name: "payload: (guard) Stripe metadata keys that differ only in case across events (Order_Id, order_id) make the whole data object JSON, read by dot access",
    sql: `SELECT id, data.object.amount AS amount_json, CAST(data.object.amount AS BIGINT) / 100 AS amount, data.object.metadata AS md,
      data.object.metadata.order_id AS oid, data.object.metadata.Order_Id AS oid2, data->'object'->>'currency' AS cur, json_keys(data.object.metadata) AS keys
    FROM t`,
    rows: [
      { id: "evt_1", data: { object: { amount: 1999, currency: "usd", metadata: { order_id: "1" } } } },
      { id: "evt_2", data: { object: { amount: 500, currency: "eur", metadata: { Order_Id: "2", order_id: null } } } },
      { id: "evt_3", data: { object: { amount: null, currency: null, metadata: {} } } },
    ],
  },
  {
    name: "payload: (guard) line items whose elements carry different keys, a list always empty and an object always empty",
    sql: "SELECT id, li.sku, li.qty, li.gift, li.note, tags, extra, len(tags) AS ntags, json_type(extra) AS et FROM (SELECT id, tags, extra, unnest(items) AS li FROM t)",
    rows: [
      { id: 1, items: [{ sku: "A", qty: 1 }, { sku: "B", gift: true }], tags: [], extra: {} },
      { id: 2, items: [{ note: "n", qty: "2" }], tags: [], extra: {} },
      { id: 3, items: [null, {}], tags: null, extra: null },
    ],
  },
  {
    name: "payload: (guard) fields null in every sample event (pinned JSON) that later carry an object, text, a number or a list, read by dot, ->>, casts and json_type",
    sql: `SELECT id, coupon.code AS code, coupon->>'code' AS code_text, coupon->>'$' AS whole, json_type(coupon) AS kind, coupon::VARCHAR AS txt,
      TRY_CAST(discount AS DECIMAL(10,2)) AS disc, TRY_CAST(discount AS DOUBLE) AS disc_d, discount->>'$' AS disc_text, coalesce(coupon->>'code', coupon->>'$', 'none') AS label
    FROM t`,
    schema: [{ name: "id", type: "BIGINT" }, { name: "coupon", type: "JSON" }, { name: "discount", type: "JSON" }],
    rows: [
      { id: 1, coupon: { code: "X", pct: 10 }, discount: "5.00" },
      { id: 2, coupon: "SUMMER", discount: 5 },
      { id: 3, coupon: 42, discount: 2.5 },
      { id: 4, coupon: [1, "a"], discount: null },
      { id: 5, coupon: null, discount: "n/a" },
      { id: 6, coupon: { code: null }, discount: { amount: 1 } },
      { id: 7, discount: true },
    ],
  },
  {
    name: "payload: (guard) a metadata STRUCT pinned from the sample reads later events with new keys, keys missing, and values of another kind",
    sql: "SELECT id, md, md.order_id AS oid, md.\"Plan Tier\" AS tier, md.n + 1 AS n1 FROM t",
    schema: [{ name: "id", type: "BIGINT" }, { name: "md", type: "STRUCT(order_id VARCHAR, \"Plan Tier\" VARCHAR, n BIGINT)" }],
    rows: [
      { id: 1, md: { order_id: 123, "Plan Tier": true, n: "7" } },
      { id: 2, md: { brand_new: 1 } },
      { id: 3, md: {} },
      { id: 4, md: { order_id: { nested: 1 }, n: 2.0 } },
      { id: 5, md: { order_id: [1, 2], n: -0.0 } },
    ],
  },
  {
    name: "payload: (guard) counters past 2^63 and past 2^64 nested in a list of structs and beside small ones (HUGEINT widened, DOUBLE past 2^64)",
    sql: "SELECT id, c, c[1].h AS h, c[1].h + 1 AS h1, CAST(c[1].h AS VARCHAR) AS ht, w, w + 1 AS w1, CAST(w AS VARCHAR) AS wt FROM t",
    rows: [
      { id: 1, c: [{ h: 18446744073709551615n }, { h: 1 }], w: 18446744073709551617n },
      { id: 2, c: [{ h: -9223372036854775808n }], w: 5 },
      { id: 3, c: [], w: -36893488147419103232n },
      { id: 4, c: null, w: null },
    ],
  },
  {
    name: "payload: (guard) a later producer spelling keys in another case (Type, ID) reads NULL under the pinned names, at the top and in a struct, as read_json's columns do",
    sql: "SELECT id, \"type\", s.\"type\" AS st, s FROM t",
    schema: [{ name: "id", type: "BIGINT" }, { name: "type", type: "VARCHAR" }, { name: "s", type: "STRUCT(\"type\" VARCHAR)" }],
    rows: [{ Type: "x", id: 1, s: { Type: "a" } }, { type: "y", TYPE: "z", id: 2, s: { type: "b", TYPE: "c" } }, { ID: 3 }],
  },
  {
    name: "payload: a record that is JSON null (a producer serialising None) is a row of NULLs to DuckDB's read_json, inferred or pinned (the converter refused it: event is null, not a JSON object)",
    sql: "SELECT id, kind, coalesce(kind, 'none') AS k FROM t",
    schema: [{ name: "id", type: "BIGINT" }, { name: "kind", type: "VARCHAR" }],
    rows: [{ id: 1, kind: "a" }, null, { id: 2 }],
  },
];
