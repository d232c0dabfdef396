// Pieces every view uses: links to entities and documents, evidence sentences, event and quote rows,
// panels, pagers, filter controls. All text goes in as text (see dom.js).
import { cached } from "./api.js";
import { h, text, truncate } from "./dom.js";

export const EVENT_TYPES = ["AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
  "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"];
// PLOVER's cooperative types first, conflictual ones after
export const CONFLICT = new Set(["ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"]);
export const TYPE_NAMES = { PERSON: "person", ORG: "organisation", GPE: "state or place", LOC: "location", OTHER: "other" };

export function entityLink(ent, opts = {}) {
  const id = ent.id ?? ent.entity_id;
  const name = text(ent.name, "(unnamed)");
  if (id === null || id === undefined || id <= 0) return h("span", { class: "ent" }, name);
  return h("a", { class: ["ent", "ent-" + text(ent.type, "x")], href: `#/entity/${encodeURIComponent(id)}`,
    title: opts.title || null }, name,
  opts.country && ent.country ? h("span", { class: "cc" }, ent.country) : null);
}

export function docHref(doc, span) {
  const id = doc.document_id ?? doc.id;
  let href = `#/document/${encodeURIComponent(id)}`;
  if (span && Number.isInteger(span.start) && Number.isInteger(span.end)) href += `?hl=${span.start}-${span.end}`;
  return href;
}

export function docLink(doc, span) {
  return h("a", { class: "doc", href: docHref(doc, span) }, text(doc.title, doc.doc_id));
}

export function docMeta(doc) {
  const bits = [doc.outlet, doc.published].filter(Boolean);
  return h("span", { class: "meta" }, bits.length ? bits.join(" · ") : "no outlet or date");
}

/** An evidence sentence with the document it comes from (opening the document at the span). */
export function evidence(span, doc) {
  return h("figure", { class: "evidence" },
    h("blockquote", null, text(span && span.text, "(no evidence sentence)")),
    doc ? h("figcaption", null, docLink(doc, span), " ", docMeta(doc)) : null);
}

export function badge(label, cls, title) {
  return h("span", { class: ["badge", cls], title: title || null }, label);
}

export function typeBadge(type) {
  return badge(type, CONFLICT.has(type) ? "ev-conflict" : "ev-coop", CONFLICT.has(type) ? "conflictual event" : "cooperative event");
}

export function statusBadge(status) {
  return status && status !== "asserted" ? badge(status, "st-" + status, "not reported as having happened") : null;
}

export function sourcesBadge(n) {
  return badge(`${n} source${n === 1 ? "" : "s"}`, n > 1 ? "src-many" : "src-one",
    "independent sources: near-duplicate documents count once");
}

export function parties(list) {
  if (!list || !list.length) return h("span", { class: "muted" }, "—");
  const out = h("span", { class: "parties" });
  list.forEach((p, i) => {
    if (i) out.append(", ");
    out.append(entityLink({ id: p.entity_id, name: p.name, type: p.type }));
  });
  return out;
}

export function eventRow(ev) {
  return h("li", { class: "event" },
    h("div", { class: "event-head" },
      h("span", { class: "date" }, text(ev.date, "undated")), " ", typeBadge(ev.type), " ",
      parties(ev.actors), ev.recipients && ev.recipients.length ? [" → ", parties(ev.recipients)] : null, " ",
      statusBadge(ev.status), ev.mode ? h("span", { class: "muted" }, ` (${ev.mode})`) : null),
    evidence(ev.evidence, ev.document));
}

export function clusterRow(c) {
  const sources = h("ul", { class: "sources" },
    c.sources.map((s) => h("li", null, evidence(s.evidence, s))));
  const details = h("details", null, h("summary", null, `${c.reports} report${c.reports === 1 ? "" : "s"} — show the evidence`), sources);
  if (c.sources.length === 1) details.open = false;
  return h("li", { class: "cluster" },
    h("div", { class: "event-head" },
      h("span", { class: "date" }, text(c.date, c.date_start || "undated")), " ", typeBadge(c.type), " ",
      parties(c.actors), c.recipients.length ? [" → ", parties(c.recipients)] : null, " ",
      sourcesBadge(c.independent_sources), " ",
      c.statuses.filter((s) => s !== "asserted").map((s) => statusBadge(s)),
      c.dates.length > 1 ? badge("dates differ", "warn", "the sources give different dates: " + c.dates.join(", ")) : null),
    details);
}

export function quoteRow(q, opts = {}) {
  return h("li", { class: "quote" },
    h("blockquote", { class: q.direct ? "direct" : "reported" }, text(q.text)),
    h("div", { class: "quote-by" },
      opts.noSpeaker ? null : [entityLink({ id: q.speaker_id, name: q.speaker }), q.direct ? " said" : " (reported)"],
      " — ", docLink(q.document, { start: q.start, end: q.end }), " ", docMeta(q.document)));
}

export function panel(title, ...content) {
  return h("section", { class: "panel" }, title ? h("h2", null, title) : null, ...content);
}

export function empty(message) {
  return h("p", { class: "muted empty" }, message);
}

export function errorBox(err) {
  const message = err && err.message ? err.message : String(err);
  return h("div", { class: "error", role: "alert" }, h("strong", null, "Could not load this: "), message);
}

/** A list that grows by pages: fetchPage(cursor) -> {items, next_cursor}; render(item) -> Node. */
export async function pagedList(container, fetchPage, render, emptyText) {
  const list = h("ul", { class: "plain" });
  container.append(list);
  const more = h("button", { class: "more", type: "button" }, "Load more");
  let cursor = null;
  async function load() {
    more.disabled = true;
    const page = await fetchPage(cursor);
    page.items.forEach((item) => list.append(render(item)));
    cursor = page.next_cursor;
    more.disabled = false;
    if (!cursor) more.remove();
    else if (!more.isConnected) container.append(more);
    if (!list.children.length && emptyText) container.append(empty(emptyText));
  }
  more.addEventListener("click", () => load().catch((e) => container.append(errorBox(e))));
  await load();
}

export async function countryNames() {
  const list = await cached("/countries");
  return new Map(list.map((c) => [c.code, c.name]));
}

export function countryLabel(names, code) {
  return code ? `${names.get(code) || code} (${code})` : "";
}

export async function countrySelect(name, value, placeholder) {
  const list = await cached("/countries");
  const select = h("select", { name, "aria-label": placeholder },
    h("option", { value: "" }, placeholder),
    list.map((c) => h("option", { value: c.code, selected: c.code === value }, `${c.name} (${c.code})`)));
  return select;
}

export function typeSelect(name, value, placeholder = "any event type") {
  return h("select", { name, "aria-label": "event type" },
    h("option", { value: "" }, placeholder),
    EVENT_TYPES.map((t) => h("option", { value: t, selected: t === value }, t.toLowerCase())));
}

export function dateInput(name, value, label) {
  return h("input", { type: "text", name, value: value || "", placeholder: label, "aria-label": label,
    pattern: "[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", size: 14, title: "YYYY, YYYY-MM or YYYY-MM-DD" });
}

/** Reads a filter form into a params object (empty fields left out). */
export function formParams(form) {
  const out = {};
  for (const [key, value] of new FormData(form).entries()) {
    if (value === "") continue;
    if (key in out) out[key] = [].concat(out[key], value);
    else out[key] = value;
  }
  return out;
}

export function hashWith(route, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === "") continue;
    [].concat(v).forEach((x) => q.append(k, x));
  }
  const s = q.toString();
  return `#/${route}${s ? "?" + s : ""}`;
}

export function plural(n, word, many) {
  if (n === 1) return `${n} ${word}`;
  return `${n} ${many || (word.endsWith("y") && !/[aeiou]y$/.test(word) ? word.slice(0, -1) + "ies" : word + "s")}`;
}

/** Download links of the exports, with the filters given (entity, from, to, type, narrative). */
export function exportLinks(filters, formats = ["csv", "jsonl", "stix", "graphml", "ftm"]) {
  const names = { csv: "CSV tables", jsonl: "records (JSONL)", stix: "STIX 2.1", graphml: "GraphML", gexf: "GEXF",
    ftm: "FollowTheMoney", plover: "PLOVER" };
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v !== null && v !== undefined && v !== "") q.append(k, v);
  const s = q.toString();
  return h("p", { class: "exports meta" }, "Download: ", formats.map((f, i) => [i ? " · " : "",
    h("a", { href: `/exports/${f}${s ? "?" + s : ""}`, download: "" }, names[f] || f)]));
}

export { truncate };
