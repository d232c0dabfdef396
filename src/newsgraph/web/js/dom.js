// Building the page from data written by strangers: every string goes in as a text node or an
// attribute value, never parsed as markup, and links are checked.

/** h("a", {href, class, title, dataset, on: {click}}, ...children) -> Element */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") el.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
      else if (key === "text") el.textContent = String(value);
      else if (key === "dataset") Object.assign(el.dataset, value);
      else if (key === "on") for (const [ev, fn] of Object.entries(value)) el.addEventListener(ev, fn);
      else if (key === "href") el.setAttribute("href", safeHref(value));
      else if (key.startsWith("on")) throw new Error("event handlers go in attrs.on");
      else if (value === true) el.setAttribute(key, "");
      else el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** Internal links (#/...) and the API's own paths pass; outside links only as http(s). */
export function safeHref(value) {
  const s = String(value);
  if (s.startsWith("#/") || (s.startsWith("/") && !s.startsWith("//"))) return s;
  return externalUrl(s) || "#";
}

export function externalUrl(value) {
  if (!value) return null;
  try {
    const u = new URL(String(value));
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch (e) {
    return null;
  }
}

export function text(value, fallback = "") {
  return value === null || value === undefined || value === "" ? fallback : String(value);
}

export function truncate(value, n) {
  const s = text(value);
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}

/** A snippet whose matched words the server put between [ and ]: those become <mark>. */
export function markedSnippet(snippet) {
  const out = h("span", { class: "snippet" });
  const s = text(snippet);
  const re = /\[([^\[\]]*)\]/g;
  let last = 0;
  let m;
  while ((m = re.exec(s)) !== null) {
    if (m.index > last) out.append(document.createTextNode(s.slice(last, m.index)));
    out.append(h("mark", null, m[1]));
    last = m.index + m[0].length;
  }
  if (last < s.length) out.append(document.createTextNode(s.slice(last)));
  return out;
}
