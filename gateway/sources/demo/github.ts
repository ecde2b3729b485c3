import { demoTime } from "./clock.ts";
import { compact, UNICODE_NAMES } from "./messy.ts";
import { hash32, type Random, randomFor } from "./random.ts";

const OWNER = { login: "octo-org", id: 6_811_672, type: "Organization" } as const;
const REPOS = ["runnel", "hello-world", "lake-house", "docs"] as const;
const LOGINS = ["octocat", "hubot", "monalisa", "dependabot[bot]", "zoë-dev", "kenji-sato"] as const;
const LABELS = [
  { id: 1_362_934_389, name: "bug", color: "d73a4a", default: true, description: "Something isn't working" },
  { id: 1_362_934_390, name: "enhancement", color: "a2eeef", default: true, description: "New feature or request" },
  { id: 2_100_000_001, name: "good first issue 🌱", color: "7057ff", default: false, description: null },
] as const;
const BRANCHES = ["main", "feature/parquet-writer", "fix/unicode-名前", "dependabot/npm_and_yarn/vite-8.3.8"] as const;
const ISSUE_ACTIONS = ["opened", "opened", "edited", "closed", "labeled", "reopened"] as const;
const PR_ACTIONS = ["opened", "synchronize", "synchronize", "closed", "ready_for_review", "review_requested"] as const;

/** GitHub's timestamp text: whole seconds and `Z`. */
function ghTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

function user(login: string): Record<string, unknown> {
  const id = 1_000_000 + (hash32(login.length, login.charCodeAt(0), login.charCodeAt(login.length - 1)) % 90_000_000);
  return {
    login,
    id,
    node_id: `MDQ6VXNlcj${id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    html_url: `https://github.com/${login}`,
    type: login.endsWith("[bot]") ? "Bot" : "User",
    site_admin: false,
  };
}

/**
 * A repository as GitHub puts it in a delivery. In `push` deliveries GitHub writes its `created_at`
 * and `pushed_at` as Unix seconds, in every other event as ISO text: a sample of ISO text only typed
 * them TIMESTAMP, and every real push was a dead letter in each sink.
 */
function repository(name: string, now: number, push = false): Record<string, unknown> {
  const id = 500_000_000 + REPOS.indexOf(name as (typeof REPOS)[number]);
  return {
    id,
    node_id: `R_kgDO${id}`,
    name,
    full_name: `${OWNER.login}/${name}`,
    private: name === "lake-house",
    owner: { login: OWNER.login, id: OWNER.id, type: OWNER.type, html_url: `https://github.com/${OWNER.login}` },
    html_url: `https://github.com/${OWNER.login}/${name}`,
    description: name === "docs" ? null : `The ${name} repository`,
    fork: false,
    created_at: push ? Date.UTC(2024, 2, 1, 9) / 1000 : "2024-03-01T09:00:00Z",
    updated_at: ghTime(now - 3_600_000),
    pushed_at: push ? Math.floor((now - 60_000) / 1000) : ghTime(now - 60_000),
    default_branch: "main",
    stargazers_count: 40 + (hash32(id) % 400),
    language: name === "docs" ? null : "TypeScript",
  };
}

function commit(r: Random, repo: string, now: number): Record<string, unknown> {
  const sha = r.hex(40);
  const author = r.chance(0.1) ? r.pick(UNICODE_NAMES) : r.pick(["Mona Lisa", "Octo Cat", "Hubot"]);
  const email = r.chance(0.05) ? "" : `${author.split(" ")[0]!.toLowerCase()}@users.noreply.github.com`;
  // Commit timestamps carry the author's offset, as git records them.
  const offset = r.pick([0, 60, -300, 540]);
  const local = new Date(now + offset * 60_000).toISOString().slice(0, 19);
  const zone = offset === 0 ? "Z" : `${offset > 0 ? "+" : "-"}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, "0")}:${String(Math.abs(offset) % 60).padStart(2, "0")}`;
  return {
    id: sha,
    tree_id: r.hex(40),
    distinct: r.chance(0.95),
    message: r.pick(["Fix flush race", "Add Parquet writer\n\nUses hyparquet-writer.", "Bump vite", "Handle 🎉 in names", "Merge pull request #12"]),
    timestamp: `${local}${zone}`,
    url: `https://github.com/${OWNER.login}/${repo}/commit/${sha}`,
    author: { name: author, email, username: r.chance(0.9) ? r.pick(LOGINS) : undefined },
    committer: { name: "GitHub", email: "noreply@github.com", username: "web-flow" },
    added: r.chance(0.3) ? [`src/${r.hex(6)}.ts`] : [],
    removed: [],
    modified: ["README.md", "src/index.ts"].slice(0, r.int(0, 2)),
  };
}

function push(r: Random, repo: string, now: number): Record<string, unknown> {
  const branch = r.pick(BRANCHES);
  const created = r.chance(0.05);
  const deleted = !created && r.chance(0.03);
  const commits = deleted ? [] : Array.from({ length: r.int(1, 3) }, () => commit(r, repo, now - r.int(0, 600_000)));
  const pusher = r.pick(LOGINS);
  return {
    ref: `refs/heads/${branch}`,
    before: created ? "0".repeat(40) : r.hex(40),
    after: deleted ? "0".repeat(40) : (commits.at(-1)?.id as string),
    created,
    deleted,
    forced: r.chance(0.02),
    base_ref: null,
    compare: `https://github.com/${OWNER.login}/${repo}/compare/${r.hex(12)}...${r.hex(12)}`,
    commits,
    head_commit: commits.at(-1) ?? null,
    repository: repository(repo, now, true),
    pusher: { name: pusher, email: `${pusher}@users.noreply.github.com` },
    sender: user(pusher),
  };
}

function issues(r: Random, repo: string, now: number): Record<string, unknown> {
  const action = r.pick(ISSUE_ACTIONS);
  const number = r.int(1, 400);
  const author = r.pick(LOGINS);
  const labels = LABELS.filter(() => r.chance(0.35));
  return compact({
    action,
    issue: {
      url: `https://api.github.com/repos/${OWNER.login}/${repo}/issues/${number}`,
      html_url: `https://github.com/${OWNER.login}/${repo}/issues/${number}`,
      id: 2_000_000_000 + number * 7,
      node_id: `I_kwDO${number}`,
      number,
      title: r.pick(["Parquet files too small", "Crash on 🎉 in station name", "文字化け in export", "Support Kafka SASL", ""]),
      user: user(author),
      labels,
      state: action === "closed" ? "closed" : "open",
      locked: false,
      assignee: r.chance(0.5) ? user(r.pick(LOGINS)) : null,
      comments: r.int(0, 30),
      created_at: ghTime(now - r.int(0, 30) * 86_400_000),
      updated_at: ghTime(now),
      closed_at: action === "closed" ? ghTime(now) : null,
      author_association: r.pick(["OWNER", "MEMBER", "CONTRIBUTOR", "NONE"]),
      body: r.chance(0.15) ? null : r.pick(["Steps to reproduce:\n1. …", "", "It fails with `Conversion Error`.", "See #12 ✅"]),
    },
    label: action === "labeled" ? (labels[0] ?? LABELS[0]) : undefined,
    repository: repository(repo, now),
    sender: user(r.pick(LOGINS)),
  });
}

function pullRequest(r: Random, repo: string, now: number): Record<string, unknown> {
  const action = r.pick(PR_ACTIONS);
  const number = r.int(1, 400);
  const merged = action === "closed" && r.chance(0.7);
  const head = r.pick(BRANCHES.slice(1));
  return {
    action,
    number,
    pull_request: {
      url: `https://api.github.com/repos/${OWNER.login}/${repo}/pulls/${number}`,
      id: 1_800_000_000 + number * 11,
      node_id: `PR_kwDO${number}`,
      html_url: `https://github.com/${OWNER.login}/${repo}/pull/${number}`,
      number,
      state: action === "closed" ? "closed" : "open",
      locked: false,
      title: r.pick(["Write Parquet with hyparquet", "Fix: unicode 名前 in partitions", "Bump vite from 8.3.7 to 8.3.8"]),
      user: user(r.pick(LOGINS)),
      body: r.chance(0.2) ? null : "Closes #12.\n\n- [x] tests",
      created_at: ghTime(now - r.int(1, 10) * 86_400_000),
      updated_at: ghTime(now),
      closed_at: action === "closed" ? ghTime(now) : null,
      merged_at: merged ? ghTime(now) : null,
      merge_commit_sha: merged ? r.hex(40) : null,
      assignee: null,
      labels: LABELS.filter(() => r.chance(0.2)),
      head: { label: `${OWNER.login}:${head}`, ref: head, sha: r.hex(40) },
      base: { label: `${OWNER.login}:main`, ref: "main", sha: r.hex(40) },
      author_association: "MEMBER",
      draft: action !== "ready_for_review" && r.chance(0.15),
      merged,
      mergeable: r.chance(0.1) ? null : r.chance(0.9),
      comments: r.int(0, 12),
      review_comments: r.int(0, 20),
      commits: r.int(1, 15),
      additions: r.int(0, 2000),
      deletions: r.int(0, 800),
      changed_files: r.int(1, 40),
    },
    repository: repository(repo, now),
    sender: user(r.pick(LOGINS)),
  };
}

/** The webhook event a payload belongs to, as GitHub sends it in `X-GitHub-Event`. */
export type GithubEventName = "push" | "issues" | "pull_request";

/** Which event demo payload i is (its `X-GitHub-Event` header). */
export function githubEventName(seed: number, i: number): GithubEventName {
  const roll = randomFor(seed, i, 1).next();
  return roll < 0.5 ? "push" : roll < 0.75 ? "issues" : "pull_request";
}

/** The headers GitHub sends with demo payload i: its event name (the delivery id is the stand-in's, webhook-columns.ts). */
export function githubHeaders(seed: number, i: number): Record<string, string> {
  return { "X-GitHub-Event": githubEventName(seed, i) };
}

/**
 * GitHub webhook payloads for push, issues and pull_request, nested the way
 * GitHub nests them (repository, sender, commits with author objects, labels,
 * head/base refs). The event name travels in a header, not the body; get it
 * with `githubEventName`. Messy shares: commit authors in other scripts
 * (10%), empty author emails (5%), commit timestamps with offsets, null
 * issue bodies (15%), branch deletions with no commits (3%).
 */
export function githubEvent(seed: number, i: number, rate: number): unknown {
  const r = randomFor(seed, i);
  const now = demoTime(i, rate);
  const repo = r.pick(REPOS);
  switch (githubEventName(seed, i)) {
    case "push":
      return push(r, repo, now);
    case "issues":
      return issues(r, repo, now);
    case "pull_request":
      return pullRequest(r, repo, now);
  }
}
