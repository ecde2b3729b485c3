/**
 * Realistic payload shapes (session 15): CloudTrail records, Stripe-like webhooks, Segment calls,
 * Debezium CDC envelopes, IoT telemetry and OpenTelemetry log records, through the cells a data
 * engineer writes over them.
 */
import type { ConformanceCase } from "../case.ts";

export const cloudtrail = [
  { eventVersion: "1.08", eventTime: "2024-03-01T10:00:05Z", eventSource: "s3.amazonaws.com", eventName: "GetObject", awsRegion: "eu-west-1", sourceIPAddress: "203.0.113.7",
    userIdentity: { type: "IAMUser", arn: "arn:aws:iam::123456789012:user/zoë", accountId: "123456789012", userName: "zoë" },
    requestParameters: { bucketName: "logs", key: "2024/03/01/a b.json", Host: "logs.s3.amazonaws.com" }, responseElements: null, errorCode: null, readOnly: true, resources: [{ ARN: "arn:aws:s3:::logs", type: "AWS::S3::Bucket" }] },
  { eventVersion: "1.08", eventTime: "2024-03-01T10:00:59.999Z", eventSource: "ec2.amazonaws.com", eventName: "RunInstances", awsRegion: "us-east-1", sourceIPAddress: "ec2.amazonaws.com",
    userIdentity: { type: "AssumedRole", arn: "arn:aws:sts::123456789012:assumed-role/Admin/sess", accountId: "123456789012", sessionContext: { attributes: { mfaAuthenticated: "true", creationDate: "2024-03-01T09:00:00Z" } } },
    requestParameters: { instancesSet: { items: [{ imageId: "ami-1", minCount: 1, maxCount: 2 }] }, instanceType: "t3.micro", blockDeviceMapping: {} }, responseElements: { reservationId: "r-1" }, readOnly: false },
  { eventVersion: "1.09", eventTime: "2024-03-01T10:01:00Z", eventSource: "signin.amazonaws.com", eventName: "ConsoleLogin", awsRegion: "us-east-1", sourceIPAddress: "2001:db8::1",
    userIdentity: { type: "Root", accountId: "123456789012" }, requestParameters: null, responseElements: { ConsoleLogin: "Failure" }, errorCode: null, errorMessage: "Failed authentication", additionalEventData: { MFAUsed: "No" } },
  { eventVersion: "1.08", eventTime: "2024-03-01T10:02:30Z", eventSource: "iam.amazonaws.com", eventName: "CreateUser", awsRegion: "us-east-1", sourceIPAddress: "198.51.100.2",
    userIdentity: { type: "IAMUser", userName: "admin", accountId: "123456789012" }, requestParameters: { userName: "new-user", tags: [{ key: "team", value: "data" }, { key: "cost", value: "42" }] }, errorCode: "AccessDenied", readOnly: false },
  { eventVersion: "1.08", eventTime: "2024-03-01T10:59:59Z", eventSource: "s3.amazonaws.com", eventName: "PutObject", awsRegion: "eu-west-1", sourceIPAddress: "203.0.113.7",
    userIdentity: { type: "AWSService", invokedBy: "cloudtrail.amazonaws.com" }, requestParameters: { bucketName: "logs", key: "ü/ñ/😀", "x-amz-acl": "bucket-owner-full-control" }, resources: [], readOnly: false },
  { eventVersion: "1.08", eventTime: "2024-03-01T11:00:00Z", eventSource: "kms.amazonaws.com", eventName: "Decrypt", awsRegion: "ap-south-1", sourceIPAddress: "AWS Internal",
    userIdentity: null, requestParameters: { encryptionContext: { "aws:s3:arn": "arn:aws:s3:::b/k" }, encryptionAlgorithm: "SYMMETRIC_DEFAULT" }, readOnly: true },
];


export const stripe = [
  { id: "evt_1", object: "event", type: "charge.succeeded", created: 1709287200, livemode: false, data: { object: { id: "ch_1", amount: 1999, amount_refunded: 0, currency: "usd", metadata: { order_id: "A-1", "Plan Tier": "pro" }, customer: "cus_1", paid: true } } },
  { id: "evt_2", object: "event", type: "charge.refunded", created: 1709290800, livemode: true, data: { object: { id: "ch_2", amount: 9007199254740993n, amount_refunded: 500, currency: "jpy", metadata: {}, customer: null, paid: true } } },
  { id: "evt_3", object: "event", type: "invoice.paid", created: 1709294399, livemode: true, data: { object: { id: "in_1", amount_paid: 0, currency: "EUR", metadata: { order_id: "A-3", note: "ünïcode – dash" }, customer: "cus_2" } }, previous_attributes: { status: "open" } },
  { id: "evt_4", object: "event", type: "charge.failed", created: 0, livemode: false, data: { object: { id: "ch_3", amount: -1, currency: "usd", metadata: { order_id: null }, failure_code: "card_declined", paid: false } } },
  { id: "evt_5", object: "event", type: "charge.succeeded", created: 4102444800, livemode: false, data: { object: { id: "ch_4", amount: 2147483648, currency: "usd", metadata: { "": "empty", "a.b": "dot" }, customer: "cus_1", paid: true } } },
];
export const segment = [
  { type: "track", event: "Order Completed", userId: "u1", anonymousId: null, timestamp: "2024-03-01T10:00:00+05:30", sentAt: "2024-03-01T04:30:01.250Z", properties: { revenue: 19.99, currency: "USD", products: [{ sku: "a", price: 9.99, qty: 1 }, { sku: "b", price: 10, qty: 1 }] }, context: { ip: "1.2.3.4", library: { name: "analytics.js", version: "4.1.0" } } },
  { type: "identify", userId: "u2", anonymousId: "anon-9", timestamp: "2024-03-01T23:59:59.999-08:00", sentAt: "2024-03-02T08:00:00Z", traits: { email: "A@Example.COM", plan: "pro", age: "37" }, context: { ip: null, locale: "tr-TR" } },
  { type: "track", event: "Signed Up", userId: null, anonymousId: "anon-1", timestamp: "2024-03-01T00:00:00Z", sentAt: null, properties: { referrer: "", value: "12.5" }, context: {} },
  { type: "track", event: "Order Completed", userId: "u1", timestamp: "2024-02-29T18:45:00-03:00", sentAt: "2024-02-29T21:45:00Z", properties: { revenue: "7", products: [] }, context: { library: { name: "analytics-ios" } } },
  { type: "page", name: "Home", userId: "u3", timestamp: "2024-03-01T12:00:00.123456+00:00", properties: { path: "/", url: "https://ex.com/?q=ü&x=1#frag", title: null } },
];

// Debezium: DECIMAL(10,2) as base64 big-endian unscaled bytes ("AMc=" is 199 -> 1.99), or as text when decimal.handling.mode=string.
export const debezium = [
  { schema: null, payload: { before: null, after: { id: 1, name: "Zoë", price: "AMc=", price_s: "1.99", updated_at: 1709287200123456, born: 19783, flags: 3 }, source: { connector: "postgresql", db: "shop", table: "items", lsn: 9007199254740993n, ts_ms: 1709287200500, ts_us: 1709287200500123 }, op: "c", ts_ms: 1709287201000, ts_us: 1709287201000456, transaction: null } },
  { schema: null, payload: { before: { id: 1, name: "Zoë", price: "AMc=", price_s: "1.99", updated_at: 1709287200123456, born: 19783, flags: 3 }, after: { id: 1, name: "Zoe", price: "/zk=", price_s: "-1.99", updated_at: 1709287260000000, born: null, flags: null }, source: { connector: "postgresql", db: "shop", table: "items", lsn: 12, ts_ms: 1709287260000, ts_us: 1709287260000000 }, op: "u", ts_ms: 1709287261000, ts_us: 1709287261000000, transaction: { id: "tx1", total_order: 1 } } },
  { schema: null, payload: { before: { id: 2, name: "گ", price: "AA==", price_s: "0.00", updated_at: 0, born: -1, flags: 0 }, after: null, source: { connector: "postgresql", db: "shop", table: "items", lsn: 13, ts_ms: 1709287320000, ts_us: 1709287320000000 }, op: "d", ts_ms: 1709287321000, ts_us: 1709287321000000 } },
  { schema: null, payload: { before: null, after: { id: 3, name: "", price: "AYag", price_s: "999.99", updated_at: 253402300799999999, born: 2932896, flags: 255 }, source: { connector: "postgresql", db: "shop", table: "items", lsn: 14, ts_ms: 1709287380000, ts_us: 1709287380000000, snapshot: "true" }, op: "r", ts_ms: 1709287381000, ts_us: 1709287381000000 } },
  null,
];
export const iot = [
  { device: "t-1", ts: "2024-03-01T10:00:00Z", temp: "21.5", hum: "NaN", pressure: 1013.25, volt: "-0", seq: "1" },
  { device: "t-1", ts: "2024-03-01T10:00:10Z", temp: "Infinity", hum: "45", pressure: 1e308, volt: "3.3e0", seq: "2", extra: { fw: "1.2" } },
  { device: "t-2", ts: "2024-03-01T10:00:20Z", temp: "-Infinity", pressure: -1e308, volt: "inf", seq: "18446744073709551616" },
  { device: "t-2", ts: "2024-03-01T10:00:30Z", temp: " 22 ", hum: "", pressure: null, volt: "-0.0", seq: "-9223372036854775808" },
  { device: "t-3", ts: "2024-03-01T10:01:00Z", temp: "nan", hum: "1e-320", pressure: 5e-324, volt: "0x10", seq: "abc" },
  { device: "t-3", ts: "2024-03-01T10:01:00.000001Z", temp: "1,5", hum: "-nan", volt: "+.5", seq: "1e3" },
  { device: null, ts: "garbage", temp: null },
];

// OpenTelemetry logs in OTLP/JSON: 64-bit integers as strings, attributes as key/value lists with one typed value each.
export const otel = [
  { timeUnixNano: "1709287200123456789", observedTimeUnixNano: "1709287200223456789", severityNumber: 9, severityText: "INFO", body: { stringValue: "user logged in ✓" },
    attributes: [{ key: "http.status_code", value: { intValue: "200" } }, { key: "user.id", value: { stringValue: "u-1" } }, { key: "latency", value: { doubleValue: 0.25 } }],
    traceId: "5B8EFFF798038103D269B633813FC60C", spanId: "EEE19B7EC3C1B174", flags: 1, resource: { attributes: [{ key: "service.name", value: { stringValue: "api" } }] } },
  { timeUnixNano: "1709287260999999999", severityNumber: 17, severityText: "ERROR", body: { stringValue: "boom\n  at f (a.js:1:2)" },
    attributes: [{ key: "http.status_code", value: { intValue: "503" } }, { key: "retry", value: { boolValue: true } }, { key: "big", value: { intValue: "9223372036854775807" } }],
    traceId: "", spanId: "", resource: { attributes: [{ key: "service.name", value: { stringValue: "worker" } }, { key: "host.arch", value: { stringValue: "arm64" } }] } },
  { timeUnixNano: "0", observedTimeUnixNano: "1709287320000000000", severityNumber: 0, body: { kvlistValue: { values: [{ key: "k", value: { stringValue: "v" } }] } },
    attributes: [], resource: { attributes: [] } },
  { timeUnixNano: "1709287200000000000", severityNumber: 13, severityText: "WARN", body: null, attributes: [{ key: "tags", value: { arrayValue: { values: [{ stringValue: "a" }, { intValue: "2" }] } } }, { key: "empty", value: {} }],
    resource: { attributes: [{ key: "service.name", value: { stringValue: "api" } }] } },
];

export const cases: ConformanceCase[] = [
  {
    name: "messy15: CloudTrail records: user, ARN parts, bucket and key read through nested requestParameters that change shape per event",
    sql: `SELECT eventName, eventTime::TIMESTAMPTZ AS at, coalesce(userIdentity.userName, regexp_extract(userIdentity.arn, '[^/]+$'), userIdentity.type, 'unknown') AS who,
      split_part(userIdentity.arn, ':', 5) AS account, requestParameters.bucketName AS bucket, requestParameters.key AS k,
      CASE WHEN errorCode IS NOT NULL THEN 'error' WHEN responseElements IS NULL THEN 'no-response' ELSE 'ok' END AS outcome,
      readOnly, len(resources) AS n_resources, resources[1].ARN AS first_arn
    FROM t`,
    rows: cloudtrail,
  },
  {
    name: "messy15: CloudTrail requestParameters as JSON: ->>, -> and json_extract over keys present, null and missing",
    sql: `SELECT eventName, requestParameters::JSON->>'bucketName' AS bucket, requestParameters::JSON->'instancesSet'->'items'->0->>'imageId' AS image,
      json_extract_string(requestParameters::JSON, '$.tags[1].value') AS tag2, json_extract(requestParameters::JSON, '$.encryptionContext') AS ctx,
      json_type(requestParameters::JSON) AS jt, json_keys(requestParameters::JSON) AS ks, requestParameters::JSON->>'$."x-amz-acl"' AS acl
    FROM t`,
    rows: cloudtrail,
  },
  {
    name: "messy15: CloudTrail events per minute, source and region with distinct users and error counts",
    sql: `SELECT date_trunc('minute', eventTime::TIMESTAMP) AS minute, eventSource, count(*) AS n, count(DISTINCT userIdentity.accountId) AS accounts,
      count(*) FILTER (WHERE errorCode IS NOT NULL) AS errors, list(DISTINCT awsRegion ORDER BY awsRegion) AS regions, min(sourceIPAddress) AS ip
    FROM t GROUP BY ALL`,
    rows: cloudtrail,
  },
  {
    name: "messy15: CloudTrail resources and tags unnested, NULL and empty lists giving no rows",
    sql: `SELECT eventName, unnest(requestParameters.tags) AS tag FROM t`,
    rows: cloudtrail,
  },
  {
    name: "messy15: CloudTrail IP addresses classified by regexp and CASE",
    sql: `SELECT sourceIPAddress AS ip, CASE WHEN regexp_matches(sourceIPAddress, '^\\d{1,3}(\\.\\d{1,3}){3}$') THEN 'v4' WHEN contains(sourceIPAddress, ':') THEN 'v6' ELSE 'service' END AS kind,
      regexp_extract(sourceIPAddress, '^(\\d+)\\.(\\d+)', 2) AS second_octet, regexp_extract(sourceIPAddress, '^(\\d+)\\.(\\d+)', ['a', 'b']) AS octets
    FROM t`,
    rows: cloudtrail,
  },
  {
    name: "messy15: Stripe events: cents to decimal amounts, unix seconds to times, metadata keys with spaces and dots",
    sql: `SELECT id, type, to_timestamp(created) AS at, epoch_ms(created * 1000) AS at_ms, make_timestamp(created * 1000000) AS mk,
      data.object.amount::BIGINT / 100 AS amount, CAST(data.object.amount AS DECIMAL(18, 2)) / 100 AS amount_dec, data.object.amount::BIGINT // 100 AS whole, upper(data.object.currency) AS cur,
      data.object.metadata['order_id'] AS order_id, data.object.metadata['Plan Tier'] AS tier, coalesce(data.object.customer::VARCHAR, 'guest') AS cust, coalesce(data.object.customer->>'$', 'guest') AS cust2, data.object.metadata.order_id AS oid_dot,
      split_part(type, '.', 1) AS kind, data.object.amount::BIGINT - coalesce(data.object.amount_refunded::BIGINT, 0) AS net, json_type(data.object.amount) AS jt
    FROM t`,
    rows: stripe,
  },
  {
    name: "messy15: Stripe metadata read as JSON and as a MAP, keys that are empty or hold dots",
    sql: `SELECT id, to_json(data.object.metadata)->>'order_id' AS o, json_keys(to_json(data.object.metadata)) AS ks,
      to_json(data.object.metadata)->>'$."a.b"' AS dot, to_json(data.object.metadata)->>'' AS empty_key, data.object.metadata->>'order_id' AS direct
    FROM t`,
    rows: stripe,
  },
  {
    name: "messy15: Stripe revenue per hour and currency, counting distinct customers",
    sql: `SELECT date_trunc('hour', to_timestamp(created)) AS h, lower(data.object.currency) AS cur, sum(data.object.amount::BIGINT) AS cents, count(DISTINCT data.object.customer) AS custs,
      avg(data.object.amount::DOUBLE) AS mean, max(data.object.amount::HUGEINT) AS biggest, bool_and(data.object.paid::BOOLEAN) AS all_paid, arg_max(id, data.object.amount::BIGINT) AS top
    FROM t GROUP BY ALL`,
    rows: stripe,
  },
  {
    name: "messy15: Segment calls: timestamps with offsets to instants, skew against sentAt, traits and properties of any shape",
    sql: `SELECT type, coalesce(userId, anonymousId) AS uid, timestamp::TIMESTAMPTZ AS ts, timestamp::TIMESTAMP AS ts_local, sentAt::TIMESTAMPTZ - timestamp::TIMESTAMPTZ AS skew,
      epoch_ms(timestamp::TIMESTAMPTZ) AS ems, date_trunc('day', timestamp::TIMESTAMPTZ) AS day, strftime(timestamp::TIMESTAMPTZ, '%Y-%m-%d %H:%M:%S.%f') AS fmt,
      lower(traits.email) AS email, TRY_CAST(traits.age AS INTEGER) AS age, context.library.name AS lib, context.locale AS locale
    FROM t`,
    rows: segment,
  },
  {
    name: "messy15: Segment properties read as JSON: revenue a number or text, products a list of objects",
    sql: `SELECT event, TRY_CAST(to_json(properties)->>'revenue' AS DOUBLE) AS revenue, json_array_length(to_json(properties)->'products') AS n,
      to_json(properties)->'products'->>0 AS first_product, json_extract(to_json(properties), '$.products[*].sku') AS skus,
      to_json(properties)->>'url' AS url, regexp_extract(to_json(properties)->>'url', '[?&]q=([^&#]*)', 1) AS q
    FROM t`,
    rows: segment,
  },
  {
    name: "messy15: Segment products unnested with list functions over their prices",
    sql: `SELECT userId, list_transform(properties.products, p -> p.sku) AS skus, list_sum(list_transform(properties.products, p -> p.price * p.qty)) AS total,
      list_filter(properties.products, p -> p.price > 9.99) AS dear, len(properties.products) AS n, list_sort(list_transform(properties.products, p -> p.sku), 'DESC') AS desc_skus
    FROM t WHERE type = 'track'`,
    rows: segment,
  },
  {
    name: "messy15: Segment daily active users per call type by distinct id",
    sql: `SELECT date_trunc('day', timestamp::TIMESTAMPTZ) AS day, type, count(DISTINCT coalesce(userId, anonymousId)) AS users, count(*) AS calls
    FROM t GROUP BY ALL`,
    rows: segment,
  },
  {
    name: "messy15: Debezium envelopes: the row after (or before on delete), op named, ts_ms and ts_us to times, source fields",
    sql: `SELECT payload.op AS op, CASE payload.op WHEN 'c' THEN 'insert' WHEN 'u' THEN 'update' WHEN 'd' THEN 'delete' WHEN 'r' THEN 'snapshot' END AS kind,
      coalesce(payload.after.id, payload.before.id) AS id, coalesce(payload.after.name, payload.before.name) AS name,
      epoch_ms(payload.ts_ms) AS at, make_timestamp(payload.ts_us) AS at_us, to_timestamp(payload.source.ts_ms / 1000) AS src_at,
      make_timestamp(payload.after.updated_at) AS updated, DATE '1970-01-01' + payload.after.born::INTEGER AS born, payload.source.lsn AS lsn,
      payload.ts_ms - payload.source.ts_ms AS lag_ms, TRY_CAST(payload.source.snapshot AS BOOLEAN) AS snap, payload.transaction.id AS tx
    FROM t`,
    rows: debezium,
  },
  {
    name: "messy15: Debezium decimals as base64 bytes decoded, and as text cast to DECIMAL",
    sql: `SELECT payload.after.id AS id, from_base64(payload.after.price) AS raw, hex(from_base64(payload.after.price)) AS hx, octet_length(from_base64(payload.after.price)) AS n,
      CAST(payload.after.price_s AS DECIMAL(10, 2)) AS price, TRY_CAST(payload.after.price_s AS DECIMAL(4, 2)) AS narrow, payload.after.price_s::DOUBLE * 100 AS cents,
      (payload.after.flags & 1) = 1 AS bit0, bit_count(payload.after.flags) AS bits, to_base64(from_base64(payload.after.price)) AS again
    FROM t`,
    rows: debezium,
  },
  {
    name: "messy15: Debezium changes per minute and table: distinct keys, op counts",
    sql: `SELECT date_trunc('minute', epoch_ms(payload.ts_ms)) AS m, payload.source."table" AS tbl, count(DISTINCT coalesce(payload.after.id, payload.before.id)) AS keys,
      count(*) FILTER (WHERE payload.op = 'u') AS updates, sum(CAST(payload.after.price_s AS DECIMAL(10, 2))) AS value, max(payload.source.lsn) AS last_lsn
    FROM t GROUP BY ALL`,
    rows: debezium,
  },
  {
    name: "messy15: IoT readings as text: NaN, Infinity, -0, spacing and hex read by TRY_CAST to DOUBLE, REAL, DECIMAL and HUGEINT",
    sql: `SELECT device, temp, TRY_CAST(temp AS DOUBLE) AS t_d, TRY_CAST(temp AS REAL) AS t_r, TRY_CAST(temp AS DECIMAL(5, 1)) AS t_dec, TRY_CAST(hum AS DOUBLE) AS h,
      isnan(TRY_CAST(hum AS DOUBLE)) AS h_nan, isinf(TRY_CAST(temp AS DOUBLE)) AS t_inf, isfinite(TRY_CAST(temp AS DOUBLE)) AS t_fin,
      TRY_CAST(volt AS DOUBLE) AS v, signbit(TRY_CAST(volt AS DOUBLE)) AS v_neg, TRY_CAST(volt AS INTEGER) AS v_i, TRY_CAST(seq AS HUGEINT) AS seq_h, TRY_CAST(seq AS UBIGINT) AS seq_u,
      TRY_CAST(seq AS BIGINT) AS seq_b, pressure, pressure * 10 AS p10, pressure / 0 AS p_div0, -pressure AS neg, TRY_CAST(ts AS TIMESTAMPTZ) AS at
    FROM t`,
    rows: iot,
  },
  {
    name: "messy15: IoT per-device windows over readings with NaN and Infinity: avg, min, max, count, stddev",
    sql: `SELECT device, time_bucket(INTERVAL '1 minute', TRY_CAST(ts AS TIMESTAMP)) AS w, count(TRY_CAST(temp AS DOUBLE)) AS n, avg(TRY_CAST(temp AS DOUBLE)) AS mean,
      min(TRY_CAST(temp AS DOUBLE)) AS lo, max(TRY_CAST(temp AS DOUBLE)) AS hi, max(TRY_CAST(hum AS DOUBLE)) AS hum_hi, sum(pressure) AS p, stddev_samp(pressure) FILTER (WHERE abs(pressure) < 1e300) AS sd,
      count(*) FILTER (WHERE isnan(TRY_CAST(temp AS DOUBLE))) AS nans, median(TRY_CAST(temp AS DOUBLE)) AS med, list(temp ORDER BY temp) AS raw
    FROM t GROUP BY ALL`,
    rows: iot,
  },
  {
    name: "messy15: IoT numbers formatted: round, printf, CAST to VARCHAR of NaN, Infinity, -0 and 1e308",
    sql: `SELECT device, TRY_CAST(temp AS DOUBLE)::VARCHAR AS s, round(TRY_CAST(temp AS DOUBLE), 1) AS r, printf('%.2f', TRY_CAST(temp AS DOUBLE)) AS p, pressure::VARCHAR AS ps,
      format('{:.3e}', pressure) AS fe, TRY_CAST(volt AS DOUBLE)::VARCHAR AS vs, TRY_CAST(pressure AS BIGINT) AS pi, TRY_CAST(pressure AS DECIMAL(38, 2)) AS pdec,
      greatest(TRY_CAST(temp AS DOUBLE), 0) AS gz, TRY_CAST(temp AS DOUBLE) = 'NaN'::DOUBLE AS eq_nan, TRY_CAST(temp AS DOUBLE) > 1e308 AS huge
    FROM t`,
    rows: iot,
  },
  {
    name: "messy15: OpenTelemetry logs: 19-digit nanosecond strings to times, attributes looked up by key, severity ranges",
    sql: `SELECT severityText AS sev, make_timestamp(timeUnixNano::BIGINT // 1000) AS at, epoch_ns(make_timestamp(timeUnixNano::BIGINT // 1000)) AS back_ns,
      to_timestamp(timeUnixNano::HUGEINT / 1e9) AS at_s, epoch_ms(timeUnixNano::BIGINT // 1000000) AS at_ms, (observedTimeUnixNano::BIGINT - timeUnixNano::BIGINT) / 1e6 AS delay_ms,
      list_filter(attributes, a -> a.key = 'http.status_code')[1].value.intValue::INTEGER AS status, list_extract(list_filter(attributes, a -> a.key = 'user.id'), 1).value.stringValue AS uid,
      [a.key FOR a IN attributes] AS keys, list_filter(resource.attributes, a -> a.key = 'service.name')[1].value.stringValue AS service,
      CASE WHEN severityNumber >= 17 THEN 'error' WHEN severityNumber >= 13 THEN 'warn' WHEN severityNumber >= 9 THEN 'info' ELSE 'debug' END AS level,
      lower(traceId) AS trace, nullif(spanId, '') AS span, split_part(body.stringValue, chr(10), 1) AS first_line
    FROM t`,
    rows: otel,
  },
  {
    name: "messy15: OpenTelemetry attributes unnested into key and typed value columns",
    sql: `SELECT timeUnixNano, a.key AS k, coalesce(a.value.stringValue, a.value.intValue, a.value.doubleValue::VARCHAR, a.value.boolValue::VARCHAR) AS v, a.value.intValue::HUGEINT AS iv
    FROM (SELECT timeUnixNano, unnest(attributes) AS a FROM t)`,
    rows: otel,
  },
  {
    name: "messy15: OpenTelemetry attributes as a MAP built from the key/value list, read by key",
    sql: `SELECT severityNumber, map_from_entries([(a.key, a.value.stringValue) FOR a IN attributes]) AS m,
      map_from_entries([(a.key, a.value.stringValue) FOR a IN attributes])['user.id'] AS uid, map_keys(map_from_entries([(a.key, a.value.intValue) FOR a IN attributes])) AS ks,
      element_at(map_from_entries([(a.key, a.value.intValue) FOR a IN attributes]), 'http.status_code') AS st
    FROM t`,
    rows: otel,
  },
  {
    name: "messy15: OpenTelemetry logs per minute, service and level with distinct traces",
    sql: `SELECT date_trunc('minute', make_timestamp(timeUnixNano::BIGINT // 1000)) AS m, list_filter(resource.attributes, a -> a.key = 'service.name')[1].value.stringValue AS service,
      count(*) AS n, count(DISTINCT nullif(traceId, '')) AS traces, max(severityNumber) AS worst, string_agg(severityText, ',' ORDER BY severityText) AS sevs
    FROM t GROUP BY ALL`,
    rows: otel,
  },
  {
    name: "messy15: make_timestamp_ns over OpenTelemetry nanoseconds is refused with the microsecond form that works",
    sql: `SELECT make_timestamp_ns(timeUnixNano::BIGINT) AS at FROM t`,
    rows: otel,
    expect: "compile-error",
    message: "make_timestamp(nanos // 1000)",
  },
  {
    name: "messy15: a MAP from a list comprehension of (key, value) tuples over attributes, filtered by IF (refused before: row() has no column names)",
    sql: `SELECT severityNumber, map_from_entries([(a.key, a.value.intValue::BIGINT) FOR a IN attributes IF a.value.intValue IS NOT NULL]) AS ints,
      map_from_entries(list_transform(resource.attributes, r -> (upper(r.key), r.value.stringValue))) AS res,
      cardinality(map_from_entries(list_apply(attributes, (a, i) -> (i, a.key)))) AS n
    FROM t`,
    rows: otel,
  },
  {
    name: "messy15: a MAP from tuples fails like DuckDB on a repeated key",
    sql: `SELECT map_from_entries([(lower(a.key), a.value) FOR a IN attributes]) AS m FROM t`,
    rows: [{ attributes: [{ key: "A", value: 1 }, { key: "a", value: 2 }] }],
    expect: "error",
  },
  {
    name: "messy15: a MAP from tuples over a NULL, an empty and a NULL-keyed list agrees (NULL, empty, DuckDB's error)",
    sql: `SELECT map_from_entries([(a.k, a.v) FOR a IN l]) AS m FROM t`,
    rows: [{ l: null }, { l: [] }, { l: [{ k: "x", v: null }] }],
    schema: [{ name: "l", type: "STRUCT(k VARCHAR, v INTEGER)[]" }],
  },
  {
    name: "messy15: a MAP from tuples with a NULL key fails like DuckDB",
    sql: `SELECT map_from_entries([(a.k, a.v) FOR a IN l]) AS m FROM t`,
    rows: [{ l: [{ k: null, v: 1 }] }],
    schema: [{ name: "l", type: "STRUCT(k VARCHAR, v INTEGER)[]" }],
    expect: "error",
  },
  {
    name: "messy15: Debezium row images expanded with after.* and source.* EXCLUDE over payload.* in a subquery",
    sql: `SELECT op, after.*, source.* EXCLUDE (connector, db), ts_ms AS event_ms FROM (SELECT payload.* FROM t)`,
    rows: debezium,
  },
  {
    name: "messy15: Segment JSON through from_json with a structure, json_extract with a list of paths, and negative array indexes",
    sql: `SELECT event, from_json(to_json(properties), '{"revenue":"DOUBLE","currency":"VARCHAR","products":[{"sku":"VARCHAR","price":"DECIMAL(10,2)"}]}') AS p,
      json_extract(to_json(properties), ['$.revenue', '$.products[0].sku', '$.missing']) AS paths, to_json(properties)->'$.products[#-1]'->>'sku' AS last_sku,
      json_extract_string(to_json(context), '$.library.name') AS lib, json_valid(to_json(properties)::VARCHAR) AS ok, json_array_length(to_json(properties), '$.products') AS n,
      json_contains(to_json(properties), '{"currency":"USD"}') AS usd
    FROM t`,
    rows: segment,
  },
  {
    name: "messy15: Segment times: strptime with %z offsets, AT TIME ZONE, date_diff and strftime with %z",
    sql: `SELECT timestamp, try_strptime(timestamp, '%Y-%m-%dT%H:%M:%S%z') AS plain, try_strptime(timestamp, '%Y-%m-%dT%H:%M:%S.%f%z') AS frac,
      timestamp::TIMESTAMPTZ AT TIME ZONE 'Asia/Kolkata' AS ist, timezone('America/Sao_Paulo', timestamp::TIMESTAMPTZ) AS brt,
      date_diff('millisecond', timestamp::TIMESTAMPTZ, sentAt::TIMESTAMPTZ) AS skew_ms, date_diff('day', timestamp::TIMESTAMPTZ, sentAt::TIMESTAMPTZ) AS days,
      strftime(timestamp::TIMESTAMPTZ, '%Y-%m-%dT%H:%M:%S%z') AS iso, date_part(['year', 'month', 'hour'], timestamp::TIMESTAMPTZ) AS parts,
      epoch(timestamp::TIMESTAMPTZ) AS ep, epoch_us(timestamp::TIMESTAMPTZ) AS eus, epoch_ns(timestamp::TIMESTAMPTZ) AS ens
    FROM t`,
    rows: segment,
  },
  {
    name: "messy15: IoT values to JSON without windows: NaN, Infinity, -0, 1e308, HUGEINT and DECIMAL",
    sql: `SELECT device, to_json(TRY_CAST(temp AS DOUBLE)) AS jt, to_json({'t': TRY_CAST(temp AS DOUBLE), 'p': pressure, 'v': TRY_CAST(volt AS DOUBLE), 'seq': TRY_CAST(seq AS HUGEINT), 'd': TRY_CAST(temp AS DECIMAL(6, 2))}) AS j,
      CAST(TRY_CAST(volt AS REAL) AS JSON) AS vj, to_json(TRY_CAST(ts AS TIMESTAMPTZ)) AS tj, TRY_CAST(temp AS DOUBLE)::JSON AS cj
    FROM t`,
    rows: iot,
  },
  {
    name: "messy15: CloudTrail text: ARN parts by string_split and regexp_extract_all, hashes and base64 of unicode keys",
    sql: `SELECT eventName, string_split(userIdentity.arn, ':') AS parts, string_split_regex(requestParameters.key, '[/ ]') AS segs, regexp_extract_all(userIdentity.arn, '([a-z0-9-]+)/', 1) AS paths,
      sha256(requestParameters.key) AS h, md5_number(eventName) AS mn, to_base64(encode(requestParameters.key)) AS b64, url_encode(requestParameters.key) AS ue,
      left(eventSource, strpos(eventSource, '.') - 1) AS service, array_to_string(list_reverse(string_split(eventSource, '.')), '.') AS rev
    FROM t`,
    rows: cloudtrail,
  },
  {
    name: "messy15: TRY_CAST, nullif and coalesce chains over Stripe fields",
    sql: `SELECT id, TRY_CAST(data.object.metadata.order_id AS INTEGER) AS oid_i, TRY_CAST(data.object.amount AS BIGINT) * 1000 AS big, nullif(data.object.currency->>'$', 'usd') AS non_usd, data.object.currency::VARCHAR AS cur_text,
      coalesce(TRY_CAST(data.object.amount AS INTEGER), -1) AS amt_i, greatest(created, 1709290000) AS g, to_timestamp(created) > TIMESTAMPTZ '2030-01-01 00:00:00+00' AS future
    FROM t`,
    rows: stripe,
  },
  {
    name: "messy15: OpenTelemetry body of any kind: unnest recursive over attributes, and the body as JSON",
    sql: `SELECT unnest(attributes, recursive := true), to_json(body) AS body_json FROM t`,
    rows: otel,
  },
  {
    name: "messy15: text above U+FFFF against text in U+E000..U+FFFF orders by UTF-8 bytes in min, max, list ORDER BY, list_sort, greatest and <",
    sql: `SELECT k, min(u) AS lo, max(u) AS hi, list(u ORDER BY u) AS sorted, list_sort(list(u)) AS ls, string_agg(u, '|' ORDER BY u DESC) AS sa, arg_max(n, u) AS am,
      max(greatest(u, 'ﬀ')) AS g, count(*) FILTER (WHERE u < 'ﬁ') AS below, min({'u': u}) AS ms, max([u]) AS ml
    FROM t GROUP BY k`,
    rows: [{ k: 1, u: "ﬁne", n: 1 }, { k: 1, u: "😀", n: 2 }, { k: 1, u: "\uFFFD", n: 3 }, { k: 1, u: "𝔘", n: 4 }, { k: 1, u: "\uE000", n: 5 }, { k: 2, u: "Z", n: 6 }, { k: 2, u: "é", n: 7 }, { k: 2, u: null, n: 8 }],
  },
  {
    name: "messy15: JSON, MAP, STRUCT and LIST values as GROUP BY keys and in count(DISTINCT)",
    sql: `SELECT to_json(requestParameters) AS rp, count(*) AS n, count(DISTINCT userIdentity) AS ids, count(DISTINCT resources) AS rs FROM t GROUP BY ALL`,
    rows: cloudtrail,
  },
  {
    name: "messy15: make_timestamp_ms over Debezium's ts_ms and source.ts_ms, beside epoch_ms (the library lacked it: refused at publish)",
    sql: `SELECT make_timestamp_ms(payload.ts_ms) AS at, make_timestamp_ms(payload.source.ts_ms) = epoch_ms(payload.source.ts_ms) AS same,
      date_trunc('minute', make_timestamp_ms(payload.ts_ms)) AS m, make_timestamp_ms(payload.after.updated_at // 1000) AS updated
    FROM t`,
    rows: debezium,
  },
  {
    name: "messy15: make_timestamp_ms at the edges of 64 bits and of the calendar",
    sql: `SELECT ms, make_timestamp_ms(ms) AS at, epoch_us(make_timestamp_ms(ms)) AS us FROM t`,
    rows: [{ ms: 0 }, { ms: -1 }, { ms: 9223372036854775n }, { ms: -9223372036854775n }, { ms: -9223372022400000n }, { ms: 253402300799999 }, { ms: null }],
    schema: [{ name: "ms", type: "BIGINT" }],
  },
  {
    name: "messy15: make_timestamp_ms past 64 bits of microseconds fails like DuckDB",
    sql: `SELECT make_timestamp_ms(ms) AS at FROM t`,
    rows: [{ ms: 1 }, { ms: 9223372036854776n }],
    schema: [{ name: "ms", type: "BIGINT" }],
    expect: "error",
  },
  {
    name: "messy15: make_timestamp_ms of an INTEGER and of a text cast agree",
    sql: `SELECT make_timestamp_ms(i) AS a, make_timestamp_ms(s::BIGINT) AS b FROM t`,
    rows: [{ i: 2147483647, s: "1709287200123" }, { i: -5, s: "-62135596800000" }],
    schema: [{ name: "i", type: "INTEGER" }, { name: "s", type: "VARCHAR" }],
  },
  {
    name: "messy15: S3 object keys from CloudTrail split by parse_path, parse_dirname, parse_dirpath and parse_filename (the library lacked them)",
    sql: `SELECT requestParameters.key AS k, parse_path(requestParameters.key) AS parts, parse_dirname(requestParameters.key) AS top, parse_dirpath(requestParameters.key) AS dir,
      parse_filename(requestParameters.key) AS name, parse_filename(requestParameters.key, true) AS stem, parse_filename('s3://' || requestParameters.bucketName || '/' || requestParameters.key, true, 'forward_slash') AS s3stem
    FROM t`,
    rows: cloudtrail,
  },
  {
    name: "messy15: parse_* path functions over odd paths and every separator option",
    sql: `SELECT p, parse_dirname(p) AS d, parse_dirpath(p) AS dp, parse_filename(p) AS f, parse_filename(p, true) AS ft, parse_path(p) AS pp,
      parse_dirname(p, 'forward_slash') AS d2, parse_dirpath(p, 'backslash') AS dp3, parse_filename(p, 'backslash') AS f3, parse_filename(p, true, 'forward_slash') AS f4,
      parse_path(p, 'backslash') AS pp3, parse_path(p, 'system') AS pps, parse_dirname(p, 'BACKSLASH') AS dnon, parse_dirpath(p, NULL) AS dpnull, parse_filename(p, NULL, 'backslash') AS fnull,
      parse_filename(p, false, NULL::VARCHAR) AS fnull2, parse_path(p, 'both_slash') AS ppb, parse_filename(p, NULL) AS fnull3
    FROM t`,
    rows: ["s3://bucket/dir/file.json.gz", "/", "", "a", "/a", "a/", "//a//b//", "C:\\dir\\f.txt", "a\\b/c.d", ".hidden", "dir/.hidden", "f.", "x/y.tar.gz/", "ü/ñ/😀.txt", "a b/c d.e f",
      null, "/a/", "//", "///a", "\\a", "a//", "/a/b", "\\", "a\\", "\\a\\b", "/a/b.c", "a.b.", ".", "..", "a/..", "a/.b.c", "/\\a", "\\/a"].map((p, i) => ({
      p, sep: [null, "backslash", "forward_slash", "system", "both_slash", "BACKSLASH", "nonsense"][i % 7], trim: [null, true, false][i % 3],
    })),
    schema: [{ name: "p", type: "VARCHAR" }, { name: "sep", type: "VARCHAR" }, { name: "trim", type: "BOOLEAN" }],
  },
  {
    name: "messy15: a parse_* separator or trim flag read from a column is refused at its place (DuckDB reads it from a batch's first row)",
    sql: `SELECT parse_filename(p, true, sep) AS f FROM t`,
    rows: [{ p: "a\\b/c", sep: "backslash" }, { p: "a\\b/c", sep: "forward_slash" }],
    expect: "compile-error",
    message: "parse_filename() with a separator or trim flag that is not a constant",
  },
  {
    name: "messy15: a parse_path separator from a column is refused too",
    sql: `SELECT parse_path(p, CASE WHEN starts_with(p, 'C:') THEN 'backslash' ELSE 'forward_slash' END) AS parts FROM t`,
    rows: [{ p: "C:\\x" }],
    expect: "compile-error",
    message: "not a constant",
  },
  {
    name: "messy15: UUIDv7 event ids give their version and time (the library lacked uuid_extract_*)",
    sql: `SELECT id, uuid_extract_version(id::UUID) AS v, CASE WHEN uuid_extract_version(id::UUID) = 7 THEN uuid_extract_timestamp(id::UUID) END AS at,
      date_trunc('day', CASE WHEN uuid_extract_version(TRY_CAST(id AS UUID)) = 7 THEN uuid_extract_timestamp(TRY_CAST(id AS UUID)) END) AS day
    FROM t`,
    rows: ["018e0a1c-7a00-7000-8000-000000000000", "550e8400-e29b-41d4-a716-446655440000", "FFFFFFFF-FFFF-7FFF-BFFF-FFFFFFFFFFFF", "00000000-0000-0000-0000-000000000000",
      "80000000-0000-7000-8000-000000000000", "7fffffff-ffff-7000-8000-000000000000", "{018e0a1c-7a00-7000-8000-00000000abcd}", "018E0A1C7A0070008000000000000000", null].map((id) => ({ id })),
    schema: [{ name: "id", type: "VARCHAR" }],
  },
  {
    name: "messy15: uuid_extract_timestamp of a version 4 id fails like DuckDB",
    sql: `SELECT uuid_extract_timestamp(id::UUID) AS at FROM t`,
    rows: [{ id: "550e8400-e29b-41d4-a716-446655440000" }],
    schema: [{ name: "id", type: "VARCHAR" }],
    expect: "error",
  },
  {
    name: "messy15: Debezium payloads pinned as JSON: ->, ->>, json_value and casts of numbers, big LSNs, text decimals and unicode",
    sql: `SELECT payload->>'op' AS op, (payload->'after'->'id')::INTEGER AS id, payload->'after'->>'name' AS name, json_value(payload, '$.after.price_s') AS pv,
      (payload->'after'->>'price_s')::DECIMAL(10, 2) AS price, (payload->'source'->'lsn')::UBIGINT AS lsn, (payload->'source'->'lsn')::DOUBLE AS lsn_d,
      epoch_ms((payload->'ts_ms')::BIGINT) AS at, make_timestamp((payload->'ts_us')::BIGINT) AS at_us, (payload->'after'->'flags')::UTINYINT AS flags,
      json_type(payload->'before') AS bt, (payload->'before') IS NULL AS no_before, (payload->'after') = 'null' AS after_null, json_exists(payload, '$.transaction.id') AS has_tx,
      payload->'source'->>'snapshot' AS snap, (payload->'source'->>'snapshot')::BOOLEAN AS snap_b, payload->'after'->'updated_at' AS raw_updated
    FROM t`,
    rows: debezium,
    schema: [{ name: "schema", type: "JSON" }, { name: "payload", type: "JSON" }],
  },
  {
    name: "messy15: IoT readings pinned as JSON values: numbers as text and as numbers read by ->> and TRY_CAST",
    sql: `SELECT r->>'device' AS device, TRY_CAST(r->>'temp' AS DOUBLE) AS temp, (r->'pressure')::DOUBLE AS p, r->>'pressure' AS p_text, json_type(r, '$.pressure') AS pt,
      TRY_CAST(r->>'seq' AS HUGEINT) AS seq, r->'extra'->>'fw' AS fw, coalesce(r->>'hum', 'missing') AS hum
    FROM t`,
    rows: iot.map((r) => ({ r })),
    schema: [{ name: "r", type: "JSON" }],
  },
  {
    name: "messy15: CloudTrail eventTime read by strptime formats with Z, fractions and %z, and by TRY_CAST",
    sql: `SELECT eventTime, strptime(eventTime, ['%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M:%S.%gZ']) AS st, try_strptime(eventTime, '%Y-%m-%dT%H:%M:%S%z') AS tz,
      try_strptime(eventTime, '%Y-%m-%dT%H:%M:%S.%fZ') AS frac, TRY_CAST(eventTime AS TIMESTAMP) AS ts, date_trunc('hour', TRY_CAST(eventTime AS TIMESTAMPTZ)) AS h,
      strftime(TRY_CAST(eventTime AS TIMESTAMP), '%Y/%m/%d/%H') AS prefix, time_bucket(INTERVAL '15 minutes', TRY_CAST(eventTime AS TIMESTAMPTZ)) AS q
    FROM t`,
    rows: cloudtrail.map((e) => ({ eventTime: e.eventTime })),
    schema: [{ name: "eventTime", type: "VARCHAR" }],
  },
  {
    name: "messy15: OpenTelemetry ids and times: hex trace ids to bytes, nanoseconds as DOUBLE seconds, bracket access on structs",
    sql: `SELECT unhex(traceId) AS tb, octet_length(unhex(traceId)) AS n, lower(hex(unhex(spanId))) AS span, to_timestamp(timeUnixNano::BIGINT / 1000000000) AS at_d,
      timeUnixNano::BIGINT % 1000000000 AS nanos, attributes[1]['value']['intValue'] AS first_int, struct_extract(body, 'stringValue') AS msg,
      list_position([a.key FOR a IN attributes], 'retry') AS retry_at, list_contains([a.key FOR a IN attributes], 'big') AS has_big, body.kvlistValue.values[1].value.stringValue AS kv
    FROM t`,
    rows: otel,
  },
  {
    name: "messy15: CloudTrail events joined to a team dimension cell by service, unicode user names kept",
    sql: `SELECT e.eventName, coalesce(d.team, 'unowned') AS team, e.userIdentity.userName AS who FROM t e LEFT JOIN dim d ON d.service = split_part(e.eventSource, '.', 1)`,
    rows: cloudtrail,
    cells: { dim: "SELECT * FROM (VALUES ('s3', 'storage'), ('ec2', 'compute'), ('iam', 'security'), ('S3', 'wrong case')) v(service, team)" },
  },
  {
    name: "messy15: CloudTrail error and read-only events through UNION ALL of two cleaning cells",
    sql: `SELECT * FROM errs UNION ALL SELECT * FROM reads`,
    rows: cloudtrail,
    cells: {
      errs: "SELECT eventName, 'error' AS kind, coalesce(errorCode, errorMessage) AS detail FROM t WHERE errorCode IS NOT NULL OR errorMessage IS NOT NULL",
      reads: "SELECT eventName, 'read' AS kind, eventSource AS detail FROM t WHERE readOnly",
    },
  },
  {
    name: "messy15: Stripe events filtered by IN over a cell and by metadata keys present",
    sql: `SELECT id, type FROM t WHERE split_part(type, '.', 1) IN (SELECT kind FROM kinds) AND json_exists(to_json(data.object.metadata), '$.order_id')`,
    rows: stripe,
    cells: { kinds: "SELECT * FROM (VALUES ('charge'), ('refund')) v(kind)" },
  },
  {
    name: "messy15: CloudTrail drift against a pinned sample schema: requestParameters as text, a list, a number, with new and differently typed keys",
    sql: `SELECT eventName, requestParameters.bucketName AS bucket, requestParameters.maxCount AS mc, requestParameters IS NULL AS rp_null, to_json(requestParameters) AS rp, readOnly, eventTime
    FROM t`,
    rows: [
      { eventName: "A", requestParameters: { bucketName: "b", maxCount: 2 }, readOnly: true, eventTime: "2024-03-01T10:00:00Z" },
      { eventName: "B", requestParameters: { bucketName: 7, maxCount: "3", newKey: { x: 1 } }, readOnly: "false", eventTime: "2024-03-01T10:00:00.5Z" },
      { eventName: "C", requestParameters: { bucketName: ["x"], maxCount: 2.5 }, readOnly: 0, eventTime: "2024-03-01 10:00:00" },
      { eventName: "D", requestParameters: {}, readOnly: null, eventTime: "2024-03-01T10:00:00+02:00" },
      { eventName: "E", requestParameters: { BucketName: "case", maxCount: 9223372036854775807n }, readOnly: "TRUE", eventTime: "2024-03-01" },
    ],
    schema: [{ name: "eventName", type: "VARCHAR" }, { name: "requestParameters", type: "STRUCT(bucketName VARCHAR, maxCount BIGINT)" }, { name: "readOnly", type: "BOOLEAN" }, { name: "eventTime", type: "TIMESTAMP" }],
    expect: "same",
  },
  {
    name: "messy15: Segment drift against a pinned schema: properties JSON, timestamp TIMESTAMPTZ from offsets, numbers and bad text",
    sql: `SELECT type, timestamp AS ts, properties->>'revenue' AS rev, json_type(properties) AS jt, userId FROM t`,
    rows: [
      { type: "track", timestamp: "2024-03-01T10:00:00+05:30", properties: { revenue: 1 }, userId: "u1" },
      { type: "track", timestamp: "2024-03-01T10:00:00.123-08:00", properties: "not an object", userId: 42 },
      { type: "track", timestamp: "2024-03-01 10:00:00", properties: [1, 2], userId: null },
      { type: "track", timestamp: "2024-03-01T10:00:00Z", properties: null, userId: true },
      { type: "track", timestamp: "2024-03-01T10:00:00+0530", properties: 1.5, userId: { id: 1 } },
    ],
    schema: [{ name: "type", type: "VARCHAR" }, { name: "timestamp", type: "TIMESTAMPTZ" }, { name: "properties", type: "JSON" }, { name: "userId", type: "VARCHAR" }],
    expect: "same",
  },
  {
    name: "messy15: transfer sizes for people by format_bytes, formatReadableSize and formatReadableDecimalSize (the library lacked them)",
    sql: `SELECT n, format_bytes(n) AS a, formatReadableSize(n) AS b, formatReadableDecimalSize(n) AS c, format_bytes(i) AS d, format_bytes(TRY_CAST(s AS BIGINT)) AS e FROM t`,
    rows: [0, 1, 999, 1000, 1023, 1024, 1536, 1048575, 1048576, 123456789, -1, -1024, -123456789, 9223372036854775807n, -9223372036854775808n, 1099511627776, 999999, 999499,
      1125899906842624, 1152921504606846976n, null].map((n, k) => ({ n, i: k % 2 ? -k * 100000 : null, s: ["1e3", "2048", "", "-5"][k % 4] })),
    schema: [{ name: "n", type: "BIGINT" }, { name: "i", type: "INTEGER" }, { name: "s", type: "VARCHAR" }],
  },
  {
    name: "messy15: CloudTrail bytes transferred per bucket and hour, summed and written for people",
    sql: `SELECT requestParameters.bucketName AS bucket, date_trunc('hour', eventTime::TIMESTAMP) AS h, format_bytes(sum(coalesce(additionalEventData.bytesTransferredOut, 0))::BIGINT) AS out_total
    FROM t WHERE requestParameters.bucketName IS NOT NULL GROUP BY ALL`,
    rows: cloudtrail.map((e, k) => ({ ...e, additionalEventData: { bytesTransferredOut: [0, 1536, 1048575, null, 5e9, 1][k] } })),
  },
  {
    name: "messy15: log messages shortened by left_grapheme, right_grapheme and substring_grapheme keep emoji, flags and accents whole (the library lacked them)",
    sql: `SELECT m, n, left_grapheme(m, n) AS l, right_grapheme(m, n) AS r, substring_grapheme(m, n) AS s1, substring_grapheme(m, n, 2) AS s2, substring_grapheme(m, 2, n) AS s3,
      substring_grapheme(m, n, -2) AS s4, substring_grapheme(lower(m), n, -3) AS s5, right_grapheme(m || '', n) AS r2, left_grapheme(m, 20) || CASE WHEN length_grapheme(m) > 20 THEN '…' ELSE '' END AS preview
    FROM t`,
    rows: ["a👍🏽bc", "e\u0301clair", "🇫🇷🇩🇪x", "", "abc", "abc\r\nd", "x\r\n👍", "👨‍👩‍👧 family", "boom\n  at f (a.js:1:2) ✓", "ab👍", "한국어", "नमस्ते", "abcdefghijklmnopqrstuvwxyz✓", null]
      .flatMap((m) => [-9, -5, -2, -1, 0, 1, 2, 3, 5, 9, null].map((n) => ({ m, n }))),
    schema: [{ name: "m", type: "VARCHAR" }, { name: "n", type: "BIGINT" }],
  },
  {
    name: "messy15: substring_grapheme past 2^32 fails like DuckDB",
    sql: `SELECT substring_grapheme(m, n, 1) AS s FROM t`,
    rows: [{ m: "abc", n: 4294967296n }],
    schema: [{ name: "m", type: "VARCHAR" }, { name: "n", type: "BIGINT" }],
    expect: "error",
  },
  {
    name: "messy15: the grapheme functions over a column of ASCII text only (CR LF apart, as DuckDB splits ASCII byte by byte)",
    sql: `SELECT m, n, left_grapheme(m, n) AS l, right_grapheme(m, n) AS r, substring_grapheme(m, n, 2) AS s2, substring_grapheme(m, n, -2) AS s4 FROM t`,
    rows: ["abc", "abc\r\nd", "", " x ", "a\u0000b"].flatMap((m) => [-9, -2, -1, 0, 1, 2, 4, 9].map((n) => ({ m, n }))),
    schema: [{ name: "m", type: "VARCHAR" }, { name: "n", type: "INTEGER" }],
  },
  {
    name: "messy15: Debezium after merged over before by json_merge_patch, nulls deleting keys (the library lacked it)",
    sql: `SELECT payload->>'op' AS op, json_merge_patch(payload->'before', payload->'after') AS row_now, json_merge_patch(payload->'before', payload->'after', '{"flags":null}') AS no_flags,
      json_merge_patch('{"source":"cdc","v":1}', payload->'source') AS tagged, json_merge_patch(payload, '{"schema":null,"payload":{"source":null}}') AS slim
    FROM t`,
    rows: debezium,
    schema: [{ name: "schema", type: "JSON" }, { name: "payload", type: "JSON" }],
  },
  {
    name: "messy15: json_merge_patch over objects, arrays, scalars, NULLs, duplicate keys and numbers DuckDB re-prints",
    sql: `SELECT a, b, json_merge_patch(a, b) AS m, json_merge_patch(b, a) AS r, json_merge_patch(a, b, a) AS three, json_merge_patch(a, NULL::VARCHAR, b) AS after_null, json_merge_patch(b, a, NULL) AS ends_null, json_merge_patch(a, '{"z":{"y":null,"x":[1,{"w":null}]}}') AS nested
    FROM t`,
    rows: [
      { a: '{"a":1,"b":{"c":2,"d":3}}', b: '{"b":{"c":null,"e":[1]},"a":"x","z":{"y":null}}' },
      { a: "[1,2]", b: '{"a":1}' }, { a: '{"a":1}', b: "[1]" }, { a: '{"a":1}', b: "null" }, { a: null, b: '{"a":1}' }, { a: '{"a":1}', b: null },
      { a: '{"a": 1.50, "b": 1e2, "c": 123456789012345678901234567890, "d": -0, "e": 1E400}', b: "{}" }, { a: '{"a":1,"a":2,"b":0}', b: '{"b":1,"b":2,"a":null}' },
      { a: '"text"', b: '{"k":"ü😀","k2":"\\u00e9"}' }, { a: "{}", b: '{"":null,"x":{}}' }, { a: '{"a":{"b":{"c":1}}}', b: '{"a":{"b":{"d":2}}}' },
      { a: '{"z":1}', b: '{"z":{"y":null,"k":{"q":null}}}' }, { a: "3", b: '{"y":null,"k":{"q":null}}' }, { a: "null", b: '{"y":null}' }, { a: '{"z":"s"}', b: '[{"a":null}]' },
    ],
    schema: [{ name: "a", type: "VARCHAR" }, { name: "b", type: "VARCHAR" }],
  },
  {
    name: "messy15: json_merge_patch of text that is not JSON fails like DuckDB",
    sql: `SELECT json_merge_patch(a, b) AS m FROM t`,
    rows: [{ a: '{"a":1}', b: "{not json" }],
    schema: [{ name: "a", type: "VARCHAR" }, { name: "b", type: "VARCHAR" }],
    expect: "error",
  },
  {
    name: "messy15: json_merge_patch over inferred STRUCTs and numbers (cast to JSON as DuckDB's binder casts them)",
    sql: `SELECT json_merge_patch(payload.before, payload.after) AS row_now, json_merge_patch(payload.source, {'ts_ms': payload.ts_ms, 'lag': payload.ts_ms - payload.source.ts_ms}) AS src,
      json_merge_patch(payload.ts_ms, payload.transaction) AS odd
    FROM t`,
    rows: debezium,
  },
  {
    name: "messy15: epoch numbers with fractions into times: to_timestamp of seconds from ms, us and ns, and date_trunc of the result",
    sql: `SELECT n, to_timestamp(n / 1000) AS from_ms, to_timestamp(n / 1000000) AS from_us, to_timestamp(n::DOUBLE / 1e9) AS from_ns, to_timestamp(round(n / 1000, 3)) AS r3,
      date_trunc('second', to_timestamp(n / 1000)) AS sec, epoch_ms(to_timestamp(n / 1000)) AS back, to_timestamp(n / 1000)::DATE AS d
    FROM t`,
    rows: [1709287200123, 1709287200999, 1709287200000500, 0, -1, -1500, 1, 999, 4102444800000, 253402300799999, null].map((n) => ({ n })),
    schema: [{ name: "n", type: "BIGINT" }],
  },
  {
    name: "messy15: weekly and monthly windows of offset Segment times, as TIMESTAMPTZ and as local TIMESTAMP",
    sql: `SELECT date_trunc('week', timestamp::TIMESTAMPTZ) AS wk, date_trunc('month', timestamp::TIMESTAMPTZ) AS mo, date_trunc('week', timestamp::TIMESTAMP) AS wk_local,
      time_bucket(INTERVAL '1 day', timestamp::TIMESTAMPTZ) AS day_b, time_bucket(INTERVAL '1 day', timestamp::TIMESTAMPTZ, 'Asia/Kolkata') AS day_ist, count(*) AS n
    FROM t GROUP BY ALL`,
    rows: segment,
  },
  {
    name: "messy15: Stripe metadata pinned as MAP(VARCHAR, VARCHAR): lookups, keys, entries, unnest of entries and counts per key",
    sql: `SELECT id, metadata['order_id'] AS oid, element_at(metadata, 'Plan Tier') AS tier, map_extract_value(metadata, 'note') AS note, cardinality(metadata) AS n,
      list_sort(map_keys(metadata)) AS ks, map_contains(metadata, '') AS has_empty, map_entries(metadata) AS es, to_json(metadata) AS j,
      metadata::JSON->>'order_id' AS via_json, coalesce(metadata['order_id'], metadata['orderId'], 'none') AS either
    FROM t`,
    rows: stripe.map((e) => ({ id: e.id, metadata: e.data.object.metadata })),
    schema: [{ name: "id", type: "VARCHAR" }, { name: "metadata", type: "MAP(VARCHAR, VARCHAR)" }],
  },
  {
    name: "messy15: Stripe metadata MAP entries unnested and counted per key",
    sql: `SELECT e.key AS k, count(*) AS n, count(e.value) AS with_value FROM (SELECT unnest(map_entries(metadata)) AS e FROM t) GROUP BY ALL`,
    rows: stripe.map((e) => ({ id: e.id, metadata: e.data.object.metadata })),
    schema: [{ name: "id", type: "VARCHAR" }, { name: "metadata", type: "MAP(VARCHAR, VARCHAR)" }],
  },
];
