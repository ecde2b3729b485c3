import type { Connection } from "../duckdb.ts";
import type { SourceStats, SourceTable } from "../source-table.ts";
import { jsonColumns } from "../retype.ts";
import { quoteIdent } from "../sql.ts";
import { formatCount } from "./format-value.ts";
import { profileRelation, renderProfile, showJson } from "./profile.ts";

/**
 * A source in the side panel: live events/s, rows in the window, pause and
 * resume, and the schema/profile of the table (on demand, refreshable).
 */
export class SourceCard {
  readonly element: HTMLElement;
  private readonly rate: HTMLElement;
  private readonly rows: HTMLElement;
  private readonly state: HTMLElement;
  private readonly undecodable: HTMLElement;
  private readonly misfits: HTMLElement;
  private readonly pause: HTMLButtonElement;
  private readonly profile: HTMLElement;
  private readonly profileButton: HTMLButtonElement;
  private readonly reload: HTMLButtonElement;
  private profileOpen = false;
  /** The sample could not be read (`failed()`): Reload stays, whatever the tail says. */
  private sampleFailed = false;
  /** The table had no events at the last update: an open profile is drawn again once it has. */
  private empty = false;
  /** Events per second over the last `RATE_SECONDS` whole seconds, oldest first. */
  private readonly rates: number[] = [];
  private rateSecond = -1;
  private rateReceived = 0;
  private readonly sparkline: SVGSVGElement;

  constructor(
    private readonly table: SourceTable,
    private readonly conn: Connection,
    kind: string,
    private readonly frozen: boolean,
    /** Edit and Remove on the card (edit mode): the source's entry in the front matter. */
    manage: SourceManagement | null = null,
    /** Shown while the source has no events yet (a webhook's test delivery). */
    private readonly waitingHelp: HTMLElement | null = null,
  ) {
    this.element = document.createElement("section");
    this.element.className = "source";
    this.element.dataset.source = table.name;
    const title = document.createElement("h3");
    title.innerHTML = `<span class="source-name"></span> <span class="source-kind"></span>`;
    title.querySelector(".source-name")!.textContent = table.name;
    title.querySelector(".source-kind")!.textContent = kind;

    const counters = document.createElement("div");
    counters.className = "source-counters";
    this.rate = counter(counters, "events/s", "source-rate");
    this.rows = counter(counters, "rows", "source-rows");
    this.sparkline = document.createElementNS(SVG, "svg");
    this.sparkline.setAttribute("class", "source-rate-chart");
    this.sparkline.setAttribute("width", String(RATE_SECONDS * 3));
    this.sparkline.setAttribute("height", String(RATE_HEIGHT));
    this.sparkline.setAttribute("role", "img");
    this.sparkline.setAttribute("aria-label", `events per second, last ${RATE_SECONDS} s`);
    const rateBox = document.createElement("div");
    rateBox.className = "counter source-rate-box";
    const rateCaption = document.createElement("span");
    rateCaption.className = "counter-label";
    rateCaption.textContent = `last ${RATE_SECONDS} s`;
    rateBox.append(this.sparkline, rateCaption);
    counters.append(rateBox);
    this.state = document.createElement("div");
    this.state.className = "source-state";
    this.undecodable = document.createElement("div");
    this.undecodable.className = "source-undecodable";
    this.undecodable.hidden = true;
    this.misfits = document.createElement("div");
    this.misfits.className = "source-misfits";
    this.misfits.hidden = true;

    const actions = document.createElement("div");
    actions.className = "source-actions";
    this.pause = button(frozen ? "Snapshot" : "Pause", "source-pause");
    this.pause.disabled = frozen;
    this.pause.addEventListener("click", () => {
      this.table.setPaused(!this.table.isPaused());
    });
    const profileButton = button("Profile", "source-profile-toggle");
    profileButton.addEventListener("click", () => {
      this.profileOpen = !this.profileOpen;
      profileButton.classList.toggle("active", this.profileOpen);
      if (this.profileOpen) void this.refreshProfile();
      else this.profile.replaceChildren();
    });
    // A shared snapshot does not move: no pause button, no arrival rate.
    this.pause.hidden = frozen;
    if (frozen) for (const box of counters.querySelectorAll<HTMLElement>(".counter:has(.source-rate), .source-rate-box")) box.hidden = true;
    this.profileButton = profileButton;
    // Shown once the source cannot be read at all: Pause and Profile have nothing to act on then,
    // and the way on is to fix the notebook's entry (or start the broker) and read it again.
    this.reload = button("Reload", "source-reload");
    this.reload.title = "Read the notebook again and retry this source (after fixing its entry or starting the broker)";
    this.reload.hidden = true;
    this.reload.addEventListener("click", () => location.reload());
    actions.append(this.pause, profileButton, this.reload);
    if (manage !== null && !frozen) actions.append(...manageButtons(table.name, manage));
    this.profile = document.createElement("div");
    this.profile.className = "source-profile";
    if (waitingHelp !== null) waitingHelp.hidden = true;
    this.element.append(title, counters, this.state, ...(waitingHelp === null ? [] : [waitingHelp]), this.undecodable, this.misfits, actions, this.profile);
  }

  update(stats: SourceStats): void {
    if (stats.live) this.sampleRate(stats.received);
    this.rate.textContent = formatCount(stats.eventsPerSecond);
    this.rows.textContent = formatCount(stats.rows);
    this.rows.dataset.value = String(stats.rows);
    if (!this.pause.disabled) this.pause.textContent = stats.paused ? "Resume" : "Pause";
    this.element.classList.toggle("paused", stats.paused);
    this.state.textContent = stats.error ?? stats.waiting ?? (stats.paused ? "paused: the table is frozen" : stats.live ? (stats.notice ?? "live") : "snapshot");
    this.state.classList.toggle("error", stats.error !== null);
    this.state.classList.toggle("notice", stats.error === null && stats.waiting === null && !stats.paused && stats.notice !== null);
    this.state.classList.toggle("waiting", stats.error === null && stats.waiting !== null);
    if (this.waitingHelp !== null) this.waitingHelp.hidden = stats.error !== null || stats.waiting === null;
    // Events the gateway could not decode never reach the table; say so, or a bad delivery just vanishes.
    this.undecodable.hidden = stats.undecodable === 0;
    this.undecodable.textContent =
      stats.undecodable === 0 ? "" : `${formatCount(stats.undecodable)} ${stats.undecodable === 1 ? "event" : "events"} could not be read${stats.lastUndecodable === null ? "" : `; last: ${stats.lastUndecodable}`}`;
    // Live events are typed like the sample: a value its column cannot hold is NULL in the table, a new key has no column.
    const misfit = [
      stats.misfits === 0 ? null : `${formatCount(stats.misfits)} live ${stats.misfits === 1 ? "event" : "events"} held a value its column cannot hold, shown as ∅; last: ${stats.lastMisfit ?? ""}`,
      stats.newKeys.length === 0 ? null : `Live events have ${stats.newKeys.length === 1 ? "a key" : "keys"} the table has no column for: ${stats.newKeys.slice(0, 5).join(", ")}${stats.newKeys.length > 5 ? ", …" : ""}`,
    ].filter((line) => line !== null);
    this.misfits.hidden = misfit.length === 0;
    this.misfits.textContent = misfit.length === 0 ? "" : `${misfit.join(". ")}. Reload the page to type the table from the sample again.`;
    // The browser stopped reconnecting: the way on is a reload, offered where the person looks.
    this.reload.hidden = !this.sampleFailed && !stats.tailClosed;
    const empty = this.table.schema === null;
    if (this.empty && !empty && this.profileOpen) void this.refreshProfile();
    this.empty = empty;
  }

  /** The source's sample could not be read: the card offers Reload instead of Pause and Profile. */
  failed(): void {
    this.sampleFailed = true;
    this.pause.hidden = true;
    this.profileButton.hidden = true;
    this.reload.hidden = false;
  }

  /** Counts the events received in each whole second (the table reports several times a second) and redraws the sparkline. */
  private sampleRate(received: number): void {
    const second = Math.floor(performance.now() / 1000);
    if (this.rateSecond < 0) {
      this.rateSecond = second;
      this.rateReceived = received;
      return;
    }
    if (second === this.rateSecond) return;
    // Seconds without a report had no arrivals; what arrived since the last report lands in the last second.
    for (let s = this.rateSecond + 1; s < second; s++) this.rates.push(0);
    this.rates.push(received - this.rateReceived);
    this.rates.splice(0, Math.max(0, this.rates.length - RATE_SECONDS));
    this.rateSecond = second;
    this.rateReceived = received;
    this.drawRates();
  }

  private drawRates(): void {
    const max = Math.max(1, ...this.rates);
    const bars = this.rates.map((n, i) => {
      const h = n === 0 ? 0 : Math.max(1, (n / max) * RATE_HEIGHT);
      const x = (RATE_SECONDS - this.rates.length + i) * 3;
      const rect = document.createElementNS(SVG, "rect");
      rect.setAttribute("x", String(x));
      rect.setAttribute("y", String(RATE_HEIGHT - h));
      rect.setAttribute("width", "2");
      rect.setAttribute("height", String(h));
      return rect;
    });
    const title = document.createElementNS(SVG, "title");
    title.textContent = `events per second over the last ${this.rates.length} s: peak ${formatCount(max)}`;
    this.sparkline.replaceChildren(title, ...bars);
  }

  async refreshProfile(): Promise<void> {
    this.profile.classList.remove("error");
    if (this.table.schema === null) {
      // No table yet: DuckDB's "Table with name orders does not exist! Did you mean "pg_prepared_statements"?" said nothing of that.
      this.profile.textContent = this.frozen
        ? "nothing to profile: the source had no events when this snapshot was shared"
        : "nothing to profile yet: the source has no events; the profile is drawn when the first ones arrive";
      return;
    }
    this.profile.textContent = "profiling…";
    try {
      const profiles = await profileRelation(this.conn, quoteIdent(this.table.name));
      // A column DuckDB reads as JSON is VARCHAR here (no json extension in the browser); said as DuckDB says it.
      showJson(profiles, jsonColumns(this.table.schema));
      const refresh = button("Refresh profile", "source-profile-refresh");
      refresh.addEventListener("click", () => void this.refreshProfile());
      this.profile.replaceChildren(renderProfile(profiles), refresh);
    } catch (cause) {
      this.profile.textContent = `profile failed: ${cause instanceof Error ? cause.message : String(cause)}`;
      this.profile.classList.add("error");
    }
  }
}

const SVG = "http://www.w3.org/2000/svg";
/** How many seconds of arrivals the source card's sparkline shows. */
const RATE_SECONDS = 60;
const RATE_HEIGHT = 26;

function counter(parent: HTMLElement, label: string, className: string): HTMLElement {
  const box = document.createElement("div");
  box.className = "counter";
  const value = document.createElement("span");
  value.className = `counter-value ${className}`;
  value.textContent = "–";
  const caption = document.createElement("span");
  caption.className = "counter-label";
  caption.textContent = label;
  box.append(value, caption);
  parent.append(box);
  return value;
}

/** What the page does for a source card's Edit and Remove (`notebook-page.ts`). */
export interface SourceManagement {
  edit(): void;
  remove(): void;
}

/**
 * Edit and Remove for a source's card: the entry is changed or taken out of the front matter from
 * the page (a typo in a topic or a rate was a hand edit of the YAML and a reload).
 */
export function manageButtons(name: string, manage: SourceManagement): HTMLButtonElement[] {
  const edit = button("Edit", "source-edit");
  edit.title = `Change source ${name}'s entry in the notebook's front matter`;
  edit.addEventListener("click", () => manage.edit());
  const remove = button("Remove", "source-remove");
  remove.title = `Take source ${name} out of the notebook's front matter (refused while cells read it)`;
  remove.addEventListener("click", () => manage.remove());
  return [edit, remove];
}

export function button(label: string, className: string): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  b.textContent = label;
  return b;
}
