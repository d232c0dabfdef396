// The documents, latest first, filterable by outlet, dates, narrative and entity.
import { api, cached } from "../api.js";
import { h, text } from "../dom.js";
import { badge, dateInput, docLink, docMeta, exportLinks, formParams, hashWith, pagedList, panel } from "../components.js";

export async function documentsView(root, { params }) {
  document.title = "Documents · newsgraph";
  const p = Object.fromEntries(["outlet", "from", "to", "narrative", "entity"].map((k) => [k, params.get(k) || ""]));
  const [outlets, narratives] = await Promise.all([cached("/outlets"), cached("/narratives")]);
  const names = new Map(narratives.map((n) => [n.id, n.name]));
  const form = h("form", { class: "filters", id: "documents-filters" },
    h("select", { name: "outlet", "aria-label": "outlet" }, h("option", { value: "" }, "any outlet"),
      outlets.filter((o) => o.outlet).map((o) => h("option", { value: o.outlet, selected: o.outlet === p.outlet },
        `${o.outlet} (${o.documents})`))),
    dateInput("from", p.from, "from (YYYY-MM)"), dateInput("to", p.to, "to"),
    h("select", { name: "narrative", "aria-label": "narrative" }, h("option", { value: "" }, "any narrative"),
      narratives.filter((n) => n.documents).map((n) => h("option", { value: n.id, selected: n.id === p.narrative }, text(n.name)))),
    p.entity ? h("input", { type: "hidden", name: "entity", value: p.entity }) : null,
    h("button", { type: "submit" }, "Apply"), h("a", { href: "#/documents", class: "reset" }, "reset"));
  form.addEventListener("submit", (e) => { e.preventDefault(); location.hash = hashWith("documents", formParams(form)); });
  root.append(h("h1", null, "Documents"), form);
  if (p.entity) {
    const ent = await api(`/entities/${encodeURIComponent(p.entity)}`, { limit: 1 });
    root.append(h("p", { class: "hint" }, "Documents naming ", h("a", { href: `#/entity/${ent.id}` }, text(ent.name)), " ",
      h("a", { href: hashWith("documents", { ...p, entity: "" }) }, "(all documents)")));
  }
  root.append(exportLinks({ entity: p.entity, from: p.from, to: p.to, narrative: p.narrative }));
  const box = panel(null);
  box.id = "documents-list";
  root.append(box);
  await pagedList(box, (cursor) => api("/documents", { ...p, cursor, limit: 30 }), (d) => h("li", { class: "doc-row" },
    docLink(d), h("br"), docMeta(d), " ", d.narratives.map((n) => badge(names.get(n) || n, "narr small"))),
  "No document matches these filters.");
}
