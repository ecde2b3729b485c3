import type { Connection } from "../duckdb.ts";
import type { SourceStats, SourceTable } from "../source-table.ts";
import { quoteIdent } from "../sql.ts";
import { formatCount } from "./format-value.ts";
import { profileRelation, renderProfile } from "./profile.ts";

/**
 * A source in the side panel: live events/s, rows in the window, pause and
 * resume, and the schema/profile of the table (on demand, refreshable).
 */
export class SourceCard {
  readonly element: HTMLElement;
  private readonly rate: HTMLElement;
  private readonly rows: HTMLElement;
  private readonly state: HTMLElement;
  private readonly pause: HTMLButtonElement;
  private readonly profile: HTMLElement;
  private profileOpen = false;

  constructor(
    private readonly table: SourceTable,
    private readonly conn: Connection,
    kind: string,
    frozen: boolean,
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
    this.state = document.createElement("div");
    this.state.className = "source-state";

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
    actions.append(this.pause, profileButton);
    this.profile = document.createElement("div");
    this.profile.className = "source-profile";
    this.element.append(title, counters, this.state, actions, this.profile);
  }

  update(stats: SourceStats): void {
    this.rate.textContent = formatCount(stats.eventsPerSecond);
    this.rows.textContent = formatCount(stats.rows);
    this.rows.dataset.value = String(stats.rows);
    if (!this.pause.disabled) this.pause.textContent = stats.paused ? "Resume" : "Pause";
    this.element.classList.toggle("paused", stats.paused);
    this.state.textContent = stats.error ?? (stats.paused ? "paused: the table is frozen" : stats.live ? "live" : "snapshot");
    this.state.classList.toggle("error", stats.error !== null);
  }

  async refreshProfile(): Promise<void> {
    this.profile.textContent = "profiling…";
    try {
      const profiles = await profileRelation(this.conn, quoteIdent(this.table.name));
      const refresh = button("Refresh profile", "source-profile-refresh");
      refresh.addEventListener("click", () => void this.refreshProfile());
      this.profile.replaceChildren(renderProfile(profiles), refresh);
    } catch (cause) {
      this.profile.textContent = `profile failed: ${cause instanceof Error ? cause.message : String(cause)}`;
      this.profile.classList.add("error");
    }
  }
}

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

export function button(label: string, className: string): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  b.textContent = label;
  return b;
}
