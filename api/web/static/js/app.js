// The web UI's entry: hash routes, the login page and the navigation. Views live in their own modules.
import { claims, token } from "./api.js";
import { h, show } from "./dom.js";
import { dashboard } from "./dashboard.js";
import { ledger } from "./ledgers.js";
import { consoleView } from "./console.js";
import { readModels } from "./readmodels.js";
import { label, ROLES } from "./terms.js";

const TIP_ROLES = new Set(["tip_officer", "admin"]);
const SYSTEM_ROLES = new Set(["auditor", "admin"]);

function login(message) {
  const field = h("textarea", { id: "token", name: "token", required: true, autocomplete: "off", spellcheck: "false" });
  const form = h("form", {
    class: "login card", onsubmit: (event) => {
      event.preventDefault();
      token.set(field.value);
      if (!claims()) {
        token.clear();
        show(login("这不是有效的令牌"));
        return;
      }
      location.hash = "#/";
    },
  },
  h("h1", {}, "登录"),
  h("p", {}, "粘贴 ", h("code", {}, "zeren token issue"), " 或 ", h("code", {}, "zeren serve --demo"),
    " 给出的令牌。令牌只保存在本浏览器标签页中（sessionStorage），关闭即失效。"),
  message ? h("p", { class: "error", role: "alert" }, message) : null,
  h("label", { for: "token" }, "访问令牌"), field,
  h("p", {}, h("button", { type: "submit", class: "primary" }, "登录")));
  return form;
}

function header() {
  const who = claims();
  const nav = document.getElementById("nav");
  const out = document.getElementById("logout");
  nav.hidden = out.hidden = !who;
  document.getElementById("who").textContent = who ? `${label(ROLES, who.role)} · 辖区 ${who.jur}` : "";
  for (const a of nav.querySelectorAll("a")) {
    if (a.dataset.needs === "tips") a.hidden = !who || !TIP_ROLES.has(who.role);
    if (a.dataset.needs === "system") a.hidden = !who || !SYSTEM_ROLES.has(who.role);
    const here = location.hash.split("?")[0] || "#/";
    if (a.getAttribute("href") === here) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

export function mayReadTips() {
  const who = claims();
  return !!who && TIP_ROLES.has(who.role);
}

async function route() {
  const [path, search] = (location.hash.slice(1) || "/").split("?");
  const params = new URLSearchParams(search || "");
  const who = claims();
  if (!who || (who.exp && who.exp * 1000 < Date.now())) {
    token.clear();
    header();
    show(login(path === "/login" ? "" : null));
    return;
  }
  header();
  if (path === "/" || path === "") return dashboard(params);
  if (path.startsWith("/ledger/")) return ledger(path.slice("/ledger/".length), params);
  if (path === "/console") return consoleView(params);
  if (path === "/system") return readModels();
  if (path === "/login") return show(login());
  show(h("h1", {}, "没有这个页面"), h("p", {}, h("a", { href: "#/" }, "回到仪表盘")));
}

document.getElementById("logout").addEventListener("click", () => {
  token.clear();
  location.hash = "#/login";
});
window.addEventListener("hashchange", route);
route();
