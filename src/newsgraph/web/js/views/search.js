// Search results: entities by name (fuzzy), documents and quotes by full text.
import { api } from "../api.js";
import { h, markedSnippet, text } from "../dom.js";
import { docLink, docMeta, empty, entityLink, panel, TYPE_NAMES } from "../components.js";

export async function searchView(root, { params }) {
  const q = (params.get("q") || "").trim();
  document.title = `${q} · search · newsgraph`;
  if (!q) {
    root.append(empty("Type a name or words in the search box above."));
    return;
  }
  const res = await api("/search", { q, limit: 25 });
  root.append(h("h1", null, "Results for ", h("q", null, q)));
  const cols = h("div", { class: "cols search-results" });
  cols.append(panel(`Entities (${res.entities.length})`, res.entities.length
    ? h("ul", { class: "plain hits", id: "entity-hits" }, res.entities.map((e) => h("li", null,
      entityLink(e), " ", h("span", { class: "meta" }, [TYPE_NAMES[e.type] || e.type, e.kind, e.country].filter(Boolean).join(" · ")),
      h("br"), h("span", { class: "meta" }, `${e.documents} document${e.documents === 1 ? "" : "s"}`,
        e.matched !== e.name ? ` · as “${e.matched}”` : ""))))
    : empty("No entity by that name.")));
  const right = h("div");
  right.append(panel(`Documents (${res.documents.length})`, res.documents.length
    ? h("ul", { class: "plain hits", id: "document-hits" }, res.documents.map((d) => h("li", null,
      docLink(d), " ", docMeta(d), h("br"), markedSnippet(d.snippet))))
    : empty("No document contains these words.")));
  right.append(panel(`Quotes (${res.quotes.length})`, res.quotes.length
    ? h("ul", { class: "plain hits" }, res.quotes.map((qt) => h("li", null,
      h("strong", null, text(qt.speaker)), ": ", markedSnippet(qt.snippet), h("br"),
      docLink(qt), " ", docMeta(qt))))
    : empty("No quote contains these words.")));
  cols.append(right);
  root.append(cols);
}
