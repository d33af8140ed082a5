// Update animations cut to the page's budget (pure: chart-draw.js applies
// them). Every animation frame makes the browser upload every canvas of the
// page again, the main cost of a live page (a wall screen runs for days);
// the data is shown as soon as it arrives either way.

import { asArray, isObject } from "./util.js";

/** A page spends at most this share of its time animating updates: on a
 *  page that gets an update every 4 s, each animates 200 ms, not ECharts'
 *  500 (and, below MIN_ANIMATION_MS, not at all: every 2 s or more often). */
export const ANIMATION_SHARE = 0.05;
/** An update animation shorter than this is not seen as motion (six
 *  frames), only paid for: below it, updates are drawn at once. */
export const MIN_ANIMATION_MS = 100;
/** ECharts' defaults: the durations of updates and of elements that enter
 *  (a new point's symbol, a new axis tick, a chart's first drawing). */
export const ECHARTS_DURATIONS = Object.freeze({ animationDurationUpdate: 500, animationDuration: 1000 });

/** The longest update animation (ms) a page updated every `gap` ms on
 *  average affords with `share` of its time; 0 below MIN_ANIMATION_MS. */
export function animationBudget(gap, share) {
  const budget = Math.round(share * gap);
  return budget < MIN_ANIMATION_MS ? 0 : budget;
}

/**
 * A patch that cuts `option`'s animations to `budget` ms, for the updates
 * after its first drawing: the durations of updates and of elements that
 * enter with an update (a new point's symbol, the ticks of a new axis range:
 * a second of motion each otherwise). Cut are the option's own, those of its
 * components that have one (pyecharts gives every axis one), and every
 * series' (pies, trees, treemaps and sunbursts have their own defaults in
 * ECharts, which the option's do not override): a series without its own
 * takes the option's. Durations given as functions are kept.
 */
export function animationPatch(option, budget) {
  const names = Object.keys(ECHARTS_DURATIONS);
  const cut = (own, name) => (typeof own === "function" ? own
    : Math.min(own === undefined ? ECHARTS_DURATIONS[name] : own, budget));
  const patch = {};
  names.forEach((name) => { patch[name] = cut(option[name], name); });
  const owns = (item) => isObject(item) && names.some((name) => typeof item[name] === "number");
  Object.keys(option).forEach((key) => {
    const items = asArray(option[key]);
    const series = key === "series";
    if (!series && !items.some(owns)) return;
    patch[key] = items.map((item) => {
      const cutItem = {};
      if (!isObject(item)) return cutItem;
      names.forEach((name) => {
        const own = item[name];
        if (typeof own === "number") cutItem[name] = cut(own, name);
        else if (series && own === undefined) cutItem[name] = cut(option[name], name);
      });
      return cutItem;
    });
  });
  return patch;
}
