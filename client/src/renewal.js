// Pages left on for days (wall screens): their charts are renewed now and
// then. ECharts instances grow over days of updates (their users re-create
// charts every few hours, the usual cure for screens that slow down and
// crash); a renewed chart is a new instance drawing the same option, with the
// same points and stream positions, in one task: no blank frame, nothing
// asked of the server.

import { charts } from "./state.js";

const DEFAULT_RENEW_AFTER_S = 3 * 3600;
const RENEW_SPACING_MS = 100;     // one chart at a time, not every chart in one frame

/** Seconds between renewals: `data-renew-after` (0: never), else three hours. */
export function renewAfter(value) {
  const seconds = parseFloat(value);
  return seconds >= 0 ? seconds : DEFAULT_RENEW_AFTER_S;
}

/** Renew every chart of the page, one after another. */
export function renewAll() {
  let delay = 0;
  charts.forEach((chart) => {
    setTimeout(() => chart.renew(), delay);
    delay += RENEW_SPACING_MS;
  });
}

/** Renew the page's charts every `data-renew-after` seconds (the body's). */
export function scheduleRenewal() {
  const seconds = renewAfter(document.body && document.body.getAttribute("data-renew-after"));
  if (!seconds) return;
  setTimeout(() => {
    renewAll();
    scheduleRenewal();
  }, seconds * 1000);
}
