// Home: the question analysts come with (who is tied to whom, where), the most-named entities,
// and the latest documents.
import { api } from "../api.js";
import { h } from "../dom.js";
import { countrySelect, docLink, docMeta, empty, entityLink, hashWith, panel, plural } from "../components.js";

export async function homeView(root) {
  const [stats, pairs, top, docs] = await Promise.all([
    api("/stats"), api("/countries/pairs", { limit: 8 }), api("/entities", { limit: 36 }),
    api("/documents", { limit: 8 }),
  ]);
  root.append(h("p", { class: "lede" },
    `${plural(stats.documents, "document")}, ${plural(stats.entities, "entity")}, ${plural(stats.events, "event")} `
    + `(${stats.corroborated_clusters} reported by more than one independent source), ${plural(stats.quotes, "quote")}.`));
  if (!stats.documents) {
    root.append(empty("The store is empty. Add documents with `newsgraph ingest PATH`, then reload."));
    return;
  }

  // Who is tied to whom: entities of one country and entities of another, linked by events
  const form = h("form", { class: "ask", id: "ties-form" },
    h("label", null, "Ties between ", await countrySelect("country", "", "a country…")),
    h("label", null, " and ", await countrySelect("with_country", "", "another country…")),
    h("button", { type: "submit" }, "Show ties"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const c = form.elements.country.value;
    const w = form.elements.with_country.value;
    if (c) location.hash = hashWith("network", { country: c, with_country: w });
  });
  const pairList = h("ul", { class: "pairs plain" }, pairs.map((p) => h("li", null,
    h("a", { href: hashWith("network", { country: p.a.code, with_country: p.b.code }) },
      `${p.a.name} ↔ ${p.b.name}`),
    h("span", { class: "meta" }, ` ${plural(p.ties, "tie")} between their people and bodies, `
      + `${plural(p.events, "event report")}`))));
  root.append(panel("Who works with whom?",
    h("p", { class: "hint" }, "Pick two countries to see how their leaders, governments, armed forces and companies are "
      + "linked by reported events, with the sentences that say so. Or start from the strongest links:"),
    form, pairs.length ? pairList : empty("No events link entities of different countries yet.")));

  const grid = h("div", { class: "cols" });
  const byType = { PERSON: [], ORG: [], GPE: [], LOC: [], OTHER: [] };
  top.items.forEach((e) => (byType[e.type] || byType.OTHER).push(e));
  const groups = [["People", byType.PERSON], ["Organisations", byType.ORG], ["States and places", [...byType.GPE, ...byType.LOC, ...byType.OTHER]]];
  grid.append(panel("Most-named entities", h("div", { class: "entity-groups" }, groups.filter(([, l]) => l.length).map(([title, list]) =>
    h("div", null, h("h3", null, title), h("ul", { class: "chips plain" }, list.map((e) => h("li", null,
      entityLink(e, { country: true }), h("span", { class: "count", title: "documents" }, String(e.documents))))))))));
  grid.append(panel("Latest documents", h("ul", { class: "plain doclist" }, docs.items.map((d) => h("li", null,
    docLink(d), h("br"), docMeta(d)))), h("p", null, h("a", { href: "#/documents" }, "All documents →"))));
  root.append(grid);
}
