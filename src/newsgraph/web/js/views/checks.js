// Checks: occurrences several independent sources report, contradictions between documents, and
// the credibility signals of the documents.
import { api } from "../api.js";
import { h, text } from "../dom.js";
import { badge, clusterRow, docLink, docMeta, evidence, pagedList, panel, plural } from "../components.js";

export async function checksView(root) {
  document.title = "Checks · newsgraph";
  root.append(h("h1", null, "Checks"), h("p", { class: "hint" },
    "What several independent sources agree on, where documents contradict each other, and what to be careful with."));
  const clusters = panel("Corroborated events (two or more independent sources)");
  const contra = panel("Contradictions");
  const signals = panel("Credibility signals");
  root.append(h("div", { class: "cols" }, h("div", null, clusters), h("div", null, contra, signals)));
  await Promise.all([
    pagedList(clusters, (cursor) => api("/clusters", { min_sources: 2, cursor, limit: 15 }), clusterRow,
      "No event is reported by more than one independent source yet."),
    pagedList(contra, (cursor) => api("/contradictions", { cursor, limit: 10 }), (c) => h("li", { class: "contradiction" },
      badge(c.kind.replaceAll("_", " "), "warn"), " ", text(c.detail),
      h("details", null, h("summary", null, plural(c.claims.length, "claim")), c.claims.map((cl) =>
        evidence(cl.evidence, cl.document_id ? { document_id: cl.document_id, doc_id: cl.doc_id, title: cl.title || cl.doc_id,
          outlet: cl.outlet, published: cl.published } : null)))), "No contradiction found."),
    pagedList(signals, (cursor) => api("/signals", { cursor, limit: 10 }), (s) => h("li", null,
      badge(s.kind.replaceAll("_", " "), "sig"), " ", text(s.detail), h("br"),
      docLink(s.document, s.evidence), " ", docMeta(s.document)), "No signal."),
  ]);
}
