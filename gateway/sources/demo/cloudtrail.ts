import { DEMO_EPOCH_MS, demoTime } from "./clock.ts";
import { compact, ipAddress, MALFORMED_TIMESTAMPS, uuid } from "./messy.ts";
import { type Random, randomFor } from "./random.ts";

const ACCOUNT = "123456789012";
const REGIONS = ["us-east-1", "eu-west-1", "ap-northeast-1"] as const;
const USERS = ["alice", "bob", "ci-deployer", "mária.kovács", "李雷"] as const;
const ROLES = ["AdminRole", "ReadOnly", "lambda-exec", "OrganizationAccountAccessRole"] as const;
const BUCKETS = ["prod-logs", "analytics-raw", "website-assets"] as const;

/** CloudTrail's own time format: whole seconds and `Z`. */
function trailTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

function identity(r: Random, created: number): Record<string, unknown> {
  const kind = r.pick(["IAMUser", "IAMUser", "AssumedRole", "AssumedRole", "AWSService", "Root"] as const);
  const keyId = `AKIA${r.hex(16).toUpperCase()}`;
  switch (kind) {
    case "IAMUser": {
      const user = r.pick(USERS);
      return { type: kind, principalId: `AIDA${r.hex(16).toUpperCase()}`, arn: `arn:aws:iam::${ACCOUNT}:user/${user}`, accountId: ACCOUNT, accessKeyId: keyId, userName: user };
    }
    case "AssumedRole": {
      const role = r.pick(ROLES);
      const session = r.pick(["botocore-session-1795", "alice@example.com", "GitHubActions"]);
      return {
        type: kind,
        principalId: `AROA${r.hex(16).toUpperCase()}:${session}`,
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`,
        accountId: ACCOUNT,
        accessKeyId: `ASIA${r.hex(16).toUpperCase()}`,
        sessionContext: {
          sessionIssuer: { type: "Role", principalId: `AROA${r.hex(16).toUpperCase()}`, arn: `arn:aws:iam::${ACCOUNT}:role/${role}`, accountId: ACCOUNT, userName: role },
          attributes: { creationDate: trailTime(created - 600_000), mfaAuthenticated: r.chance(0.4) ? "true" : "false" },
        },
      };
    }
    case "AWSService":
      return { type: kind, invokedBy: r.pick(["lambda.amazonaws.com", "cloudformation.amazonaws.com"]) };
    case "Root":
      return { type: kind, principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: keyId };
  }
}

/** What was called: service, name, and the request's parameters, whose shape depends on the call. */
function call(r: Random): { eventSource: string; eventName: string; requestParameters: unknown; responseElements: unknown; readOnly: boolean } {
  switch (r.int(0, 6)) {
    case 0:
    case 1: {
      const name = r.pick(["GetObject", "PutObject", "DeleteObject"]);
      return {
        eventSource: "s3.amazonaws.com",
        eventName: name,
        requestParameters: { bucketName: r.pick(BUCKETS), key: `2026/11/22/${r.hex(8)}${r.chance(0.05) ? " ünïcode ✓.csv" : ".json.gz"}`, Host: "s3.amazonaws.com" },
        responseElements: null,
        readOnly: name === "GetObject",
      };
    }
    case 2:
      return { eventSource: "signin.amazonaws.com", eventName: "ConsoleLogin", requestParameters: null, responseElements: { ConsoleLogin: r.chance(0.9) ? "Success" : "Failure" }, readOnly: false };
    case 3:
      return {
        eventSource: "sts.amazonaws.com",
        eventName: "AssumeRole",
        requestParameters: { roleArn: `arn:aws:iam::${ACCOUNT}:role/${r.pick(ROLES)}`, roleSessionName: "botocore-session-1795", durationSeconds: r.pick([900, 3600, 43200]) },
        responseElements: { credentials: { accessKeyId: `ASIA${r.hex(16).toUpperCase()}`, expiration: "Nov 22, 2026, 6:00:00 AM" } },
        readOnly: true,
      };
    case 4:
      return {
        eventSource: "ec2.amazonaws.com",
        eventName: "RunInstances",
        requestParameters: { instancesSet: { items: [{ imageId: `ami-${r.hex(17)}`, minCount: 1, maxCount: r.int(1, 3) }] }, instanceType: r.pick(["t3.micro", "m7g.large"]) },
        responseElements: null,
        readOnly: false,
      };
    case 5:
      return {
        eventSource: "ec2.amazonaws.com",
        eventName: "DescribeInstances",
        requestParameters: { filterSet: { items: [{ name: "instance-state-name", valueSet: { items: [{ value: "running" }] } }] } },
        responseElements: null,
        readOnly: true,
      };
    default:
      return { eventSource: "iam.amazonaws.com", eventName: "CreateUser", requestParameters: { userName: r.pick(USERS) }, responseElements: null, readOnly: false };
  }
}

/**
 * AWS CloudTrail log files as the trail delivers them: one object with a
 * `Records` array of 1–4 audit events, each with a nested `userIdentity`
 * (fields depend on the identity type) and `requestParameters` (shape depends
 * on the call). Messy shares: an empty `Records` list (1%), malformed
 * `eventTime` (0.5% of records), `errorCode`/`errorMessage` on denied calls
 * (5%), IPv6 or "AWS Internal" source addresses, user names in other scripts.
 */
export function cloudtrailEvent(seed: number, i: number, rate: number): unknown {
  const r = randomFor(seed, i);
  const delivered = demoTime(i, rate);
  const count = r.chance(0.01) ? 0 : r.int(1, 4);
  const Records = Array.from({ length: count }, () => {
    const at = Math.max(DEMO_EPOCH_MS, delivered - r.int(0, 300_000));
    const what = call(r);
    const denied = r.chance(0.05);
    return compact({
      eventVersion: "1.09",
      userIdentity: identity(r, at),
      eventTime: r.chance(0.005) ? r.pick(MALFORMED_TIMESTAMPS) : trailTime(at),
      eventSource: what.eventSource,
      eventName: what.eventName,
      awsRegion: r.pick(REGIONS),
      sourceIPAddress: r.chance(0.05) ? "AWS Internal" : ipAddress(r),
      userAgent: r.pick(["aws-cli/2.22.0 Python/3.12.6 Linux/6.8", "console.amazonaws.com", "Boto3/1.35.0 md/Botocore#1.35.0"]),
      errorCode: denied ? "AccessDenied" : undefined,
      errorMessage: denied ? "User is not authorized to perform this operation" : undefined,
      requestParameters: what.requestParameters,
      responseElements: denied ? null : what.responseElements,
      requestID: r.hex(16).toUpperCase(),
      eventID: uuid(r),
      readOnly: what.readOnly,
      eventType: what.eventSource === "signin.amazonaws.com" ? "AwsConsoleSignIn" : "AwsApiCall",
      managementEvent: what.eventSource !== "s3.amazonaws.com",
      recipientAccountId: ACCOUNT,
      eventCategory: what.eventSource === "s3.amazonaws.com" ? "Data" : "Management",
    });
  });
  return { Records };
}
