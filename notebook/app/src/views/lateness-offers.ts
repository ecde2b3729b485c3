/** A differing step of a check or publish answer, as the page reads it for "Set lateness". */
export interface LateStep {
  sink: string;
  detail?: string | null;
  /** The lateness that keeps every late sample event (`{ text: "3 minutes", seconds: 180 }`), when the gateway sends it. */
  lateness?: { text: string; seconds?: number } | null;
}

/** The sentence a gateway without the `lateness` field words the same fact in. */
const SAID = /a lateness of (\d+ (?:seconds?|minutes?|hours?)) or more would keep every sample event/;

/**
 * For each sink of `steps` whose late events a larger lateness would keep, that lateness as the front
 * matter takes it (`3 minutes`), first step per sink. The gateway's `lateness` field is the fact; a
 * gateway that predates it only says it in the step's text, which is read then.
 */
export function latenessOffers(steps: readonly LateStep[]): Map<string, string> {
  const wanted = new Map<string, string>();
  for (const step of steps) {
    if (wanted.has(step.sink)) continue;
    const given = step.lateness?.text?.trim();
    const lateness = given !== undefined && given !== "" ? given : (SAID.exec(step.detail ?? "")?.[1] ?? null);
    if (lateness !== null) wanted.set(step.sink, lateness);
  }
  return wanted;
}
