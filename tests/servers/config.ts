/**
 * Where the real test servers listen. Fixed loopback ports and test-only
 * credentials, so every test and every developer shell agrees without
 * passing anything around. Run-time data lives in the git-ignored `.data/`.
 */
export const kafka = {
  brokers: ["127.0.0.1:19092"],
  controller: "127.0.0.1:19093",
} as const;

export const s3 = {
  endpoint: "http://127.0.0.1:19000",
  region: "us-east-1",
  accessKeyId: "runnel-test",
  secretAccessKey: "runnel-test-secret-key",
  bucket: "runnel-test",
} as const;

export const chromium = {
  executablePath: "/usr/bin/chromium",
} as const;
