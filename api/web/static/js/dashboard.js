// The safety committee's dashboard (安委会仪表盘) for the token's jurisdiction. Every figure is a link to the
// ledger rows it counts; the figures come from the API's own aggregates, scoped to the token by the API.
import { get, query } from "./api.js";
import { beijing, errorBox, h, monthDays, showFor, today } from "./dom.js";
import { ACCIDENT_GRADES, COLOURS, GRADES, label, LEVELS, METRICS, TIP_STATUS } from "./terms.js";
import { mayReadTips } from "./app.js";
import { live } from "./live.js";

const SHOWN = ["found", "fixed", "overdue", "listed"];
const COLOUR_HEX = { red: "#c00000", orange: "#e07000", yellow: "#d4a800", blue: "#1f6fc5", none: "#8c8c8c" };
const ENFORCEMENT_KINDS = "enforcement,campaign,undercover,cross";

const link = (href, text, name) => h("a", { href, "aria-label": name }, String(text));
const factsHref = (params) => `#/ledger/facts${query(params)}`;

function nextMonth(month) {
  const [y, m] = month.split("-").map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
}

function monthsBack(n) {
  const [y, m] = today().slice(0, 7).split("-").map(Number);
  const d = new Date(Date.UTC(y, m - 1 - n, 1));
  return d.toISOString().slice(0, 7);
}

/** Rows of a metric × key table, each cell a link. */
function crossTable(caption, keys, keyLabel, cell) {
  return h("table", {},
    h("caption", { class: "muted" }, caption),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, keyLabel),
      SHOWN.map((m) => h("th", { scope: "col", class: "num" }, METRICS[m])))),
    h("tbody", {}, keys.map(([key, name]) => h("tr", {}, h("th", { scope: "row" }, name),
      SHOWN.map((m) => h("td", { class: "num" }, cell(key, m, name)))))));
}

function count(rows, metric, breakdown, period) {
  return rows.filter((r) => r.metric === metric && (breakdown === undefined || r.breakdown === breakdown)
    && (period === undefined || r.period === period)).reduce((n, r) => n + r.count, 0);
}

function hazardSection(range, byMonth, byGrade, bySector) {
  const [from] = monthDays(range.from);
  const [, to] = monthDays(range.to);
  const base = { from, to, jurisdiction: range.jurisdiction };
  const tiles = h("div", { class: "tiles" }, SHOWN.map((m) => h("div", { class: "tile" },
    h("a", { class: "n", href: factsHref({ ...base, metric: m }), "data-metric": m, "aria-label": `${METRICS[m]} ${count(byMonth, m)} 条，查看明细` },
      String(count(byMonth, m))),
    h("span", { class: "l" }, METRICS[m]))));
  const months = [];
  for (let m = range.from; m <= range.to; m = nextMonth(m)) months.push(m);
  const chart = h("div", { class: "chart", id: "hazard-chart", role: "img",
    "aria-label": `按月隐患发现、闭环销号、逾期未整改数量（${range.from} 至 ${range.to}），数据见下表` });
  const monthTable = crossTable("按月（点击数字查看明细）", months.map((p) => [p, p]), "月份", (p, m) => {
    const n = count(byMonth, m, undefined, p);
    const [f, t] = monthDays(p);
    return n ? link(factsHref({ ...base, from: f, to: t, metric: m }), n, `${p} ${METRICS[m]} ${n}`) : "0";
  });
  const grades = Object.keys(GRADES).map((g) => [g, GRADES[g]]);
  const gradeTable = crossTable("按隐患等级", grades, "等级", (g, m, name) => {
    const n = count(byGrade, m, g);
    return n ? link(factsHref({ ...base, metric: m, grade: g }), n, `${name} ${METRICS[m]} ${n}`) : "0";
  });
  const sectors = [...new Set(bySector.map((r) => r.breakdown))].sort().map((s) => [s, s]);
  const sectorTable = crossTable("按行业领域", sectors, "行业领域", (s, m) => {
    const n = count(bySector, m, s);
    return n ? link(factsHref({ ...base, metric: m, sector: s }), n, `${s} ${METRICS[m]} ${n}`) : "0";
  });
  const section = h("section", { class: "card", "aria-labelledby": "h-hazards" },
    h("h2", { id: "h-hazards" }, `隐患：发现、闭环销号、逾期（${range.from} 至 ${range.to}）`),
    tiles, chart, h("div", { class: "grid" }, monthTable, h("div", {}, gradeTable, sectorTable)));
  const draw = () => {
    if (!window.echarts) return;
    const instance = echarts.init(chart, null, { renderer: "canvas" });
    instance.setOption({
      animation: false, tooltip: { trigger: "axis" }, legend: { top: 0 },
      grid: { left: 40, right: 16, top: 32, bottom: 24 },
      xAxis: { type: "category", data: months }, yAxis: { type: "value", minInterval: 1 },
      color: ["#1f6fc5", "#1d6b2a", "#c00000"],
      series: ["found", "fixed", "overdue"].map((m) => ({
        name: METRICS[m], type: "bar", data: months.map((p) => count(byMonth, m, undefined, p)) })),
    });
    instance.on("click", (event) => {
      const metric = ["found", "fixed", "overdue"][event.seriesIndex];
      const [f, t] = monthDays(event.name);
      location.hash = factsHref({ ...base, from: f, to: t, metric });
    });
  };
  return { section, draw };
}

function listingSection(boards) {
  const buckets = [[0, 30, "30天以内"], [31, 90, "31–90天"], [91, 180, "91–180天"], [181, null, "180天以上"]];
  const listed = (params) => `#/ledger/listed${query(params)}`;
  const total = boards.reduce((n, b) => n + b.open, 0);
  return h("section", { class: "card", "aria-labelledby": "h-listed" },
    h("h2", { id: "h-listed" }, "挂牌督办（未销号）按挂牌时长"),
    h("p", {}, "在督办：", link(listed({}), total, `在督办 ${total} 项`), " 项"),
    h("table", {},
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "督办单位"), h("th", { scope: "col" }, "层级"),
        buckets.map(([, , name]) => h("th", { scope: "col", class: "num" }, name)),
        h("th", { scope: "col", class: "num" }, "最长(天)"))),
      h("tbody", {}, boards.map((b) => h("tr", {},
        h("th", { scope: "row" }, b.authority_name || b.authority_id), h("td", {}, label(LEVELS, b.level)),
        buckets.map(([lo, hi, name]) => {
          const n = b.items.filter((i) => i.age_days >= lo && (hi === null || i.age_days <= hi)).length;
          return h("td", { class: "num" }, n ? link(listed({ authority_id: b.authority_id, min_age: lo, max_age: hi }), n,
            `${b.authority_name} ${name} ${n} 项`) : "0");
        }),
        h("td", { class: "num" }, String(b.oldest_days)))))));
}

/** Enterprises by risk colour on the jurisdiction tree: the server's counts (GET /statistics/enterprises). */
function colourSection(counts, territories) {
  const colours = [...Object.keys(COLOURS), "none"];
  const byCode = new Map(territories.map((t) => [t.code, t.name]));
  const pathName = (jur) => jur.split("/").slice(3).map((code) => byCode.get(code) || code).join(" › ") || jur;
  const groups = new Map();
  for (const r of counts) {
    if (!groups.has(r.jurisdiction)) groups.set(r.jurisdiction, {});
    groups.get(r.jurisdiction)[r.colour || "none"] = r.count;
  }
  const total = (c) => counts.filter((r) => (r.colour || "none") === c).reduce((n, r) => n + r.count, 0);
  const name = (c) => (c === "none" ? "未分级" : `${COLOURS[c]}色`);
  const ent = (params) => `#/ledger/enterprises${query(params)}`;
  const chart = h("div", { class: "chart", id: "colour-chart", role: "img", "aria-label": "企业风险分级（红橙黄蓝）分布，数据见下表" });
  const draw = () => {
    if (!window.echarts) return;
    echarts.init(chart).setOption({
      animation: false, tooltip: {}, series: [{ type: "pie", radius: ["35%", "65%"],
        data: colours.map((c) => ({ name: name(c), value: total(c), itemStyle: { color: COLOUR_HEX[c] } }))
          .filter((d) => d.value) }],
    });
  };
  const section = h("section", { class: "card", "aria-labelledby": "h-colour" },
    h("h2", { id: "h-colour" }, "企业风险分级（红橙黄蓝）按辖区"), chart,
    h("table", {},
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "辖区"),
        colours.map((c) => h("th", { scope: "col", class: `num colour-${c}` }, name(c))),
        h("th", { scope: "col", class: "num" }, "合计"))),
      h("tbody", {}, [...groups.entries()].sort().map(([jur, byColour]) => {
        const where = pathName(jur);
        const sum = Object.values(byColour).reduce((n, v) => n + v, 0);
        return h("tr", {}, h("th", { scope: "row" }, where),
          colours.map((c) => {
            const n = byColour[c] || 0;
            return h("td", { class: "num" }, n ? link(ent({ jurisdiction: jur, colour: c }), n, `${where} ${name(c)} ${n} 家`) : "0");
          }),
          h("td", { class: "num" }, link(ent({ jurisdiction: jur }), sum, `${where} 企业 ${sum} 家`)));
      }))));
  return { section, draw };
}

/** Accidents by grade in the dashboard's range (GET /statistics/accidents), each number opening its ledger rows. */
function accidentSection(range, rows) {
  const [from] = monthDays(range.from);
  const [, to] = monthDays(range.to);
  const ledgerOf = (params) => `#/ledger/accidents${query({ from, to, jurisdiction: range.jurisdiction, ...params })}`;
  const of = (grade) => rows.find((r) => r.grade === grade) || { accidents: 0, deaths: 0, serious_injuries: 0, direct_loss_yuan: 0 };
  const total = rows.reduce((n, r) => n + r.accidents, 0);
  return h("section", { class: "card", "aria-labelledby": "h-accidents" },
    h("h2", { id: "h-accidents" }, `生产安全事故按等级（${range.from} 至 ${range.to}）`),
    h("p", {}, "合计：", link(ledgerOf({}), total, `事故 ${total} 起，查看明细`), " 起"),
    h("table", { id: "accidents-by-grade" },
      h("thead", {}, h("tr", {}, ["事故等级", "起数", "死亡", "重伤", "直接经济损失(元)"].map((t, i) =>
        h("th", { scope: "col", class: i ? "num" : "" }, t)))),
      h("tbody", {}, Object.entries(ACCIDENT_GRADES).map(([grade, term]) => {
        const r = of(grade);
        return h("tr", {}, h("th", { scope: "row" }, term),
          h("td", { class: "num" }, r.accidents ? link(ledgerOf({ grade }), r.accidents, `${term} ${r.accidents} 起`) : "0"),
          h("td", { class: "num" }, String(r.deaths)), h("td", { class: "num" }, String(r.serious_injuries)),
          h("td", { class: "num" }, String(r.direct_loss_yuan)));
      }))));
}

function enforcementSection(month, rows) {
  const [since, until] = monthDays(month);
  const next = new Date(Date.parse(`${until}T00:00:00Z`) + 86400000).toISOString().slice(0, 10);
  return h("section", { class: "card", "aria-labelledby": "h-enforcement" },
    h("h2", { id: "h-enforcement" }, `各部门执法检查（${month}，已完成）`),
    h("table", {},
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "部门"), h("th", { scope: "col", class: "num" }, "执法检查"),
        h("th", { scope: "col" }, "督查提示"))),
      h("tbody", {}, rows.length ? null : h("tr", {}, h("td", { colspan: 3 }, "本辖区没有负有监管职责的部门")),
        rows.map((r) => h("tr", {},
        h("th", { scope: "row" }, r.department_name),
        h("td", { class: "num" }, link(`#/ledger/inspections${query({
          inspecting_unit_id: r.department_id, status: "completed", kinds: ENFORCEMENT_KINDS,
          since: `${since}T00:00`, until: `${next}T00:00` })}`, r.inspections, `${r.department_name} 执法检查 ${r.inspections} 次`)),
        h("td", {}, r.zero_enforcement ? h("span", { class: "flag" }, "零执法") : ""))))));
}

function penaltySection(rows) {
  const cases = (params) => `#/ledger/cases${query(params)}`;
  return h("section", { class: "card", "aria-labelledby": "h-penalties" },
    h("h2", { id: "h-penalties" }, "行政处罚（已决定案件，按立案机关）"),
    h("table", {},
      h("thead", {}, h("tr", {}, ["立案机关", "已决定", "罚款决定", "罚款·单位(元)", "罚款·个人(元)"].map((t, i) =>
        h("th", { scope: "col", class: i ? "num" : "" }, t)))),
      h("tbody", {}, rows.length ? null : h("tr", {}, h("td", { colspan: 5 }, "没有已决定的案件")),
        rows.map((r) => h("tr", {}, h("th", { scope: "row" }, r.name || r.key),
          h("td", { class: "num" }, link(cases({ department_id: r.key }), r.decided, `${r.name || r.key} 已决定 ${r.decided} 件`)),
          h("td", { class: "num" }, String(r.penalised)), h("td", { class: "num" }, String(r.unit_yuan)),
          h("td", { class: "num" }, String(r.person_yuan)))))));
}

function accountabilitySection(board) {
  const slips = (params) => `#/ledger/slips${query({ year: board.year, ...params })}`;
  return h("section", { class: "card", "aria-labelledby": "h-accountability" },
    h("h2", { id: "h-accountability" }, `问责与考核（${board.year} 年）`),
    h("div", { class: "tiles" },
      h("div", { class: "tile" }, link(slips({}), board.slips.length, `交办单、督办单 ${board.slips.length} 件`),
        h("span", { class: "l" }, " 交办单/督办单")),
      h("div", { class: "tile" }, link(slips({ open: "true" }), board.slips_open, `未反馈 ${board.slips_open} 件`),
        h("span", { class: "l" }, " 未反馈")),
      h("div", { class: "tile" }, link(slips({ late: "true" }), board.slips_late, `逾期 ${board.slips_late} 件`),
        h("span", { class: "l" }, " 逾期")),
      h("div", { class: "tile" }, h("span", { class: "n" }, String(board.summons.length)), h("span", { class: "l" }, "约谈")),
      h("div", { class: "tile" }, h("span", { class: "n" }, String(board.notices.length)),
        h("span", { class: "l" }, "提醒函、警示函、通报"))),
    h("h3", {}, "一票否决（考核）"),
    board.vetoes.length ? h("ul", { id: "vetoes" }, board.vetoes.map((v) => h("li", {},
      `${v.territory_name || v.territory_id}：${v.term}（非法违法 ${v.illegal_acts} 起，死亡事故 ${v.fatal_accidents} 起）`)))
      : h("p", {}, "本年度没有"),
    h("p", { id: "accountability-ledgers" },
      h("a", { href: `#/ledger/assessments${query({ year: board.year - 1 })}` }, `${board.year - 1} 年度考核结果`), "　",
      h("a", { href: `#/ledger/vetoes${query({ year: board.year })}` }, `${board.year} 年项目一票否决`), "　",
      h("a", { href: "#/ledger/outsourcing?in_force=true" }, "今日有效的外包外租")));
}

/** Tips received in the range by their status now (GET /statistics/tips), each number opening its ledger rows. */
function tipSection(range, counts) {
  const statuses = ["received", "substantiated", "unsubstantiated", "reward_proposed", "reward_paid"];
  const months = { from: range.from, to: range.to, jurisdiction: range.jurisdiction };
  const n = (s) => counts.filter((r) => s === undefined || r.status === s).reduce((sum, r) => sum + r.count, 0);
  return h("section", { class: "card", "aria-labelledby": "h-tips" },
    h("h2", { id: "h-tips" }, `举报（${range.from} 至 ${range.to} 受理）`),
    h("div", { class: "tiles" }, h("div", { class: "tile" },
      link(`#/ledger/tips${query(months)}`, n(), `举报 ${n()} 件`), h("span", { class: "l" }, " 合计")),
    statuses.map((s) => h("div", { class: "tile" },
      n(s) ? link(`#/ledger/tips${query({ ...months, status: s })}`, n(s), `${TIP_STATUS[s] || s} ${n(s)} 件`) : "0",
      h("span", { class: "l" }, ` ${TIP_STATUS[s] || s}`)))));
}

function controls(range) {
  return h("form", { class: "filters", "aria-label": "仪表盘范围", onsubmit: (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    location.hash = `#/${query(Object.fromEntries(data.entries()))}`;
  } },
  h("label", {}, "起始月份", h("input", { type: "month", name: "from", value: range.from })),
  h("label", {}, "截止月份", h("input", { type: "month", name: "to", value: range.to })),
  h("label", {}, "执法统计月份", h("input", { type: "month", name: "month", value: range.month })),
  h("label", {}, "下级辖区(可选)", h("input", { type: "text", name: "jurisdiction", value: range.jurisdiction || "",
    placeholder: "如 350000/350500/350505/350505101000", size: 34 })),
  h("button", { type: "submit", class: "primary" }, "更新"));
}

export async function dashboard(params) {
  const show = showFor();
  const range = {
    from: params.get("from") || monthsBack(23), to: params.get("to") || today().slice(0, 7),
    month: params.get("month") || monthsBack(1), jurisdiction: params.get("jurisdiction") || undefined,
  };
  show(h("h1", {}, "安委会仪表盘"), controls(range), h("p", { class: "muted" }, "正在读取…"));
  try {
    const [from] = monthDays(range.from);
    const [, to] = monthDays(range.to);
    const stats = (by) => get("/statistics/hazards", { period: "month", by, from, to, jurisdiction: range.jurisdiction });
    const within = { jurisdiction: range.jurisdiction };
    const [byMonth, byGrade, bySector, boards, colourCounts, territories, enforcement, tips, accidents, penalties,
      board] = await Promise.all([
      stats("none"), stats("grade"), stats("sector"), get("/listed-supervision"),
      get("/statistics/enterprises", within), get("/units", { kind: "territorial", limit: 500 }),
      get("/statistics/enforcement", { month: range.month }),
      mayReadTips() ? get("/statistics/tips", { from: range.from, to: range.to, ...within }) : Promise.resolve(null),
      get("/statistics/accidents", { from, to, ...within }).catch(() => null),
      get("/statistics/penalties", { by: "department" }).catch(() => null),
      get("/accountability/board", { year: range.to.slice(0, 4) }).catch(() => null)]);
    const hazards = hazardSection(range, byMonth, byGrade, bySector);
    const departmentNames = new Map(enforcement.map((r) => [r.department_id, r.department_name]));
    const colours = colourSection(colourCounts, territories);
    show(h("h1", {}, "安委会仪表盘"), controls(range),
      h("p", { class: "muted" }, "每个数字都链接到它所统计的台账记录。", h("span", { id: "live-counter" })),
      hazards.section,
      h("div", { class: "grid" }, listingSection(boards), colours.section),
      h("div", { class: "grid" }, accidents ? accidentSection(range, accidents) : null,
        tips ? tipSection(range, tips) : null),
      h("div", { class: "grid" }, enforcementSection(range.month, enforcement)),
      h("div", { class: "grid" },
        penalties ? penaltySection(penalties.map((r) => ({ ...r, name: departmentNames.get(r.key) }))) : null,
        board ? accountabilitySection(board) : null),
      h("p", { class: "muted" }, `读取于 ${beijing(new Date().toISOString())}（北京时间）`));
    const badge = document.getElementById("live-counter");
    if (!badge) return;  // the user went elsewhere before the figures arrived
    hazards.draw();
    colours.draw();
    live(badge);
  } catch (error) {
    show(h("h1", {}, "安委会仪表盘"), controls(range), errorBox(error));
  }
}
