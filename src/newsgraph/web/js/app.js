// The dashboard: a hash-routed single page over the API.
//   #/                      home: ties between countries, most-named entities, latest documents
//   #/search?q=             entities, documents and quotes
//   #/entity/ID             profile, ties with evidence, timeline, quotes, narratives
//   #/document/ID?hl=a-b    text with highlights, signals, narratives, raw source
//   #/network?...           entities and event edges, filterable
//   #/timeline?...          occurrences in date order
//   #/narratives?by=month   trends by month or outlet
//   #/documents?...         the documents, filterable
//   #/checks                corroboration, contradictions, signals
import { clear, h } from "./dom.js";
import { errorBox } from "./components.js";
import { homeView } from "./views/home.js";
import { searchView } from "./views/search.js";
import { entityView } from "./views/entity.js";
import { documentView } from "./views/document.js";
import { networkView } from "./views/network.js";
import { timelineView } from "./views/timeline.js";
import { narrativesView } from "./views/narratives.js";
import { documentsView } from "./views/documents.js";
import { checksView } from "./views/checks.js";

const ROUTES = {
  "": homeView, search: searchView, entity: entityView, document: documentView, network: networkView,
  timeline: timelineView, narratives: narrativesView, documents: documentsView, checks: checksView,
};

let leaving = [];

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, qs] = raw.split("?", 2);
  const parts = path.split("/").filter(Boolean);
  let arg = null;
  try {
    arg = parts[1] !== undefined ? decodeURIComponent(parts[1]) : null;
  } catch (e) {
    arg = null;
  }
  return { name: parts[0] || "", arg, params: new URLSearchParams(qs || "") };
}

async function render() {
  leaving.forEach((fn) => { try { fn(); } catch (e) { /* a view's cleanup must not stop the next view */ } });
  leaving = [];
  const route = parseHash();
  const view = document.getElementById("view");
  const root = h("div", { class: "route-" + (route.name || "home") });
  clear(view).append(root);
  document.querySelectorAll("#nav a[data-route]").forEach((a) => {
    a.classList.toggle("active", a.dataset.route === (route.name || "home"));
  });
  const search = document.getElementById("search-input");
  if (route.name === "search") search.value = route.params.get("q") || "";
  const handler = ROUTES[route.name];
  document.title = "newsgraph";
  window.scrollTo(0, 0);
  root.setAttribute("aria-busy", "true");
  try {
    if (!handler) throw new Error("no such page");
    await handler(root, { ...route, onLeave: (fn) => leaving.push(fn) });
  } catch (err) {
    root.append(errorBox(err));
  } finally {
    root.setAttribute("aria-busy", "false");
    root.dataset.ready = "1";
  }
}

document.getElementById("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const q = document.getElementById("search-input").value.trim();
  if (q) location.hash = "#/search?" + new URLSearchParams({ q }).toString();
});
window.addEventListener("hashchange", render);
render();
