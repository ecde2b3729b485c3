import type { SinkSpec } from "../../notebook/format/model.ts";
import { datasetSql, escapePathSegment } from "../sinks/layout.ts";
import type { WorkerConfig, WorkerSource } from "./config.ts";

/**
 * The bundle README's "Read the lake": for each sink the DuckDB query that gives its rows back with the
 * notebook's types, and where its dead letters are. A plain `read_parquet(…, hive_partitioning = true)`
 * reads a NULL partition value's folder (`__HIVE_DEFAULT_PARTITION__`, as Spark and Athena write it) as
 * that text, and a DATE partition column then as VARCHAR, so `WHERE region IS NULL` found nothing; the
 * query given here is `datasetSql`'s, which the tests read the lake with.
 */
export function readLakeSection(config: WorkerConfig, bucketName: (binding: string) => string): string {
  const roots = new Map<string, string>(); // URL root → how DuckDB reaches it
  const queries: string[] = [];
  /** Text partition columns, `sink.column`: a row with '' makes a folder Spark refuses (see below). */
  const textPartitions: string[] = [];
  const errors = new Set<string>();
  for (const pipeline of config.plan.pipelines) {
    const spec = config.sinks[pipeline.sink];
    const sink = pipeline.ops.at(-1)!;
    if (!spec || sink.op !== "sink") continue;
    const root = rootOf(spec, bucketName);
    if (root === null) continue;
    roots.set(root.url, root.secret);
    const prefix = spec.target.kind === "fs" ? "" : spec.target.prefix;
    for (const name of sink.partitionBy) {
      if (sink.schema.find((c) => c.name === name)?.type === "VARCHAR") textPartitions.push(`${pipeline.sink}.${name}`);
    }
    queries.push(`-- ${pipeline.sink}\n${datasetSql(`${root.url}${prefix}${escapePathSegment(pipeline.sink)}/**/*.parquet`, sink.schema, sink.partitionBy)};`);
    errors.add(`${root.url}${prefix}_errors/**/*.ndjson`);
  }
  const secrets = [...new Set(roots.values())].join("\n");
  const letters = [...errors]
    .map((glob) => `SELECT "at", source, reason, raw FROM read_json('${glob.replaceAll("'", "''")}', format = 'newline_delimited', columns = {'reason': 'VARCHAR', 'raw': 'VARCHAR', 'source': 'VARCHAR', 'at': 'TIMESTAMPTZ', 'kind': 'VARCHAR', 'origin': 'JSON'}) ORDER BY "at";`)
    .join("\n");
  return `## Read the lake

Each sink is a Hive-partitioned Parquet dataset. In DuckDB (its \`httpfs\` extension reads R2 and S3):

\`\`\`sql
INSTALL httpfs; LOAD httpfs;
${secrets}
\`\`\`

Each query gives a sink's rows back with the notebook's types. A NULL partition value is written as the folder
\`__HIVE_DEFAULT_PARTITION__\`, as Spark and Athena read it; a bare \`read_parquet(…, hive_partitioning = true)\` reads that
folder as text (and a DATE partition column then as VARCHAR), so these queries map it back to NULL:

\`\`\`sql
${queries.join("\n\n")}
\`\`\`

Spark and pyarrow read a sink's folder as it is (\`spark.read.parquet("<sink folder>")\`, \`pyarrow.dataset.dataset(…, partitioning="hive")\`).${
    textPartitions.length
      ? ` Spark refuses the whole dataset if a text partition column (${textPartitions.map((t) => `\`${t}\``).join(", ")}) holds the empty text: its folder is \`column=\`, as DuckDB writes it too, and Spark has no value for it (it writes '' as NULL). Where Spark reads the lake, write \`NULLIF(column, '')\` in the cell.`
      : ""
  }

Dead letters (why each event was not written, and the event as it was sent), newest last:

\`\`\`sql
${letters}
\`\`\`

A query before the first flush says no files match.${[...roots.keys()].some((url) => url.startsWith("r2://")) ? " Locally, `runnel dev-edge --lake <dir>` copies the R2 objects into `<dir>/<bucket>/` as they are written: read `<dir>/<bucket>/…` in place of `r2://<bucket>/`." : ""}
`;
}

function rootOf(spec: SinkSpec, bucketName: (binding: string) => string): { url: string; secret: string } | null {
  const target = spec.target;
  if (target.kind === "r2") {
    const bucket = bucketName(target.binding);
    return {
      url: `r2://${bucket}/`,
      secret: `-- R2: an R2 API token (the dashboard's R2 page → Manage API tokens) and your account id:\nCREATE SECRET (TYPE r2, KEY_ID '<access key id>', SECRET '<secret access key>', ACCOUNT_ID '<account id>');`,
    };
  }
  if (target.kind === "s3") {
    const endpoint = target.endpoint === null ? null : new URL(target.endpoint);
    const where = endpoint === null ? `, REGION '${target.region}'` : `, REGION '${target.region}', ENDPOINT '${endpoint.host}', URL_STYLE 'path'${endpoint.protocol === "http:" ? ", USE_SSL false" : ""}`;
    return {
      url: `s3://${target.bucket}/`,
      secret: `-- S3${endpoint === null ? " (another endpoint, as RUNNEL_S3_ENDPOINT: add ENDPOINT '<host:port>', URL_STYLE 'path')" : ""}:\nCREATE SECRET (TYPE s3, KEY_ID '<access key id>', SECRET '<secret access key>'${where});`,
    };
  }
  return null;
}

/**
 * What a sender must send for a source's scheme to verify: the README's line per source, so whoever sets
 * up the provider knows which header carries what (and, for Standard Webhooks, that the secret is `whsec_…`).
 */
export function senderNote(source: WorkerSource): string {
  const s = source.secret === null ? "" : `\`${source.secret}\``;
  const name = source.secret ?? "";
  switch (source.signature) {
    case "github":
      return `GitHub signs it: the webhook's Secret is the value of ${s}; content type \`application/json\` (or GitHub's default form, read as its \`payload\`)`;
    case "sha256":
      return `The sender signs the body: \`X-Signature-256: sha256=<hex HMAC-SHA256 of the body under ${name}>\``;
    case "shopify":
      return `Shopify signs it (\`X-Shopify-Hmac-Sha256\`): ${s} is the webhook signing secret the admin's Notifications page shows, or an app's client secret`;
    case "stripe":
      return `Stripe signs it: ${s} is the endpoint's signing secret (\`whsec_…\`, shown once the endpoint is added); a retry is told by the event id`;
    case "slack":
      return `Slack signs it: ${s} is the app's Signing Secret; the Worker answers Slack's URL check`;
    case "standard":
      return `Standard Webhooks (Svix, Clerk, Resend, OpenAI): ${s} is the endpoint's secret as the provider shows it, \`whsec_<base64>\`; \`webhook-id\`, \`webhook-timestamp\` (within 300 s) and \`webhook-signature\` headers`;
    case "bearer":
      return `The sender sends \`Authorization: Bearer <the value of ${name}>\``;
    case "none":
      return "Unsigned: the sender sends the operator's token, `Authorization: Bearer <RUNNEL_ADMIN_TOKEN>`";
  }
}
