// The investigator console (调查控制台): pick an enterprise, a hazard or an accident; see its state on any day
// (a time slider over its history: replay as_of that day), its audit trail, and — for a hazard or an accident —
// the 一案四查 dossier, every line shown with whether its evidence is sealed under the signed head.
import { claims, get, query } from "./api.js";
import { beijing, errorBox, h, showFor, today } from "./dom.js";
import { label, LINES } from "./terms.js";

const KINDS = [["hazard", "隐患"], ["unit", "企业"], ["accident", "事故"]];
const DOSSIER_ROLES = new Set(["investigator", "auditor", "admin"]);


const dayIndex = (d) => Math.floor(Date.parse(`${d}T00:00:00Z`) / 86400000);
const indexDay = (i) => new Date(i * 86400000).toISOString().slice(0, 10);
const endOfDay = (d) => `${d}T23:59:59+08:00`;

function picker(params, choices) {
  const kind = KINDS.find(([k]) => params.get(k))?.[0] || "hazard";
  const id = params.get(kind) || "";
  const lists = { unit: "c-enterprises", hazard: "c-hazards", accident: "c-accidents" };
  const idInput = h("input", { name: "id", id: "c-id", value: id, size: 40, list: lists[kind] });
  const kindSelect = h("select", { name: "kind", id: "c-kind", onchange: () => {
    idInput.setAttribute("list", lists[kindSelect.value] || "");
  } }, KINDS.map(([k, t]) => h("option", { value: k, selected: k === kind }, t)));
  return h("form", { class: "filters", "aria-label": "选择调查对象", onsubmit: (event) => {
    event.preventDefault();
    location.hash = `#/console${query({ [kindSelect.value]: idInput.value.trim() })}`;
  } },
  h("label", { for: "c-kind" }, "对象", kindSelect),
  h("label", { for: "c-id" }, "编号（可从列表选）", idInput),
  h("datalist", { id: "c-enterprises" }, choices.enterprises.map((u) => h("option", { value: u.unit_id }, u.name))),
  h("datalist", { id: "c-hazards" }, choices.hazards.map((x) =>
    h("option", { value: x.hazard_id }, `${x.unit_name || ""}：${x.description}`))),
  h("datalist", { id: "c-accidents" }, choices.accidents.map((a) =>
    h("option", { value: a.accident_id }, `${beijing(a.occurred_at).slice(0, 10)} ${a.unit_name || ""}：${a.description}`))),
  h("button", { type: "submit", class: "primary" }, "查看"));
}

// Chinese names of the fields a replayed state most often shows (the code name stays beside it)
const FIELDS = {
  status: "状态", grade: "等级", description: "描述", sector: "行业领域", unit_id: "单位", found_at: "发现时间",
  mode: "整改方式", plan: "五落实", deadline: "整改时限", listing: "挂牌督办", name: "名称", kind: "类别",
  risk_colour: "风险颜色", jurisdiction: "辖区", source: "来源", criterion: "判定依据", location: "位置",
  closed_at: "闭环销号时间", reopened: "回头看重开", escalations: "提级次数", supervising_department_id: "监管部门",
  closure: "关闭/取缔", code: "代码", credit_code: "统一社会信用代码", address: "地址", grid: "网格",
  occurred_at: "发生时间", deaths: "死亡人数", injuries: "受伤人数", direct_loss_yuan: "直接经济损失(元)",
};

function stateList(state) {
  const rows = Object.entries(state).filter(([, v]) => v !== null && v !== "" && !(Array.isArray(v) && !v.length));
  return h("dl", { class: "state" }, rows.map(([k, v]) => [h("dt", {}, FIELDS[k] ? `${FIELDS[k]}（${k}）` : k),
    h("dd", {}, typeof v === "object" ? JSON.stringify(v) : String(v))]));
}

function trailTable(items) {
  return h("table", { id: "audit-trail" }, h("caption", { class: "muted" }, "审计轨迹（按日志顺序）"),
    h("thead", {}, h("tr", {}, ["位置", "事件", "生效时间", "记录时间", "操作人", "角色", "依据"].map((t) =>
      h("th", { scope: "col" }, t)))),
    h("tbody", {}, items.map((e) => h("tr", {}, h("td", { class: "num" }, String(e.position)),
      h("td", {}, `${e.term}（${e.event_type}）`), h("td", {}, beijing(e.effective_at)),
      h("td", {}, beijing(e.recorded_at)), h("td", {}, e.actor), h("td", {}, e.role), h("td", {}, e.basis || "")))));
}

function dossierSection(dossier) {
  const sealed = new Set(dossier.evidence.filter((e) => e.inclusion_path).map((e) => e.position));
  const head = dossier.head;
  const lines = dossier.content.lines || [];
  const save = h("button", { type: "button", onclick: () => {
    const blob = new Blob([JSON.stringify(dossier, null, 2)], { type: "application/json" });
    const a = h("a", { href: URL.createObjectURL(blob), download: `dossier-${dossier.content.subject.id}.json` });
    document.body.append(a); a.click(); a.remove();
  } }, "下载卷宗 JSON（离线核验）");
  return h("section", { class: "card", "aria-labelledby": "h-dossier" },
    h("h2", { id: "h-dossier" }, "一案四查 卷宗"),
    h("p", {}, `签名树头：${head.tree_size} 条事件，签于 ${beijing(head.signed_at)}（北京时间）。`,
      "每条线的证据都在该树头下封存；下载后用 ", h("code", {}, "zeren dossier verify 文件 --public-key 公钥"),
      " 可离线逐条重新推导核验。"),
    h("table", { id: "dossier-lines" },
      h("thead", {}, h("tr", {}, ["责任线", "内容", "证据事件", "封存", "可核验"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, lines.map((line) => {
        const positions = line.positions || [];
        const ok = positions.every((p) => sealed.has(p));
        return h("tr", { dataset: { line: line.line } },
          h("th", { scope: "row" }, line.title || label(LINES, line.line)),
          h("td", {}, Object.keys(line.facts || {}).join("、")),
          h("td", { class: "num" }, String(positions.length)),
          h("td", { class: ok ? "sealed" : "unsealed" }, ok ? "已封存" : "未封存"),
          h("td", { class: ok ? "sealed" : "unsealed" }, ok ? "可核验（有包含证明）" : "不可核验"));
      }))),
    h("h3", {}, "缺口"),
    (dossier.content.gaps || []).length
      ? h("ul", {}, dossier.content.gaps.map((g) => h("li", {}, `${g.term}：${g.detail}`))) : h("p", {}, "无"),
    h("p", {}, save));
}

export async function consoleView(params) {
  const show = showFor();
  const [enterprises, hazards, accidents] = await Promise.all([get("/units", { kind: "enterprise", limit: 500 }),
    get("/hazards", { limit: 500 }), get("/accidents", { limit: 500 }).catch(() => [])]).catch(() => [[], [], []]);
  const choices = { enterprises, hazards, accidents };
  const kind = KINDS.find(([k]) => params.get(k))?.[0];
  const id = kind && params.get(kind);
  const head = [h("h1", {}, "调查控制台"), picker(params, choices)];
  if (!id) {
    show(head, h("p", {}, "选择一家企业、一项隐患或一起事故，查看它在任一天的状态、审计轨迹和一案四查卷宗。"));
    return;
  }
  show(head, h("p", { class: "muted" }, "正在读取…"));
  try {
    const trail = await get("/audit-trail", { aggregate_id: id, limit: 1000 });
    const items = trail.items;
    if (!items.length) throw new Error("没有这条记录的事件（或不在你的辖区）");
    const first = beijing(items[0].effective_at).slice(0, 10);
    const last = today();
    const dayParam = params.get("day") || last;
    const replay = await get(`/aggregates/${id}/replay`, { as_of: endOfDay(dayParam),
      known_at: params.get("known_at") ? `${params.get("known_at")}:00+08:00` : undefined });
    const slider = h("input", { type: "range", id: "day-slider", min: dayIndex(first), max: dayIndex(last),
      value: dayIndex(dayParam), "aria-valuetext": dayParam });
    const dayOut = h("output", { for: "day-slider", id: "day-out" }, dayParam);
    slider.addEventListener("input", () => { dayOut.textContent = indexDay(Number(slider.value)); });
    slider.addEventListener("change", () => {
      const next = new URLSearchParams(params);
      next.set("day", indexDay(Number(slider.value)));
      location.hash = `#/console?${next}`;
    });
    const sections = [
      h("section", { class: "card", "aria-labelledby": "h-state" },
        h("h2", { id: "h-state" }, `${replay.type} 在 `, dayOut, " 的状态（当天结束时，按现在所知）"),
        h("label", { for: "day-slider" }, `时间轴：${first} 至 ${last}（方向键逐日移动）`), h("br"), slider,
        h("p", { class: "muted" }, `版本 ${replay.version}，由 ${replay.events.length} 个事件构成`),
        stateList(replay.state)),
      h("section", { class: "card" }, trailTable(items)),
    ];
    const who = claims();
    if (kind !== "unit" && DOSSIER_ROLES.has(who.role)) {
      try {
        sections.push(dossierSection(await get(`/dossiers/${id}`)));
      } catch (error) {
        sections.push(h("section", { class: "card" }, h("h2", {}, "一案四查 卷宗"), errorBox(error)));
      }
    }
    show(head, sections);
  } catch (error) {
    show(head, errorBox(error));
  }
}
