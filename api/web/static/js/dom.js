// A tiny DOM builder: h("a", {href: "#/"}, "text", child…). Text is always set as text, never parsed as HTML.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replace the page's main content and move focus there (keyboard and screen-reader users land on it). */
export function show(...children) {
  const main = document.getElementById("main");
  main.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  main.focus({ preventScroll: true });
}

export function say(message) {
  document.getElementById("status").textContent = message;
}

export function errorBox(error) {
  return h("p", { class: "error", role: "alert" }, `出错了: ${error.message}`);
}

/** A local Beijing-time value of a datetime-local input ("2025-06-01T08:00") as RFC 3339 with +08:00. */
export function toMoment(local) {
  if (!local) return "";
  return local.length === 16 ? `${local}:00+08:00` : `${local}+08:00`;
}

/** An RFC 3339 instant shown in Beijing time, "2025-06-01 08:00". */
export function beijing(value) {
  if (!value) return "";
  const d = new Date(new Date(value).getTime() + 8 * 3600 * 1000);
  return d.toISOString().slice(0, 16).replace("T", " ");
}

/** Today's date in Beijing, YYYY-MM-DD. */
export function today() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

/** The first and last day of a month "YYYY-MM". */
export function monthDays(month) {
  const [y, m] = month.split("-").map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return [`${month}-01`, `${month}-${String(last).padStart(2, "0")}`];
}

/** A ``show`` for one view: it does nothing once the user has gone elsewhere (a late answer of a page left behind
 * never replaces the page now shown). */
export function showFor() {
  const here = location.hash;
  return (...children) => {
    if (location.hash === here) show(...children);
  };
}
