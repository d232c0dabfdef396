// An entity: who or what it is, its ties (with the evidence of each), its place in the network,
// roles over time, the timeline of its events, quotes by and about it, and the narratives of the
// documents that name it.
import { api } from "../api.js";
import { clear, h, text } from "../dom.js";
import {
  badge, countryNames, countrySelect, docLink, docMeta, empty, entityLink, errorBox, eventRow, evidence, exportLinks,
  hashWith, pagedList, panel, plural, quoteRow, sourcesBadge, TYPE_NAMES, typeSelect,
} from "../components.js";
import { drawNetwork } from "./network.js";
import { monthList } from "./timeline.js";

const ARROWS = { out: "→", in: "←", mutual: "↔" };

function tieLabel(tie, self, other) {
  if (tie.kind === "comention") return `named together in ${plural(tie.documents, "document")}`;
  if (tie.kind === "role") return tie.direction === "out" ? `${tie.label} of ${other}` : `${self}'s ${tie.label}`;
  const verb = tie.type;
  if (tie.direction === "out") return `${self} ${ARROWS.out} ${verb} ${ARROWS.out} ${other}`;
  if (tie.direction === "in") return `${other} ${ARROWS.out} ${verb} ${ARROWS.out} ${self}`;
  return `${verb} together`;
}

function tiePill(tie, self, other) {
  const when = [tie.first, tie.last].filter(Boolean).filter((v, i, a) => a.indexOf(v) === i).join(" – ");
  const cls = tie.kind === "event" ? (tie.direction === "mutual" ? "tie-mutual" : "tie-event") : "tie-" + tie.kind;
  const label = tie.kind === "event" ? `${tie.type} ${ARROWS[tie.direction]}` : tie.kind === "role" ? tie.label : "co-named";
  return h("span", { class: ["tie", cls], title: `${tieLabel(tie, self, other)}; ${plural(tie.documents, "document")}, `
    + `${tie.independent_sources} independent${when ? "; " + when : ""}` },
  label, h("span", { class: "n" }, String(tie.independent_sources)));
}

async function loadEvidence(box, self, other) {
  clear(box).append(h("p", { class: "muted" }, "Loading the evidence…"));
  try {
    const ev = await api(`/entities/${self.id}/evidence/${other.id}`, { limit: 50 });
    clear(box);
    if (ev.events.length) {
      box.append(h("h4", null, `Events between ${self.name} and ${other.name}`),
        h("ul", { class: "plain" }, ev.events.map(eventRow)));
    }
    if (ev.roles.length) {
      box.append(h("h4", null, "Offices"), h("ul", { class: "plain" }, ev.roles.map((r) => h("li", null,
        h("strong", null, text(r.title)), " ", h("span", { class: "meta" }, text(r.date)), evidence(r.evidence, r.document)))));
    }
    if (ev.comentions.length) {
      box.append(h("h4", null, `Documents naming both (${ev.comentions.length})`),
        h("ul", { class: "plain doclist" }, ev.comentions.map((d) => {
          const first = (d.spans[String(other.id)] || [])[0];
          return h("li", null, docLink(d, first), " ", docMeta(d));
        })));
    }
    if (!box.children.length) box.append(empty("No evidence found."));
  } catch (err) {
    clear(box).append(errorBox(err));
  }
}

async function tiesPanel(container, ent, params) {
  const names = await countryNames();
  const state = { country: params.get("country") || "", type: params.get("type") || "",
    comention: params.get("comention") === "1" };
  const form = h("form", { class: "filters", id: "ties-filters" },
    await countrySelect("country", state.country, "in any country"),
    typeSelect("type", state.type, "any tie"),
    h("label", null, h("input", { type: "checkbox", name: "comention", value: "1", checked: state.comention }),
      " include entities only named together"));
  const list = h("div", { id: "ties-list" });
  container.append(h("p", { class: "hint" }, `Entities linked to ${ent.name} by reported events and offices, strongest `
    + "(most independent sources) first. Pick a country to see its partners there; open a row for the sentences."),
  form, list);
  const pairLink = h("p", { class: "hint" });
  form.after(pairLink);
  async function refresh() {
    clear(pairLink);
    if (state.country && ent.country && state.country !== ent.country) {
      pairLink.append(h("a", { href: hashWith("network", { country: ent.country, with_country: state.country }) },
        `All ties between entities of ${names.get(ent.country) || ent.country} and of ${names.get(state.country) || state.country} →`));
    }
    const kind = state.type ? ["event"] : state.comention ? ["event", "role", "comention"] : ["event", "role"];
    const q = { country: state.country, type: state.type, kind, limit: 40 };
    clear(list);
    try {
      await pagedList(list, (cursor) => api(`/entities/${ent.id}/neighbors`, { ...q, cursor }), (n) => {
        const box = h("div", { class: "tie-evidence" });
        const d = h("details", { class: "neighbour" },
          h("summary", null, entityLink(n.entity), " ",
            n.entity.country ? h("span", { class: "cc", title: names.get(n.entity.country) || "" }, n.entity.country) : null, " ",
            h("span", { class: "ties" }, n.ties.map((t) => tiePill(t, ent.name, n.entity.name))), " ",
            sourcesBadge(n.independent_sources)),
          box);
        d.addEventListener("toggle", () => {
          if (d.open && !box.dataset.loaded) { box.dataset.loaded = "1"; loadEvidence(box, ent, n.entity); }
        });
        return h("li", { class: "neighbour-row" }, d);
      }, state.country ? `No ties with entities of ${names.get(state.country) || state.country}.` : "No ties found.");
    } catch (err) {
      list.append(errorBox(err));
    }
    const hash = hashWith(`entity/${ent.id}`, { country: state.country, type: state.type, comention: state.comention ? "1" : "" });
    if (location.hash !== hash) history.replaceState(null, "", hash);
  }
  form.addEventListener("change", () => {
    state.country = form.elements.country.value;
    state.type = form.elements.type.value;
    state.comention = form.elements.comention.checked;
    refresh();
  });
  form.addEventListener("submit", (e) => e.preventDefault());
  await refresh();
}

function rolesPanel(roles) {
  if (!roles.length) return null;
  return panel("Roles over time", h("ul", { class: "plain roles" }, roles.map((r) => h("li", null,
    h("div", null, h("strong", null, text(r.title)), r.of ? [" of ", r.of_id ? entityLink({ id: r.of_id, name: r.of }) : r.of] : null, " ",
      h("span", { class: "meta" }, [r.first, r.last].filter(Boolean).filter((v, i, a) => a.indexOf(v) === i).join(" – ")), " ",
      sourcesBadge(r.independent_sources)),
    h("details", null, h("summary", null, "evidence"), r.evidence.map((e) => evidence(e, { document_id: e.document_id,
      doc_id: e.doc_id, title: e.doc_id, published: e.published })))))));
}

async function timelinePanel(container, ent) {
  const entries = await api("/timeline", { entity: ent.id, limit: 300 });
  if (!entries.length) {
    container.append(empty("No dated events."));
    return;
  }
  monthList(container, entries.reverse(), 20, "entity-timeline");
  container.append(h("p", null, h("a", { href: hashWith("timeline", { entity: ent.id }) }, "Open in the timeline →")));
}

async function egoNetwork(container, ent, onLeave) {
  const data = await api("/graph", { entity: ent.id, limit: 40, roles: "true" });
  if (!data.edges.length) {
    container.append(empty("No event ties to draw."));
    return;
  }
  const canvas = h("div", { class: "cy cy-small", id: "entity-network" });
  container.append(canvas, h("p", null, h("a", { href: hashWith("network", { entity: ent.id, roles: "true" }) },
    "Open in the network view →")));
  const cy = drawNetwork(canvas, data, { focus: ent.id, onNode: (id) => { if (id !== ent.id) location.hash = `#/entity/${id}`; } });
  if (cy) onLeave(() => cy.destroy());
}

export async function entityView(root, { arg, params, onLeave }) {
  if (!/^\d+$/.test(arg || "")) throw new Error("no such entity");
  const ent = await api(`/entities/${arg}`, { limit: 25 });
  if (String(ent.id) !== arg) { // merged into another: show the one kept
    history.replaceState(null, "", `#/entity/${ent.id}`);
  }
  document.title = `${ent.name} · newsgraph`;
  const names = await countryNames();
  root.append(h("div", { class: "entity-head" },
    h("h1", { id: "entity-name" }, text(ent.name)),
    h("p", { class: "meta" },
      [TYPE_NAMES[ent.type] || ent.type, ent.kind, ent.country ? `${names.get(ent.country) || ent.country} (${ent.country})` : null]
        .filter(Boolean).join(" · "),
      ` · named in ${plural(ent.documents, "document")}`, ent.kb_id ? ` · knowledge base: ${ent.kb_id}` : "",
      " · ", h("a", { href: hashWith("documents", { entity: ent.id }) }, "its documents")),
    ent.aliases.length > 1 ? h("p", { class: "aliases" }, "Also written: ",
      ent.aliases.filter((a) => a.alias !== ent.name).map((a) => badge(a.alias, "alias", `in ${plural(a.documents, "document")}`))) : null));

  const main = h("div", { class: "main-col" });
  const side = h("div", { class: "side-col" });
  root.append(h("div", { class: "two-col" }, main, side));

  const ties = panel("Ties and partners");
  ties.id = "ties";
  main.append(ties);
  const tl = panel("Timeline of events");
  main.append(tl);
  const quotesBy = panel(`Quotes by ${ent.name} (${ent.quotes.by.total})`);
  const quotesAbout = panel(`Quotes about ${ent.name} (${ent.quotes.about.total})`);
  main.append(quotesBy, quotesAbout);

  const net = panel("Network");
  side.append(net);
  const roles = rolesPanel(ent.roles);
  if (roles) side.append(roles);
  const ev = ent.events;
  side.append(panel("Events", h("p", null,
    `As actor: ${ev.as_actor.total}`, h("br"), Object.entries(ev.as_actor.by_type).map(([t, n]) => badge(`${t} ${n}`, "small")),
    h("br"), `As recipient: ${ev.as_recipient.total}`, h("br"),
    Object.entries(ev.as_recipient.by_type).map(([t, n]) => badge(`${t} ${n}`, "small")))));
  side.append(panel("Narratives of the documents naming it", ent.narratives.length
    ? h("ul", { class: "plain" }, ent.narratives.map((n) => h("li", null,
      h("a", { href: hashWith("documents", { entity: ent.id, narrative: n.narrative }) }, text(n.name, n.narrative)),
      h("span", { class: "meta" }, ` ${plural(n.documents, "document")}`))))
    : empty("None detected.")));
  side.append(panel("Export its documents and facts", exportLinks({ entity: ent.id })));
  side.append(panel("Named together with", ent.neighbours.length
    ? h("ul", { class: "plain chips" }, ent.neighbours.map((n) => h("li", null, entityLink(n),
      h("span", { class: "count", title: "documents naming both" }, String(n.documents)))))
    : empty("No other entity.")));

  const jobs = [
    tiesPanel(ties, ent, params),
    timelinePanel(tl, ent),
    egoNetwork(net, ent, onLeave),
    pagedList(quotesBy, (cursor) => api("/quotes", { speaker: ent.id, cursor, limit: 10 }),
      (q) => quoteRow(q, { noSpeaker: true }), "No quotes."),
    pagedList(quotesAbout, (cursor) => api("/quotes", { about: ent.id, cursor, limit: 10 }), quoteRow, "No quotes."),
  ];
  const results = await Promise.allSettled(jobs);
  const panels = [ties, tl, net, quotesBy, quotesAbout];
  results.forEach((r, i) => { if (r.status === "rejected") panels[i].append(errorBox(r.reason)); });
}
