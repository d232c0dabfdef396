// Narratives: how often each storyline is advanced, by month or by outlet, and the documents that
// advance one, with the sentences that do it.
import { api } from "../api.js";
import { h, text } from "../dom.js";
import { docHref, docLink, docMeta, empty, hashWith, pagedList, panel } from "../components.js";

const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#9333ea",
  "#0d9488", "#ea580c", "#4b5563"];

function trendChart(canvas, trends, names) {
  if (!window.Chart) return null;
  const groups = [...new Set(trends.rows.map((r) => text(r.group, "(undated)")))].sort();
  const ids = [...new Set(trends.rows.map((r) => r.narrative))];
  const value = new Map(trends.rows.map((r) => [`${text(r.group, "(undated)")}|${r.narrative}`, r.documents]));
  return new window.Chart(canvas, {
    type: "bar",
    data: { labels: groups, datasets: ids.map((id, i) => ({
      label: names.get(id) || id, data: groups.map((g) => value.get(`${g}|${id}`) || 0),
      backgroundColor: PALETTE[i % PALETTE.length] })) },
    options: { animation: false, responsive: true, maintainAspectRatio: false,
      indexAxis: trends.by === "outlet" ? "y" : "x",
      scales: { x: { stacked: true, ticks: { precision: 0 } }, y: { stacked: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } },
        title: { display: true, text: trends.by === "outlet" ? "Documents advancing each narrative, by outlet"
          : "Documents advancing each narrative, by month of publication" } } },
  });
}

export async function narrativesView(root, { params, onLeave }) {
  document.title = "Narratives · newsgraph";
  const by = params.get("by") === "outlet" ? "outlet" : "month";
  const selected = params.get("n") || "";
  const [defs, trends] = await Promise.all([api("/narratives"), api("/narratives/trends", { by })]);
  const names = new Map(defs.map((d) => [d.id, d.name]));
  root.append(h("h1", null, "Narratives"),
    h("p", { class: "tabs" }, "Trends by ",
      h("a", { href: hashWith("narratives", { by: "month", n: selected }), class: by === "month" ? "active" : null }, "month"), " · ",
      h("a", { href: hashWith("narratives", { by: "outlet", n: selected }), class: by === "outlet" ? "active" : null }, "outlet")));
  if (!trends.rows.length) {
    root.append(empty("No document advances a known narrative yet."));
    return;
  }
  const canvas = h("canvas", { id: "narratives-chart", "aria-label": `narrative trends by ${by}` });
  root.append(panel(null, h("div", { class: "chart-box" }, canvas)));
  const chart = trendChart(canvas, trends, names);
  if (chart) onLeave(() => chart.destroy());

  const table = h("table", { class: "narr-table", id: "narratives-table" },
    h("thead", null, h("tr", null, ["Narrative", "Documents", "Independent sources"].map((t) => h("th", null, t)))),
    h("tbody", null, defs.map((d) => h("tr", { class: d.id === selected ? "selected" : null },
      h("td", null, h("a", { href: hashWith("narratives", { by, n: d.id }) }, text(d.name)),
        d.description ? h("div", { class: "muted small" }, text(d.description)) : null),
      h("td", { class: "num" }, String(d.documents)), h("td", { class: "num" }, String(d.independent_sources))))));
  const main = h("div", { class: "main-col" });
  const side = h("div", { class: "side-col" });
  root.append(h("div", { class: "two-col" }, main, side));
  if (!selected) {
    main.append(panel("All narratives", table));
    side.append(panel(null, h("p", { class: "hint" },
      "Pick a narrative to read the documents that advance it and the sentences that do.")));
    return;
  }
  side.append(panel("All narratives", table));
  const box = panel(`Documents advancing “${names.get(selected) || selected}”`);
  box.id = "narrative-documents";
  main.append(box);
  await pagedList(box, (cursor) => api(`/narratives/${encodeURIComponent(selected)}/documents`, { cursor, limit: 20 }),
    (d) => h("li", { class: "narr-doc" }, docLink(d), " ", docMeta(d), h("span", { class: "meta" }, ` · score ${d.score.toFixed(2)}`),
      d.evidence.map((s) => h("figure", { class: "evidence" }, h("blockquote", null,
        h("a", { href: docHref(d, s), title: "open the document at this sentence" }, text(s.text)))))), "No document.");
}
