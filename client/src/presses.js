// A press on a chart holds its updates until the release: a click is a press
// and a release on the same drawn element, and an update drawn in between
// replaces the element and the click is lost.

import { charts, press } from "./state.js";

const MAX_HOLD_MS = 3000;         // the longest a press holds a chart's updates

/** The innermost chart an element belongs to (a composite's part first). */
function chartOf(node) {
  for (; node; node = node.parentElement) {
    if (charts.has(node)) return charts.get(node);
  }
  return null;
}

export function onPress(event) {
  release();
  press.chart = chartOf(event.target);
  if (press.chart) press.timer = setTimeout(release, MAX_HOLD_MS);
}

/** End the press; a held chart draws once the click has been dispatched
 *  (it follows the release in the same task). */
export function release() {
  const chart = press.chart;
  const held = press.held;
  clearTimeout(press.timer);
  Object.assign(press, { chart: null, held: false, timer: 0 });
  if (chart && held) setTimeout(() => chart.requestFrame(), 0);
}
