export { DEMO_EPOCH_MS, demoIndexAt, demoIso, demoTime } from "./clock.ts";
export { type DemoGenerator, demoEvents, demoGenerators } from "./generators.ts";
export { type GithubEventName, githubEventName } from "./github.ts";
export { hash32, type Random, randomFor } from "./random.ts";
