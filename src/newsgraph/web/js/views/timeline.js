// The timeline: occurrences (events of several documents clustered) in date order, with a chart
// of how many there are each month, cooperative and conflictual.
import { api } from "../api.js";
import { h, text } from "../dom.js";
import {
  CONFLICT, clusterRow, countrySelect, dateInput, empty, formParams, hashWith, panel, plural, typeSelect,
} from "../components.js";

function monthChart(canvas, entries) {
  if (!window.Chart) return null;
  const months = new Map();
  entries.forEach((c) => {
    const m = (c.date_start || "").slice(0, 7);
    if (!m) return;
    const row = months.get(m) || { coop: 0, conflict: 0 };
    row[CONFLICT.has(c.type) ? "conflict" : "coop"] += 1;
    months.set(m, row);
  });
  const labels = [...months.keys()].sort();
  return new window.Chart(canvas, {
    type: "bar",
    data: { labels, datasets: [
      { label: "cooperation", data: labels.map((m) => months.get(m).coop), backgroundColor: "#16a34a" },
      { label: "conflict", data: labels.map((m) => months.get(m).conflict), backgroundColor: "#dc2626" },
    ] },
    options: { animation: false, responsive: true, maintainAspectRatio: false,
      scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: "bottom" } } },
  });
}

/** Occurrences under month headings, `step` at a time (a long list would be slow to draw and to read). */
export function monthList(container, entries, step, id = "timeline-list") {
  const list = h("ul", { class: "plain timeline", id });
  container.append(list);
  let shown = 0;
  let month = null;
  const more = h("button", { type: "button", class: "more" });
  function next() {
    entries.slice(shown, shown + step).forEach((c) => {
      const m = (c.date_start || "").slice(0, 7);
      if (m !== month) { month = m; list.append(h("li", { class: "year" }, m || "undated")); }
      list.append(clusterRow(c));
    });
    shown = Math.min(entries.length, shown + step);
    more.textContent = `Show more (${entries.length - shown} left)`;
    if (shown >= entries.length) more.remove();
  }
  more.addEventListener("click", next);
  container.append(more);
  next();
}

export async function timelineView(root, { params, onLeave }) {
  document.title = "Timeline · newsgraph";
  const p = Object.fromEntries(["type", "from", "to", "country", "entity", "status"].map((k) => [k, params.get(k) || ""]));
  const form = h("form", { class: "filters", id: "timeline-filters" },
    typeSelect("type", p.type), dateInput("from", p.from, "from (YYYY-MM)"), dateInput("to", p.to, "to"),
    await countrySelect("country", p.country, "any country"),
    h("label", null, h("input", { type: "checkbox", name: "status", value: "asserted", checked: p.status === "asserted" }),
      " reported as done"),
    p.entity ? h("input", { type: "hidden", name: "entity", value: p.entity }) : null,
    h("button", { type: "submit" }, "Apply"), h("a", { href: "#/timeline", class: "reset" }, "reset"));
  form.addEventListener("submit", (e) => { e.preventDefault(); location.hash = hashWith("timeline", formParams(form)); });
  root.append(h("h1", null, "Timeline of events"), form);
  let who = null;
  if (p.entity) {
    who = await api(`/entities/${encodeURIComponent(p.entity)}`, { limit: 1 });
    root.append(h("p", { class: "hint" }, "Events of ", h("a", { href: `#/entity/${who.id}` }, text(who.name)), " ",
      h("a", { href: hashWith("timeline", { ...p, entity: "" }) }, "(all entities)")));
  }
  const entries = await api("/timeline", { ...p, limit: 500 });
  if (!entries.length) {
    root.append(empty("No dated events match these filters."));
    return;
  }
  const corroborated = entries.filter((c) => c.independent_sources > 1).length;
  root.append(h("p", { class: "hint" }, `${plural(entries.length, "occurrence")}, ${corroborated} reported by more than `
    + "one independent source. Each line is one occurrence; open it for the sentences of every report."));
  const canvas = h("canvas", { id: "timeline-chart", "aria-label": "occurrences per month" });
  root.append(panel("Occurrences per month", h("div", { class: "chart-box small" }, canvas)));
  const chart = monthChart(canvas, entries);
  if (chart) onLeave(() => chart.destroy());
  const box = panel(null);
  root.append(box);
  monthList(box, [...entries].reverse(), 60);
}
