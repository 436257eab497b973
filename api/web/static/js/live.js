// Live counters: the event feed's Server-Sent Events (GET /api/v1/events/live) read with fetch (EventSource cannot
// send the bearer token). A hazard event refreshes the dashboard's tiles without a reload. The feed is for the
// roles stream, auditor and admin; for others the dashboard says so and stays as loaded.
import { claims, get, token } from "./api.js";
import { monthDays } from "./dom.js";

const FEED_ROLES = new Set(["admin", "auditor", "stream"]);
const HAZARD_EVENTS = /^cn\.zeren\.hazards\./;
let current = null;

/** The log position to start after: the feed's end now (a type no event has makes each page a bare scan). */
async function feedEnd() {
  let after = 0;
  for (;;) {
    const page = await get("/events", { after, limit: 1, types: "cn.zeren.tips.ReporterIdentityShredded.v1" });
    if (page.next_after === after) return after;
    after = page.next_after;
  }
}

/** Re-read the tiles once the statistics have read the log up to ``position`` (the API's min_position). */
async function refreshTiles(position) {
  const form = document.querySelector("form.filters");
  if (!form) return;
  const [from] = monthDays(form.from.value);
  const [, to] = monthDays(form.to.value);
  const rows = await get("/statistics/hazards", { period: "month", by: "none", from, to,
    jurisdiction: form.jurisdiction.value || undefined, min_position: position });
  for (const tile of document.querySelectorAll("a[data-metric]")) {
    const n = rows.filter((r) => r.metric === tile.dataset.metric).reduce((s, r) => s + r.count, 0);
    tile.textContent = String(n);
  }
}

/** Follow the feed while ``badge`` stays on the page; one connection at a time. */
export async function live(badge) {
  if (current) current.abort();
  const who = claims();
  if (!who || !FEED_ROLES.has(who.role)) {
    badge.textContent = " （实时更新仅对管理员、审计和数据订阅角色开放）";
    return;
  }
  const control = new AbortController();
  current = control;
  let received = 0;
  try {
    const after = await feedEnd();
    const response = await fetch(`/api/v1/events/live?after=${after}`, {
      headers: { Authorization: `Bearer ${token.get()}` }, signal: control.signal });
    badge.textContent = " 实时：已连接";
    badge.dataset.live = "connected";
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    let timer = null;
    for (;;) {
      const { value, done } = await reader.read();
      if (done || !document.body.contains(badge)) break;
      buffer += value;
      const blocks = buffer.split("\n\n");
      buffer = blocks.pop();
      for (const block of blocks) {
        const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
        if (!data) continue;
        received += 1;
        badge.textContent = ` 实时：收到新事件 ${received} 个`;
        const event = JSON.parse(data);
        if (HAZARD_EVENTS.test(event.type)) {
          clearTimeout(timer);
          timer = setTimeout(() => refreshTiles(event.zerenposition).catch(() => {}), 300);
        }
      }
    }
  } catch (error) {
    if (error.name !== "AbortError") badge.textContent = " 实时：连接中断";
  } finally {
    if (current === control) control.abort();
  }
}
