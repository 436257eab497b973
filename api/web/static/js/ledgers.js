// The ledgers (台账): hazard, statistics facts, inspection, tip, duty, case, accident, blacklist, enterprise, listed
// supervision, assessment results (考核), project vetoes (项目一票否决) and outsourcing (外包外租) — one generic table with filters, sort, pages, an as_of / known_at picker and CSV / XLSX export.
// All reads are the API's own ledgers under /api/v1, scoped by the token. A paged ledger is sorted by the server
// (``sort=key`` or ``sort=-key``, a key of the ledger's allow-list: only those columns are sortable), so the next page
// continues the order; a ledger read whole (``paged`` unset) is sorted here, over all its rows.
import { get, query } from "./api.js";
import { beijing, errorBox, h, say, showFor, toMoment } from "./dom.js";
import { download } from "./export.js";
import {
  CHANNELS, COLOURS, GRADES, HAZARD_STATUS, INSPECTION_KINDS, INSPECTION_STATUS, label, LEVELS, LINES, METRICS, MODES,
  SLIPS, SOURCES, TIERS, TIP_STATUS, CASE_STATUS, ACCIDENT_GRADES, ACCIDENT_KINDS, LISTING_STATES, PROJECT_KINDS,
  OUTSOURCING_CONCERNS,
} from "./terms.js";

const opts = (table) => Object.entries(table);
const YES_NO = { true: "是", false: "否" };
const hazardLink = (id) => `#/console${query({ hazard: id })}`;
const unitLink = (id) => `#/console${query({ unit: id })}`;
const accidentLink = (id) => `#/console${query({ accident: id })}`;
const day = (v) => (v ? beijing(v).slice(0, 10) : "");
const yes = (v) => (v ? "是" : "");

// column: [key, 中文, value(row) → text, link(row) → href | undefined, numeric?]; a paged ledger's ``sorts`` lists
// the keys its API sorts by (the allow-list of its projection's SORTS)
const col = (key, title, value = (r) => r[key], link, num = false) => ({ key, title, value, link, num });

export const LEDGERS = {
  hazards: {
    title: "隐患台账", path: "/hazards", temporal: true, paged: true,
    sorts: ["found_at", "sector", "grade", "source", "status", "mode", "deadline_on", "listed_at", "closed_at"],
    filters: [["grade", "隐患等级", GRADES], ["status", "状态", HAZARD_STATUS], ["sector", "行业领域"],
      ["open", "仅未销号", YES_NO], ["listed", "挂牌督办", YES_NO], ["unit_id", "企业ID"], ["jurisdiction", "下级辖区"]],
    columns: [
      col("found_at", "发现时间", (r) => beijing(r.found_at)),
      col("unit_name", "企业", (r) => r.unit_name, (r) => unitLink(r.unit_id)),
      col("sector", "行业领域"), col("grade", "等级", (r) => label(GRADES, r.grade)),
      col("description", "隐患描述", (r) => r.description, (r) => hazardLink(r.hazard_id)),
      col("source", "来源", (r) => label(SOURCES, r.source)),
      col("status", "状态", (r) => r.status_term), col("mode", "整改方式", (r) => label(MODES, r.mode)),
      col("deadline_on", "整改时限", (r) => r.deadline_on || ""),
      col("days_overdue", "逾期天数", (r) => r.days_overdue, undefined, true),
      col("listed_at", "挂牌督办", (r) => day(r.listed_at)), col("closed_at", "闭环销号", (r) => day(r.closed_at)),
    ],
  },
  facts: {
    title: "隐患统计明细", path: "/statistics/hazards/facts", knownOnly: true, paged: true,
    note: "仪表盘上的每个数字由这些事实计成：一行是一次发现、销号、逾期、挂牌…（发生时间、当时的等级和风险颜色）。",
    filters: [["metric", "统计项", METRICS], ["from", "起始日期", "date"], ["to", "截止日期", "date"],
      ["grade", "当时等级", GRADES], ["sector", "行业领域"], ["colour", "当时风险颜色", COLOURS],
      ["jurisdiction", "下级辖区"]],
    columns: [
      col("occurred_at", "发生时间", (r) => beijing(r.occurred_at)),
      col("metric", "统计项", (r) => label(METRICS, r.metric)),
      col("unit_name", "企业", (r) => r.unit_name, (r) => unitLink(r.unit_id)),
      col("grade", "当时等级", (r) => label(GRADES, r.grade)), col("sector", "行业领域"),
      col("colour", "风险颜色", (r) => label(COLOURS, r.colour)),
      col("description", "隐患描述", (r) => r.description, (r) => hazardLink(r.hazard_id)),
      col("status", "现状态", (r) => r.status_term || ""),
    ],
  },
  inspections: {
    title: "检查台账", path: "/inspections", temporal: true, paged: true, pageSize: 100,
    sorts: ["inspected_at", "kind", "title", "status", "findings", "signatures"],
    filters: [["kind", "检查类别", INSPECTION_KINDS], ["status", "状态", INSPECTION_STATUS],
      ["inspecting_unit_id", "检查单位ID"], ["target_unit_id", "被检查单位ID"],
      ["since", "检查时间自", "datetime"], ["until", "检查时间至(不含)", "datetime"]],
    // the dashboard's enforcement figure counts four kinds (执法、大检查、暗访、交叉检查): kept on the page here
    client: { kinds: (r, v) => v.split(",").includes(r.kind) },
    columns: [
      col("inspected_at", "检查时间", (r) => beijing(r.inspected_at)),
      col("kind", "类别", (r) => r.kind_term), col("title", "名称"),
      col("inspecting_unit_name", "检查单位"),
      col("target_name", "被检查单位", (r) => r.target_name, (r) => unitLink(r.target_unit_id)),
      col("status", "状态", (r) => label(INSPECTION_STATUS, r.status)),
      col("unannounced", "四不两直", (r) => yes(r.unannounced)),
      col("expert_assisted", "执法+专家", (r) => yes(r.expert_assisted)),
      col("findings", "发现问题", (r) => r.findings, undefined, true),
      col("signatures", "签名", (r) => r.signatures, undefined, true),
    ],
  },
  tips: {
    title: "举报台账", path: "/tips", temporal: true, paged: true, sorts: ["received_at", "channel", "status"],
    note: "举报人身份从不在此显示。",
    filters: [["status", "状态", TIP_STATUS], ["channel", "渠道", CHANNELS], ["from", "受理月份自", "month"],
      ["to", "受理月份至", "month"],
      ["subject_kind", "举报对象", { unit: "单位", hazard: "隐患", concealed_accident: "瞒报事故" }],
      ["jurisdiction", "下级辖区"]],
    columns: [
      col("received_at", "受理时间", (r) => beijing(r.received_at)),
      col("receiving_unit_name", "受理单位"), col("channel", "渠道", (r) => r.channel_term),
      col("subject_description", "举报事项"), col("summary", "摘要"),
      col("status", "状态", (r) => r.status_term),
      col("reward_yuan", "奖励(元)", (r) => r.reward_yuan || "", undefined, true),
    ],
  },
  duties: {
    title: "责任清单台账", path: "/ledger/duties", temporal: true, paged: true,
    sorts: ["line", "text", "held_from", "source_document"],
    filters: [["unit_id", "单位ID"], ["post_id", "岗位ID"], ["person_id", "人员ID"]],
    columns: [
      col("unit_name", "单位", (r) => r.unit_name, (r) => unitLink(r.unit_id)), col("post_title", "岗位"),
      col("line", "责任线", (r) => label(LINES, r.line)), col("text", "职责"),
      col("person_name", "在岗人员", (r) => r.person_name || "（空缺）"),
      col("held_from", "任职自", (r) => day(r.held_from)), col("source_document", "依据文件"),
    ],
  },
  cases: {
    title: "行政处罚案件台账", path: "/cases", temporal: true, fixed: { limit: 5000 },  // all: two filters are the page's
    filters: [["status", "状态", CASE_STATUS], ["unit_id", "当事单位ID"], ["department_id", "立案机关ID"],
      ["decided_month", "决定月份", "month"]],
    client: {
      department_id: (r, v) => r.department_id === v,
      decided_month: (r, v) => (r.decided_on || "").startsWith(v),
    },
    columns: [
      col("opened_on", "立案日期"), col("violation", "违法行为"), col("article", "依据条款"),
      col("unit_id", "当事单位", () => "查看", (r) => unitLink(r.unit_id)),
      col("status", "状态", (r) => r.status_term), col("tier", "裁量", (r) => label(TIERS, r.tier)),
      col("decision_due", "决定期限"), col("days_left", "剩余天数", (r) => r.days_left ?? "", undefined, true),
      col("unit_yuan", "罚款·单位(元)", (r) => r.unit_yuan ?? "", undefined, true),
      col("person_yuan", "罚款·个人(元)", (r) => r.person_yuan ?? "", undefined, true),
      col("decision_no", "决定书文号", (r) => r.decision_no || ""),
      col("decision_overdue", "逾期未决定", (r) => yes(r.decision_overdue)),
    ],
  },
  slips: {
    title: "交办单 / 督办单", path: "/accountability/slips", temporal: true, fixed: { limit: 5000 },
    defaults: { year: String(new Date().getFullYear()) },
    filters: [["year", "年度", "number"], ["kind", "类别", SLIPS], ["open", "未反馈", YES_NO], ["late", "逾期", YES_NO]],
    client: {
      kind: (r, v) => r.kind === v, open: (r, v) => String(r.open) === v, late: (r, v) => String(r.late) === v,
    },
    columns: [
      col("issued_at", "下发时间", (r) => beijing(r.issued_at)), col("kind", "类别", (r) => label(SLIPS, r.kind)),
      col("target_name", "承办单位", (r) => r.target_name, (r) => unitLink(r.target_unit_id)), col("matter", "事项"),
      col("deadline", "反馈期限", (r) => beijing(r.deadline)), col("answered_at", "反馈时间", (r) => beijing(r.answered_at)),
      col("open", "未反馈", (r) => yes(r.open)), col("late", "逾期", (r) => yes(r.late)),
    ],
  },
  accidents: {
    title: "事故台账", path: "/accidents", temporal: true, paged: true,
    sorts: ["occurred_at", "grade", "kind", "sector", "deaths", "serious_injuries", "direct_loss_yuan", "learned_at"],
    filters: [["grade", "事故等级", ACCIDENT_GRADES], ["from", "发生日期自", "date"], ["to", "发生日期至", "date"],
      ["unit_id", "事故单位ID"], ["jurisdiction", "下级辖区"]],
    columns: [
      col("occurred_at", "发生时间", (r) => beijing(r.occurred_at)),
      col("unit_name", "事故单位", (r) => r.unit_name, (r) => unitLink(r.unit_id)),
      col("description", "事故概况", (r) => r.description, (r) => accidentLink(r.accident_id)),
      col("kind", "类别", (r) => label(ACCIDENT_KINDS, r.kind)), col("sector", "行业领域"),
      col("grade", "等级", (r) => label(ACCIDENT_GRADES, r.grade)),
      col("deaths", "死亡", (r) => r.deaths, undefined, true), col("missing", "失踪", (r) => r.missing, undefined, true),
      col("serious_injuries", "重伤", (r) => r.serious_injuries, undefined, true),
      col("direct_loss_yuan", "直接经济损失(元)", (r) => r.direct_loss_yuan, undefined, true),
      col("learned_at", "获知时间", (r) => beijing(r.learned_at)),
      col("flags", "报告违规", (r) => r.flags || "", undefined, true),
      col("concealment_suspected", "涉嫌瞒报", (r) => yes(r.concealment_suspected)),
    ],
  },
  blacklist: {
    title: "严重失信主体名单", path: "/blacklist", temporal: true, paged: true,
    sorts: ["proposed_at", "ground", "status", "decided_at", "listed_on", "expires_on", "removed_on"],
    note: "应急管理部令第11号：列入、期满与提前移出的全部记录；状态为所选日期当天的状态（默认今天）。",
    filters: [["in_force", "仅当日在列", YES_NO], ["unit_id", "单位ID"]],
    columns: [
      col("proposed_at", "建议时间", (r) => beijing(r.proposed_at)),
      col("unit_name", "单位", (r) => r.unit_name, (r) => unitLink(r.unit_id)),
      col("ground", "列入情形", (r) => r.ground_text),
      col("state", "当日状态", (r) => label(LISTING_STATES, r.state)),
      col("status", "记录状态", (r) => label(LISTING_STATES, r.status)),
      col("department_name", "决定部门"), col("decision_no", "决定书文号", (r) => r.decision_no || ""),
      col("listed_on", "列入日期", (r) => r.listed_on || ""), col("expires_on", "期满日期", (r) => r.expires_on || ""),
      col("removed_on", "提前移出", (r) => r.removed_on || ""),
      col("notices", "联合惩戒通报", (r) => r.notices.length, undefined, true),
    ],
  },
  enterprises: {
    title: "企业", path: "/units", temporal: true, fixed: { kind: "enterprise" }, paged: true,
    filters: [["q", "名称包含"], ["colour", "风险颜色", { ...COLOURS, none: "未分级" }], ["jurisdiction", "辖区"]],
    columns: [
      col("name", "企业", (r) => r.name, (r) => unitLink(r.unit_id)), col("code", "统一社会信用代码"),
      col("sector", "行业领域"), col("risk_colour", "风险颜色", (r) => label(COLOURS, r.risk_colour) || "未分级"),
      col("jurisdiction", "辖区"), col("closure", "关闭/取缔", (r) => r.closure || ""),
    ],
  },
  listed: {
    title: "挂牌督办", path: "/listed-supervision", temporal: true,
    flatten: (boards) => boards.flatMap((b) => b.items.map((i) => ({ ...i, authority_id: b.authority_id,
      authority_name: b.authority_name, level: b.level }))),
    filters: [["authority_id", "督办单位ID"], ["min_age", "挂牌天数≥", "number"], ["max_age", "挂牌天数≤", "number"]],
    client: {
      authority_id: (r, v) => r.authority_id === v, min_age: (r, v) => r.age_days >= Number(v),
      max_age: (r, v) => r.age_days <= Number(v),
    },
    columns: [
      col("authority_name", "督办单位"), col("level", "层级", (r) => label(LEVELS, r.level)),
      col("unit_name", "企业", (r) => r.unit_name, (r) => unitLink(r.unit_id)),
      col("description", "隐患", (r) => r.description, (r) => hazardLink(r.hazard_id)),
      col("status", "状态", (r) => label(HAZARD_STATUS, r.status)), col("deadline_on", "整改时限"),
      col("age_days", "挂牌天数", (r) => r.age_days, undefined, true),
      col("days_overdue", "逾期天数", (r) => r.days_overdue, undefined, true),
    ],
  },
  assessments: {
    title: "年度考核结果", path: "/assessments", temporal: true, paged: true,
    defaults: { year: String(new Date().getFullYear() - 1) },  // a year is assessed early in the next
    note: "镇（街道）和部门的年度考核：各评分项得分、加权总分和等次；被一票否决（惠济区意见第30条）的，不论得分均为一票否决。"
      + "标为“占位方案”的结果按系统自带的占位评分项、权重和等次计分——并非本辖区决定的考核办法。",
    filters: [["year", "年度（默认上一年）", "number"]],
    columns: [
      col("unit_name", "被考核单位"), col("year", "年度"),
      col("score", "加权得分", (r) => r.score, undefined, true),
      col("rating", "等次", (r) => r.rating_term), col("vetoed", "一票否决", (r) => yes(r.vetoed)),
      col("items", "各项得分", (r) => r.items.map((i) => `${i.title} ${r.item_scores[i.code] ?? "—"}（权重${i.weight}）`)
        .join("；")),
      col("placeholder", "考核办法", (r) => (r.placeholder ? "占位方案（非本地决定）" : "本地方案")),
      col("recorded_at", "记录时间", (r) => beijing(r.recorded_at)), col("rules_version", "规则包版本"),
    ],
  },
  vetoes: {
    title: "项目一票否决", path: "/project-vetoes", temporal: true, paged: true,
    defaults: { year: String(new Date().getFullYear()) },
    note: "存在重大安全风险、在审批时被否决的项目或规划（依据：seed 003 第31条）。这不是考核结果。",
    filters: [["year", "年度（默认今年）", "number"]],
    columns: [
      col("decided_at", "否决时间", (r) => beijing(r.decided_at)), col("issuer_name", "否决单位"),
      col("kind", "类别", (r) => label(PROJECT_KINDS, r.kind)), col("name", "项目或规划名称"),
      col("applicant_unit_id", "申请单位", (r) => (r.applicant_unit_id ? "查看" : ""),
        (r) => (r.applicant_unit_id ? unitLink(r.applicant_unit_id) : undefined)),
      col("risk", "重大安全风险"), col("document", "文号"), col("jurisdiction", "辖区"),
      col("basis", "依据", (r) => r.basis || ""),
    ],
  },
  outsourcing: {
    title: "外包外租", path: "/outsourcing", temporal: true, paged: true,
    note: "安全生产法第49条：发包、出租须签订专门的安全生产管理协议，或在合同中约定各自的安全生产管理职责，"
      + "承包、承租单位须具备安全生产条件或相应资质。“记录缺项”只列出登记中缺少的内容，不作认定。",
    filters: [["in_force", "仅当日有效", YES_NO], ["unit_id", "发包/出租单位ID"]],
    columns: [
      col("unit_name", "发包/出租单位", (r) => r.unit_name, (r) => unitLink(r.unit_id)),
      col("contractor_name", "承包/承租单位", (r) => r.contractor_name, (r) => unitLink(r.contractor_id)),
      col("kind", "类别", (r) => r.kind_term), col("scope", "项目、场所或设备"),
      col("agreement", "安全生产管理协议", (r) => r.agreement_term),
      col("qualification", "安全生产条件或资质", (r) => r.qualification || ""),
      col("starts_on", "起始日期"), col("ends_on", "约定终止", (r) => r.ends_on || "（未约定）"),
      col("ended_on", "提前终止", (r) => r.ended_on || ""),
      col("concerns", "记录缺项", (r) => r.concerns.map((c) => label(OUTSOURCING_CONCERNS, c)).join("；")),
    ],
  },
};

const SIZES = [20, 50, 100];

/** Rows per page: the user's choice (``size``) or the ledger's own. */
const pageSize = (def, params) => (SIZES.includes(Number(params.get("size"))) ? Number(params.get("size"))
  : def.pageSize || 50);

const TIME_PARAMS = ["as_of", "known_at"];
const DATETIME_PARAMS = new Set(["as_of", "known_at", "since", "until"]);

/** The API's query for the ledger's filters (datetime pickers are Beijing time; the API wants an offset). */
function apiParams(def, params) {
  const out = { ...(def.fixed || {}), ...(def.defaults || {}) };
  for (const [name, value] of params.entries()) {
    if (!value || (def.client && name in def.client) || ["page", "size"].includes(name) || (name === "sort" && !def.paged)) continue;
    out[name] = DATETIME_PARAMS.has(name) ? toMoment(value) : value;
  }
  return out;
}

function keep(def, params) {
  const checks = Object.entries(def.client || {}).filter(([name]) => params.get(name));
  return (rows) => rows.filter((r) => checks.every(([name, test]) => test(r, params.get(name))));
}

/** One page of rows, or all of them (``all``: an export), reporting progress as pages arrive. */
export async function fetchRows(def, params, { page = 0, all = false, progress } = {}) {
  const base = apiParams(def, params);
  const filter = keep(def, params);
  const shape = (data) => filter(def.flatten ? def.flatten(data) : data);
  if (!def.paged) return { rows: shape(await get(def.path, base)), more: false, clientPaged: true };
  const size = all ? 500 : pageSize(def, params);
  if (!all) {
    const data = await get(def.path, { ...base, limit: size + 1, offset: page * size });
    return { rows: shape(data.slice(0, size)), more: data.length > size };
  }
  const rows = [];
  for (let offset = 0; ; offset += size) {
    const data = await get(def.path, { ...base, limit: size, offset });
    rows.push(...shape(data));
    if (progress) progress(rows.length);
    if (data.length < size) return { rows, more: false };
  }
}

function filterForm(name, def, params) {
  const field = ([key, title, kind]) => {
    const value = params.get(key) || "";
    let input;
    if (kind && typeof kind === "object") {
      input = h("select", { name: key, id: `f-${key}` }, h("option", { value: "" }, "全部"),
        opts(kind).map(([v, t]) => h("option", { value: v, selected: v === value }, t)));
    } else {
      const type = { date: "date", datetime: "datetime-local", number: "number", month: "month" }[kind] || "text";
      input = h("input", { type, name: key, id: `f-${key}`, value });
    }
    return h("label", { for: `f-${key}` }, title, input);
  };
  const times = def.temporal ? [["as_of", "状态所在时间 as_of", "datetime"], ["known_at", "按当时所知 known_at", "datetime"]]
    : def.knownOnly ? [["known_at", "按当时所知 known_at", "datetime"]] : [];
  return h("form", { class: "filters", "aria-label": "筛选", onsubmit: (event) => {
    event.preventDefault();
    const data = Object.fromEntries([...new FormData(event.target).entries()].filter(([, v]) => v));
    if (params.get("sort")) data.sort = params.get("sort");  // the order stays; the pages start again
    location.hash = `#/ledger/${name}${query(data)}`;
  } },
  [...def.filters, ...times].map(field),
  h("button", { type: "submit", class: "primary" }, "查询"),
  h("a", { href: `#/ledger/${name}` }, "清除"));
}

/** ``sort=key`` or ``sort=-key`` (descending). */
function sortOf(params) {
  const value = params.get("sort") || "";
  return { key: value.replace(/^-/, ""), descending: value.startsWith("-") };
}

const sortable = (def, column) => (def.paged ? (def.sorts || []).includes(column.key) : true);

/** A ledger read whole is sorted here, over all its rows; a paged one comes sorted from the server. */
function sortRows(rows, def, params) {
  if (def.paged) return rows;
  const { key, descending } = sortOf(params);
  const column = def.columns.find((c) => c.key === key);
  if (!column) return rows;
  const dir = descending ? -1 : 1;
  const value = (r) => { const v = column.value(r); return v === null || v === undefined ? "" : v; };
  return [...rows].sort((a, b) => {
    const x = value(a), y = value(b);
    return (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "zh-CN")) * dir;
  });
}

function table(name, def, params, rows) {
  const { key: sorted, descending } = sortOf(params);
  const header = def.columns.map((c) => {
    if (!sortable(def, c)) return h("th", { scope: "col", class: c.num ? "num" : "" }, c.title);
    const active = sorted === c.key;
    const next = new URLSearchParams(params);
    next.set("sort", active && !descending ? `-${c.key}` : c.key);
    next.delete("page");  // a new order starts at its first page
    return h("th", { scope: "col", class: c.num ? "num" : "", "data-sort": c.key,
      "aria-sort": active ? (descending ? "descending" : "ascending") : "none" },
    h("button", { type: "button", class: "sort", onclick: () => { location.hash = `#/ledger/${name}?${next}`; } },
      c.title, active ? (descending ? " ▼" : " ▲") : ""));
  });
  const how = !def.paged ? "点击列名对全部记录排序" : (def.sorts || []).length ? "点击带按钮的列名，由服务器对全部记录排序"
    : "";  // a paged ledger whose API sorts by nothing: its own order
  return h("table", { id: "ledger-table" },
    h("caption", { class: "muted" }, how ? `${def.title}（${how}）` : def.title),
    h("thead", {}, h("tr", {}, header)),
    h("tbody", {}, rows.length ? rows.map((r) => h("tr", {}, def.columns.map((c) => {
      const text = c.value(r);
      const href = c.link && c.link(r);
      return h("td", { class: c.num ? "num" : "" }, href && text !== "" ? h("a", { href }, String(text ?? "")) : String(text ?? ""));
    }))) : h("tr", {}, h("td", { colspan: def.columns.length }, "没有记录"))));
}

async function exportAs(format, name, def, params, progressEl) {
  progressEl.hidden = false;
  progressEl.removeAttribute("value");
  say("正在导出…");
  try {
    const { rows } = await fetchRows(def, params, { all: true, progress: (n) => say(`正在导出… 已读取 ${n} 行`) });
    const sorted = sortRows(rows, def, params);
    const header = def.columns.map((c) => c.title);
    const cells = sorted.map((r) => def.columns.map((c) => c.value(r) ?? ""));
    const stamp = params.get("as_of") ? `_as_of_${params.get("as_of").replace(/[:T]/g, "")}` : "";
    await download(format, `${name}${stamp}`, def.title, header, cells);
    say(`已导出 ${sorted.length} 行`);
  } catch (error) {
    say(`导出失败: ${error.message}`);
  } finally {
    progressEl.hidden = true;
  }
}

export async function ledger(name, params) {
  const show = showFor();
  const def = LEDGERS[name];
  if (!def) {
    show(h("h1", {}, "没有这个台账"), h("p", {}, h("a", { href: "#/" }, "回到仪表盘")));
    return;
  }
  const page = Number(params.get("page") || 0);
  const title = h("h1", {}, def.title, params.get("as_of") ? ` · ${params.get("as_of").replace("T", " ")} 的状态` : "",
    params.get("known_at") ? ` · 按 ${params.get("known_at").replace("T", " ")} 所知` : "");
  show(title, filterForm(name, def, params), h("p", { class: "muted" }, "正在读取…"));
  try {
    const result = await fetchRows(def, params, { page });
    let rows = sortRows(result.rows, def, params);
    let more = result.more;
    const size = pageSize(def, params);
    const total = rows.length;
    if (result.clientPaged) {
      more = rows.length > (page + 1) * size;
      rows = rows.slice(page * size, (page + 1) * size);
    }
    const progress = h("progress", { hidden: true, "aria-label": "导出进度" });
    const go = (p) => { const next = new URLSearchParams(params); next.set("page", p); return `#/ledger/${name}?${next}`; };
    const actions = h("div", { class: "actions" },
      h("button", { type: "button", id: "export-csv", onclick: () => exportAs("csv", name, def, params, progress) }, "导出 CSV"),
      h("button", { type: "button", id: "export-xlsx", onclick: () => exportAs("xlsx", name, def, params, progress) }, "导出 XLSX"),
      progress,
      h("label", { for: "page-size" }, "每页行数", h("select", { id: "page-size", onchange: (event) => {
        const next = new URLSearchParams(params);
        next.set("size", event.target.value);
        next.delete("page");
        location.hash = `#/ledger/${name}?${next}`;
      } }, [...new Set([...SIZES, size])].sort((a, b) => a - b).map((n) =>
        h("option", { value: n, selected: n === size }, String(n))))),
      h("span", { id: "row-count" }, result.clientPaged ? `共 ${total} 行` : `第 ${page + 1} 页，本页 ${rows.length} 行`),
      page > 0 ? h("a", { href: go(page - 1) }, "上一页") : null,
      more ? h("a", { href: go(page + 1) }, "下一页") : null);
    show(title, filterForm(name, def, params), def.note ? h("p", { class: "muted" }, def.note) : null, actions,
      table(name, def, params, rows));
  } catch (error) {
    show(title, filterForm(name, def, params), errorBox(error));
  }
}
