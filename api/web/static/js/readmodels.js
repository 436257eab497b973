// 系统状态: each read model's progress through the event log (GET /api/v1/projections), polled while the page is
// shown. A read model behind the log's head shows a progress bar (position of head); one being rebuilt behind its old
// tables (after an upgrade, or an operator's ``zeren projections rebuild``) shows the rebuild's own position as it fills
// its shadow tables, batch by batch, against its target (the log's head) — readers see the old tables until the swap.
// For auditors and admins.
import { get } from "./api.js";
import { beijing, errorBox, h, show } from "./dom.js";

const POLL_MS = 2000;
const POLL_BEHIND_MS = 1000;  // while a read model is behind or rebuilding: its bar moves every second

function state(model) {
  if (model.error) return h("span", { class: "unsealed" }, `停在位置 ${model.failed_at_position ?? "?"}：${model.error}`);
  const rebuild = model.rebuild;
  if (rebuild && rebuild.stalled) {
    return h("span", { class: "unsealed" },
      `重建停滞于 ${rebuild.position} / ${rebuild.target}（两分钟未推进，可由其他进程接手）`);
  }
  if (rebuild) return `重建中 ${rebuild.position} / ${rebuild.target}（读取旧表）`;
  if (model.rebuilding) return "等待重建（读取旧表）";
  return model.lag > 0 ? `追赶中，落后 ${model.lag} 个事件` : h("span", { class: "sealed" }, "已同步");
}

function progress(model) {
  if (model.lag <= 0 && !model.rebuilding) return null;
  const rebuild = model.rebuild;
  if (rebuild) {  // the shadow tables' own progress, not the live tables' (which stay until the swap)
    return h("progress", { max: Math.max(rebuild.target, 1), value: rebuild.position,
      "aria-label": `${model.name} 重建进度`, dataset: { model: model.name, rebuild: "" } });
  }
  const value = model.rebuilding ? undefined : model.position;  // waiting for its rebuild: no position yet
  return h("progress", { max: Math.max(model.head, 1), value, "aria-label": `${model.name} 进度`,
    dataset: { model: model.name } });
}

function table(body) {
  return h("table", { id: "read-models", "aria-label": "读模型进度" },
    h("thead", {}, h("tr", {}, ["读模型", "版本", "位置", "状态", "进度", "更新于"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, body.items.map((m) => h("tr", { dataset: { model: m.name } },
      h("td", {}, h("code", {}, m.name)), h("td", {}, m.version), h("td", {}, `${m.position} / ${m.head}`),
      h("td", {}, state(m)), h("td", {}, progress(m)), h("td", {}, beijing(m.updated_at))))));
}

/** The page, refreshed every POLL_MS (POLL_BEHIND_MS while a read model is behind) until the user goes elsewhere. */
export async function readModels() {
  const here = location.hash;
  const summary = h("p", { id: "readmodels-summary" });
  const holder = h("div", {});
  show(h("h1", {}, "系统状态"),
    h("p", {}, "各读模型（台账、统计）跟随事件日志的进度。落后或升级后重建时显示进度条；重建期间仍读旧表。"),
    summary, holder);
  while (location.hash === here) {
    let wait = POLL_MS;
    try {
      const body = await get("/projections");
      const behind = body.items.filter((m) => m.lag > 0 || m.rebuilding).length;
      summary.textContent = behind ? `日志位置 ${body.head}：${behind} 个读模型尚未同步` : `日志位置 ${body.head}：全部已同步`;
      summary.dataset.behind = String(behind);
      holder.replaceChildren(table(body));
      if (behind) wait = POLL_BEHIND_MS;
    } catch (error) {
      holder.replaceChildren(errorBox(error));
      if (error.status === 403) return;
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
