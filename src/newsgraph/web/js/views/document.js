// A document: its cleaned text with entities, events, quotes, narrative evidence and signals
// marked (each layer can be switched off), and beside it the lists those marks point to, the
// signals, the narratives with their evidence sentences, and links to the source.
import { api } from "../api.js";
import { externalUrl, h, text } from "../dom.js";
import { badge, docLink, empty, entityLink, panel, parties, plural, statusBadge, typeBadge } from "../components.js";

const LAYERS = [
  ["entity", "Entities"], ["event", "Events"], ["quote", "Quotes"], ["narrative", "Narrative evidence"], ["signal", "Signals"],
];

/** The text cut at every highlight boundary; each piece knows the highlights covering it. */
export function segments(textValue, highlights) {
  const n = textValue.length;
  const cuts = new Set([0, n]);
  const spans = highlights.filter((x) => x.start >= 0 && x.end <= n && x.start < x.end);
  spans.forEach((x) => { cuts.add(x.start); cuts.add(x.end); });
  const points = [...cuts].sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    out.push({ start: a, end: b, covers: spans.filter((x) => x.start <= a && x.end >= b) });
  }
  return out;
}

function renderText(container, doc, focus) {
  const marks = focus ? [...doc.highlights, { start: focus[0], end: focus[1], kind: "focus", label: "the passage you followed" }]
    : doc.highlights;
  const pieces = segments(doc.text, marks);
  let focusEl = null;
  for (const seg of pieces) {
    const chunk = doc.text.slice(seg.start, seg.end);
    if (!seg.covers.length) {
      container.append(document.createTextNode(chunk));
      continue;
    }
    const kinds = new Set(seg.covers.map((c) => c.kind));
    const ent = seg.covers.filter((c) => c.kind === "entity").sort((x, y) => (x.end - x.start) - (y.end - y.start))[0];
    const classes = [...kinds].map((k) => "hl-" + k);
    if (ent && ent.entity_type) classes.push("hl-ent-" + ent.entity_type);
    const title = [...new Set(seg.covers.map((c) => (c.kind === "entity" ? c.label : `${c.kind}: ${c.label}`)))].join("\n");
    const attrs = { class: classes, title, dataset: { start: String(seg.start) } };
    const el = ent && ent.entity_id ? h("a", { ...attrs, href: `#/entity/${ent.entity_id}` }, chunk) : h("span", attrs, chunk);
    if (!focusEl && kinds.has("focus")) focusEl = el;
    container.append(el);
  }
  return focusEl;
}

function scrollToSpan(textEl, start, end) {
  const marks = [...textEl.querySelectorAll("[data-start]")].filter((el) => {
    const s = Number(el.dataset.start);
    return s >= start && s < end;
  });
  textEl.querySelectorAll(".flash").forEach((el) => el.classList.remove("flash"));
  marks.forEach((el) => el.classList.add("flash"));
  if (marks.length) marks[0].scrollIntoView({ behavior: "smooth", block: "center" });
}

function jump(textEl, span, label) {
  if (!span || !Number.isInteger(span.start)) return h("span", null, label);
  return h("button", { type: "button", class: "link", title: "show in the text",
    on: { click: () => scrollToSpan(textEl, span.start, span.end) } }, label);
}

export async function documentView(root, { arg, params }) {
  if (!arg) throw new Error("no such document");
  const doc = await api(`/documents/${encodeURIComponent(arg)}`);
  const m = doc.document;
  document.title = `${text(m.title, m.doc_id)} · newsgraph`;
  const hl = /^(\d+)-(\d+)$/.exec(params.get("hl") || "");
  const focus = hl ? [Number(hl[1]), Number(hl[2])] : null;

  const url = externalUrl(m.url);
  root.append(h("div", { class: "doc-head" },
    h("h1", { id: "doc-title" }, text(m.title, m.doc_id)),
    h("p", { class: "meta" }, [m.outlet || "outlet unknown", m.published || "undated",
      m.authors.length ? "by " + m.authors.join(", ") : null, m.language].filter(Boolean).join(" · ")),
    h("p", { class: "meta" }, `id ${m.doc_id}`, m.current ? "" : " · an older version",
      url ? [" · ", h("a", { href: url, rel: "noopener noreferrer nofollow", target: "_blank", class: "external" }, "original page ↗")] : null,
      m.raw_available ? [" · ", h("a", { href: `/documents/${m.document_id}/raw`, target: "_blank", rel: "noopener noreferrer", id: "raw-link" },
        `stored source (${m.raw_format || "text"})`)] : null,
      m.cited_sources.length ? ` · cites ${m.cited_sources.join(", ")}` : null)));

  const textEl = h("div", { class: "doc-text", id: "doc-text", lang: m.language || null });
  const toggles = h("div", { class: "layers", role: "group", "aria-label": "what to mark" },
    LAYERS.map(([kind, label]) => {
      const count = doc.highlights.filter((x) => x.kind === kind).length;
      const box = h("input", { type: "checkbox", checked: true, dataset: { layer: kind } });
      box.addEventListener("change", () => textEl.classList.toggle("hide-" + kind, !box.checked));
      return h("label", { class: "layer layer-" + kind }, box, ` ${label} (${count})`);
    }));
  const main = h("div", { class: "main-col" }, panel(null, toggles, textEl));
  const side = h("div", { class: "side-col" });
  root.append(h("div", { class: "two-col doc-layout" }, main, side));
  const focusEl = renderText(textEl, doc, focus);

  side.append(panel(`Signals (${doc.signals.length})`, doc.signals.length
    ? h("ul", { class: "plain signals", id: "signals" }, doc.signals.map((s) => h("li", null,
      badge(s.kind.replaceAll("_", " "), "sig"), " ", text(s.detail), " ",
      s.evidence ? jump(textEl, s.evidence, "show") : null)))
    : empty("No credibility signal.")));
  side.append(panel(`Narratives (${doc.narratives.length})`, doc.narratives.length
    ? h("ul", { class: "plain narratives", id: "narratives" }, doc.narratives.map((n) => h("li", null,
      h("strong", null, text(n.name)), " ", h("span", { class: "meta" }, `score ${n.score.toFixed(2)}`),
      n.description ? h("div", { class: "muted small" }, text(n.description)) : null,
      h("ul", { class: "plain" }, n.evidence.map((s) => h("li", { class: "narr-evidence" },
        jump(textEl, s, "“" + text(s.text) + "”")))))))
    : empty("No narrative detected.")));
  side.append(panel(`Entities (${doc.entities.length})`, h("ul", { class: "plain chips" }, doc.entities.map((e) => h("li", null,
    entityLink({ id: e.entity_id, name: e.name, type: e.type }),
    e.as_written !== e.name ? h("span", { class: "muted" }, ` “${e.as_written}”`) : null,
    h("span", { class: "count", title: "mentions" }, String(e.mentions)))))));
  side.append(panel(`Events (${doc.events.length})`, doc.events.length
    ? h("ul", { class: "plain" }, doc.events.map((ev) => h("li", { class: "event" },
      h("span", { class: "date" }, text(ev.date, "undated")), " ", typeBadge(ev.type), " ", parties(ev.actors),
      ev.recipients.length ? [" → ", parties(ev.recipients)] : null, " ", statusBadge(ev.status), " ",
      jump(textEl, ev.evidence, "show"))))
    : empty("No event.")));
  side.append(panel(`Quotes (${doc.quotes.length})`, doc.quotes.length
    ? h("ul", { class: "plain" }, doc.quotes.map((q) => h("li", { class: "quote" },
      entityLink({ id: q.speaker_id, name: q.speaker }), q.direct ? ": " : " (reported): ",
      jump(textEl, { start: q.start, end: q.end }, "“" + text(q.text) + "”"))))
    : empty("No quote.")));
  if (doc.versions.length > 1 || doc.near_duplicates.length) {
    side.append(panel("Versions and copies",
      doc.versions.length > 1 ? h("ul", { class: "plain" }, doc.versions.map((v) => h("li", null,
        h("a", { href: `#/document/${v.document_id}` }, `version ${v.version}`), v.current ? " (current)" : "",
        v.ingested_at ? h("span", { class: "meta" }, ` stored ${v.ingested_at.slice(0, 10)}`) : null))) : null,
      doc.near_duplicates.length ? [h("h3", null, `Near-duplicates (${plural(doc.near_duplicates.length, "document")}, one source)`),
        h("ul", { class: "plain" }, doc.near_duplicates.map((d) => h("li", null, docLink(d))))] : null));
  }
  if (focusEl) requestAnimationFrame(() => focusEl.scrollIntoView({ block: "center" }));
}
