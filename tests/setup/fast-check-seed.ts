// Property tests run on one fixed seed so a test run is repeatable: CI answers the
// same on every clone, and a red run can be replayed. Hunting for new cases is a
// separate, deliberate act: `npm run fuzz` (RUNNEL_FC_SEED=random, more runs).
import fc from "fast-check";

const wanted = process.env.RUNNEL_FC_SEED ?? "20261122";
const seed = wanted === "random" ? Date.now() ^ (Math.random() * 0x7fffffff) : Number(wanted);
if (!Number.isInteger(seed)) throw new Error(`RUNNEL_FC_SEED must be an integer or "random", got ${JSON.stringify(wanted)}`);
const numRuns = process.env.RUNNEL_FC_RUNS === undefined ? undefined : Number(process.env.RUNNEL_FC_RUNS);
fc.configureGlobal({ seed, ...(numRuns === undefined ? {} : { numRuns }) });
if (wanted === "random") console.log(`fast-check seed ${seed} (replay with RUNNEL_FC_SEED=${seed})`);
