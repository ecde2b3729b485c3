/**
 * Share snapshots stored in the real S3 server when the gateway is
 * configured with RUNNEL_SHARE_S3: the link works without the token, and the
 * objects in the bucket are the snapshot.
 */
import { randomUUID } from "node:crypto";
import { expect, test } from "vitest";
import { openTestGateway } from "../../gateway/test-gateway.ts";
import { shareSinkFromEnv } from "../../gateway/server.ts";
import { s3Sink } from "../../edge/sinks/s3.ts";
import { s3 } from "../servers/config.ts";

const notebook = `---
title: Orders
sources:
  inbox:
    webhook: { signature: none }
---

\`\`\`sql id=big
SELECT * FROM inbox WHERE amount > 10
\`\`\`
`;

test("with RUNNEL_SHARE_S3 a share lives in the bucket and opens without the token", async () => {
  const prefix = `shares-${randomUUID().slice(0, 8)}/`;
  const env = {
    RUNNEL_SHARE_S3: `s3://${s3.bucket}/${prefix}`,
    RUNNEL_S3_ENDPOINT: s3.endpoint,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
  };
  const gw = await openTestGateway({ "orders.md": notebook }, { demo: false, shareSink: shareSinkFromEnv(env) });
  try {
    for (const order of [{ id: 1, amount: 12.5 }, { id: 2, amount: 3 }]) {
      expect((await gw.app.request("/hooks/orders/inbox", { method: "POST", body: JSON.stringify(order), headers: gw.auth })).status).toBe(202);
    }
    const res = await gw.app.request("/api/share", { method: "POST", body: JSON.stringify({ path: "orders.md" }), headers: { "content-type": "application/json", ...gw.auth } });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const bucket = s3Sink({ endpoint: s3.endpoint, bucket: s3.bucket, prefix, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
    const keys = await bucket.list("");
    expect(keys).toEqual(expect.arrayContaining([`${id}/manifest.json`, `${id}/inbox.parquet`]));
    const meta = await gw.app.request(`/s/${id}/notebook`);
    expect(meta.status).toBe(200);
    expect(await meta.json()).toMatchObject({ path: "orders.md", text: notebook, samples: [{ name: "inbox", rows: 2, errors: 0 }] });
    const parquet = await gw.app.request(`/s/${id}/sources/inbox.parquet`);
    expect(new Uint8Array(await parquet.arrayBuffer())).toEqual(await bucket.get(`${id}/inbox.parquet`));
  } finally {
    await gw.close();
  }
});

test("a malformed RUNNEL_SHARE_S3 is refused with what it should look like", () => {
  expect(() => shareSinkFromEnv({ RUNNEL_SHARE_S3: "lake/shares" })).toThrow('gateway: RUNNEL_SHARE_S3 must look like s3://<bucket>/<prefix>, got "lake/shares"');
  expect(() => shareSinkFromEnv({ RUNNEL_SHARE_S3: "s3://lake/x/" })).toThrow("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be too");
});
