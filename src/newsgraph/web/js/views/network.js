// The network: entities joined by event edges (actor -> recipient), filterable by event type,
// dates, country and sources; edge width is the number of independent sources; clicking an edge
// shows the sentences behind it. A table below lists the same ties (the graph is a canvas).
import { api } from "../api.js";
import { clear, h, text } from "../dom.js";
import {
  CONFLICT, countryNames, countrySelect, dateInput, empty, entityLink, errorBox, eventRow, evidence, exportLinks, formParams,
  hashWith, panel, plural, sourcesBadge, typeBadge, typeSelect,
} from "../components.js";

const NODE_COLORS = { PERSON: "#2563eb", ORG: "#7c3aed", GPE: "#059669", LOC: "#0d9488", OTHER: "#6b7280" };

export function edgeColor(edge) {
  if (edge.kind === "role") return "#94a3b8";
  return CONFLICT.has(edge.type) ? "#dc2626" : "#16a34a";
}

/** Two countries side by side (left and right columns), else a force-directed layout. */
function layoutFor(data, sides) {
  if (sides && sides.length === 2) {
    const columns = [[], [], []];
    [...data.nodes].sort((a, b) => b.degree - a.degree || b.documents - a.documents).forEach((n) => {
      columns[n.country === sides[0] ? 0 : n.country === sides[1] ? 2 : 1].push(n);
    });
    const positions = {};
    const tallest = Math.max(...columns.map((c) => c.length));
    columns.forEach((col, i) => col.forEach((n, j) => {
      positions[String(n.id)] = { x: i * 330, y: (j + (tallest - col.length) / 2) * 85 };
    }));
    return { name: "preset", positions, padding: 40 };
  }
  if (data.nodes.length < 2) return { name: "grid", padding: 40 };
  return { name: "cose", animate: false, randomize: false, padding: 30, nodeDimensionsIncludeLabels: true,
    nodeRepulsion: () => 400000, idealEdgeLength: () => 90, edgeElasticity: () => 100, gravity: 40, numIter: 1500,
    componentSpacing: 80 };
}

/** Draws nodes and edges with Cytoscape into `container`; returns the instance (or null without the library). */
export function drawNetwork(container, data, { onNode, onEdge, focus, sides } = {}) {
  if (!window.cytoscape) {
    container.append(empty("The network library did not load."));
    return null;
  }
  const maxSources = Math.max(1, ...data.edges.map((e) => e.independent_sources));
  const maxDocs = Math.max(1, ...data.nodes.map((n) => n.documents));
  const elements = [];
  data.nodes.forEach((n) => elements.push({ group: "nodes", data: {
    id: String(n.id), label: n.name, type: n.type, documents: n.documents, country: n.country || "" },
  classes: n.id === focus ? "focus" : "" }));
  data.edges.forEach((e) => elements.push({ group: "edges", data: {
    id: e.id, source: String(e.source), target: String(e.target), label: e.kind === "role" ? e.label : e.type,
    sources: e.independent_sources, color: edgeColor(e), directed: e.directed ? 1 : 0 } }));
  const showEdgeLabels = data.edges.length <= 60;
  const cy = window.cytoscape({
    container,
    elements,
    minZoom: 0.2,
    maxZoom: 3,
    style: [
      { selector: "node", style: {
        label: "data(label)", "font-size": 11, color: "#111827", "text-valign": "bottom", "text-margin-y": 3,
        "text-wrap": "wrap", "text-max-width": 110, "text-background-color": "#ffffff", "text-background-opacity": 0.75,
        "text-background-padding": 1,
        "background-color": (n) => NODE_COLORS[n.data("type")] || NODE_COLORS.OTHER,
        width: (n) => 12 + 26 * Math.sqrt(n.data("documents") / maxDocs),
        height: (n) => 12 + 26 * Math.sqrt(n.data("documents") / maxDocs) } },
      { selector: "node.focus", style: { "border-width": 4, "border-color": "#f59e0b" } },
      { selector: "node:selected", style: { "border-width": 3, "border-color": "#111827" } },
      { selector: "edge", style: {
        width: (e) => 1.5 + 7 * ((e.data("sources") - 1) / Math.max(1, maxSources - 1)),
        "line-color": "data(color)", "target-arrow-color": "data(color)",
        "target-arrow-shape": (e) => (e.data("directed") ? "triangle" : "none"),
        "curve-style": "bezier", opacity: 0.75,
        label: showEdgeLabels ? "data(label)" : "", "font-size": 8, "text-rotation": "autorotate", color: "#374151",
        "text-background-color": "#ffffff", "text-background-opacity": 0.8 } },
      { selector: "edge:selected", style: { opacity: 1, "line-color": "#111827", "target-arrow-color": "#111827", label: "data(label)" } },
    ],
    layout: layoutFor(data, sides),
  });
  // a small graph fitted to a large canvas would be drawn huge: keep it at most life size
  if (cy.zoom() > 1.1) {
    cy.zoom(1.1);
    cy.center();
  }
  if (onNode) cy.on("tap", "node", (ev) => onNode(Number(ev.target.id())));
  if (onEdge) cy.on("tap", "edge", (ev) => onEdge(ev.target.id()));
  container.dataset.nodes = String(data.nodes.length);
  container.dataset.edges = String(data.edges.length);
  return cy;
}

function tieTitle(edge, names) {
  const a = names.get(edge.source) || edge.source;
  const b = names.get(edge.target) || edge.target;
  return `${a} ${edge.directed ? "→" : "↔"} ${b}`;
}

/** Evidence of one edge, loaded into `box`. */
export async function showEdgeEvidence(box, edge, names) {
  clear(box);
  box.append(h("h3", null, tieTitle(edge, names)),
    h("p", null, edge.kind === "role" ? `Office: ${edge.label}` : typeBadge(edge.type), " ",
      sourcesBadge(edge.independent_sources), " ",
      h("span", { class: "meta" }, [edge.first, edge.last].filter(Boolean).join(" – "))));
  const loading = h("p", { class: "muted" }, "Loading the evidence…");
  box.append(loading);
  try {
    const ev = await api(`/entities/${edge.source}/evidence/${edge.target}`,
      edge.kind === "event" ? { type: edge.type } : {});
    loading.remove();
    if (edge.kind === "event") {
      box.append(ev.events.length ? h("ul", { class: "plain" }, ev.events.map(eventRow)) : empty("No event found."));
    } else {
      box.append(h("ul", { class: "plain" }, ev.roles.map((r) => h("li", null, evidence(r.evidence, r.document)))));
    }
  } catch (err) {
    loading.remove();
    box.append(errorBox(err));
  }
}

export async function networkView(root, { params, onLeave }) {
  document.title = "Network · newsgraph";
  const p = Object.fromEntries(["type", "from", "to", "country", "with_country", "entity", "min_sources", "roles",
    "status", "limit"].map((k) => [k, params.get(k) || ""]));
  const names = await countryNames();
  const form = h("form", { class: "filters", id: "network-filters" },
    typeSelect("type", p.type, "any event type"),
    dateInput("from", p.from, "from (YYYY-MM)"), dateInput("to", p.to, "to"),
    await countrySelect("country", p.country, "any country"),
    h("span", { class: "muted" }, " with "),
    await countrySelect("with_country", p.with_country, "any country"),
    h("label", null, "min. sources ", h("input", { type: "number", name: "min_sources", min: 1, max: 99,
      value: p.min_sources || 1, size: 3 })),
    h("label", null, h("input", { type: "checkbox", name: "status", value: "asserted", checked: p.status === "asserted" }),
      " reported as done"),
    h("label", null, h("input", { type: "checkbox", name: "roles", value: "true", checked: p.roles === "true" }),
      " offices"),
    p.entity ? h("input", { type: "hidden", name: "entity", value: p.entity }) : null,
    h("button", { type: "submit" }, "Apply"),
    h("a", { href: "#/network", class: "reset" }, "reset"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const q = formParams(form);
    if (q.min_sources === "1") delete q.min_sources;
    location.hash = hashWith("network", q);
  });
  root.append(h("h1", null, "Network of events"));
  const query = { type: p.type, from: p.from, to: p.to, country: p.country, with_country: p.with_country,
    entity: p.entity, min_sources: p.min_sources, roles: p.roles, status: p.status, limit: p.limit || 200 };
  const data = await api("/graph", query);
  const entityNames = new Map(data.nodes.map((n) => [n.id, n.name]));
  let scope = "all entities";
  if (p.country && p.with_country) scope = `${names.get(p.country) || p.country} and ${names.get(p.with_country) || p.with_country}`;
  else if (p.country) scope = `${names.get(p.country) || p.country}`;
  root.append(form, h("p", { class: "hint" },
    `Ties of ${scope}: ${plural(data.nodes.length, "entity")}, ${plural(data.edges.length, "tie")}`,
    data.truncated ? ` (the ${data.edges.length} strongest of ${data.total_edges})` : "",
    p.entity && entityNames.has(Number(p.entity)) ? [" around ", h("strong", null, entityNames.get(Number(p.entity))),
      " ", h("a", { href: hashWith("network", { ...p, entity: "" }) }, "(show all)")] : "",
    ". Arrows go from the actor to the recipient; green: cooperation, red: conflict; thicker: more independent sources. ",
    "Click a tie to read the evidence, an entity to open it."));
  if (!data.edges.length) {
    root.append(empty("No ties match these filters."));
    return;
  }
  const canvas = h("div", { class: "cy", id: "network-canvas", role: "img",
    "aria-label": `network of ${data.nodes.length} entities and ${data.edges.length} ties` });
  const side = h("aside", { class: "side", id: "network-side" },
    h("p", { class: "muted" }, "Select a tie (a line) to see the sentences that report it."));
  root.append(h("div", { class: "network-layout" }, canvas, side));
  const byId = new Map(data.edges.map((e) => [e.id, e]));
  const nodesById = new Map(data.nodes.map((n) => [n.id, n]));
  const cy = drawNetwork(canvas, data, {
    sides: p.country && p.with_country ? [p.country, p.with_country] : null,
    onEdge: (id) => showEdgeEvidence(side, byId.get(id), entityNames),
    onNode: (id) => {
      const n = nodesById.get(id);
      clear(side).append(h("h3", null, entityLink(n)),
        h("p", { class: "meta" }, [n.type, n.kind, n.country ? names.get(n.country) || n.country : null].filter(Boolean).join(" · ")),
        h("p", null, `${plural(n.degree, "tie")} in this view; named in ${plural(n.documents, "document")}.`),
        h("p", null, h("a", { href: `#/entity/${n.id}` }, "Open its page →")),
        h("p", null, h("a", { href: hashWith("network", { ...p, entity: n.id }) }, "Only its ties")));
    },
  });
  if (cy) onLeave(() => cy.destroy());

  // the same ties as a table: readable without the canvas, and each row opens its evidence
  const rows = data.edges.map((e) => {
    const row = h("tr", { class: "tie-row" },
      h("td", null, entityLink(nodesById.get(e.source), { country: true })),
      h("td", null, e.kind === "role" ? h("span", { class: "badge" }, text(e.label)) : typeBadge(e.type), e.directed ? " →" : " ↔"),
      h("td", null, entityLink(nodesById.get(e.target), { country: true })),
      h("td", { class: "num" }, String(e.independent_sources)),
      h("td", { class: "meta" }, [e.first, e.last].filter(Boolean).filter((v, i, a) => a.indexOf(v) === i).join(" – ")),
      h("td", null, h("button", { type: "button", class: "link", on: { click: () => {
        showEdgeEvidence(side, e, entityNames);
        if (cy) { cy.elements().unselect(); cy.getElementById(e.id).select(); }
        side.scrollIntoView({ behavior: "smooth", block: "nearest" });
      } } }, "evidence")));
    return row;
  });
  root.append(exportLinks({ entity: p.entity, from: p.from, to: p.to, type: p.type }, ["graphml", "gexf", "stix"]));
  root.append(panel("Ties in this view", h("div", { class: "scroll" }, h("table", { class: "ties", id: "ties-table" },
    h("thead", null, h("tr", null, ["From", "Event", "To", "Sources", "When", ""].map((t) => h("th", null, t)))),
    h("tbody", null, rows)))));
}
