// The dashboard header: the connection summary, the time of the last update,
// pause/resume, the polling interval and the light/dark toggle.

import { on, pause, resume, setPollInterval, status } from "./api.js";
import { DEFAULT_INTERVAL, connections, page } from "./state.js";
import { applyPageTheme, initialTheme, storeTheme } from "./theme.js";
import { clockText, t } from "./messages.js";

/**
 * One line for the dashboard header: how the page is connected (from the
 * connections, so a failing builder never reads as a lost connection), then
 * how many charts fail or show an old option.
 */
function summarize() {
  const all = status();
  if (!all.length) return t("summary.none");
  const links = Array.from(connections.values());
  let text;
  if (page.pausedAll) text = t("summary.paused");
  else if (links.some((link) => link.problem)) text = t("summary.reconnecting");
  else if (links.some((link) => link.mode === "poll")) text = t("summary.polling", { seconds: pollingInterval() / 1000 });
  else if (links.some((link) => link.source && link.openedAt)) text = t("summary.live");
  else if (links.length || all.some((item) => item.state === "loading")) text = t("summary.connecting");
  else text = t("summary.current");
  const count = (state) => all.filter((item) => item.state === state).length;
  const problems = [];
  if (count("error")) problems.push(t("summary.failing", { count: count("error") }));
  if (count("stale")) problems.push(t("summary.stale", { count: count("stale") }));
  return problems.length ? t("summary.join", { summary: text, problems: problems.join(t("summary.separator")) }) : text;
}

function pollingInterval() {
  let shortest = Infinity;
  connections.forEach((connection) => { shortest = Math.min(shortest, connection.interval()); });
  return shortest === Infinity ? page.interval || DEFAULT_INTERVAL : shortest;
}

export function wireDashboard(root) {
  applyPageTheme(root, initialTheme());
  const updated = root.querySelector("[data-fpe-updated]");
  const connection = root.querySelector("[data-fpe-connection]");
  const toggle = root.querySelector("[data-fpe-toggle]");
  const interval = root.querySelector("[data-fpe-interval]");
  const themeButton = root.querySelector("[data-fpe-theme-toggle]");
  let summaryFrame = 0;
  const showSummary = () => {
    summaryFrame = 0;
    if (connection) connection.textContent = summarize();
    if (connection) connection.setAttribute("data-fpe-summary", page.pausedAll ? "paused" : "");
  };
  const refreshSummary = () => { if (!summaryFrame) summaryFrame = requestAnimationFrame(showSummary); };
  on("state", refreshSummary);
  on("connection", refreshSummary);
  on("update", function () {
    if (!updated) return;
    const now = new Date();
    updated.textContent = clockText(now);
    updated.setAttribute("datetime", now.toISOString());
  });
  if (toggle) {
    toggle.addEventListener("click", function () {
      if (page.pausedAll) resume(); else pause();
      toggle.setAttribute("aria-pressed", String(page.pausedAll));
      toggle.textContent = t(page.pausedAll ? "control.resume" : "control.pause");
      refreshSummary();
    });
  }
  if (interval) {
    interval.addEventListener("change", function () {
      setPollInterval(interval.value === "auto" ? null : interval.value);
      refreshSummary();
    });
  }
  if (themeButton) {
    themeButton.addEventListener("click", function () {
      const next = document.documentElement.getAttribute("data-fpe-theme") === "dark" ? "light" : "dark";
      storeTheme(next);
      applyPageTheme(root, next);
    });
  }
}
