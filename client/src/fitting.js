// Small screens: value axes that do not crowd their labels, pies that shrink.

import { measureText } from "./measure.js";
import { asArray, isObject } from "./util.js";

const VALUE_LABEL = 64;           // px: the room one value-axis label needs
const NARROW_PIE = 520;           // px: narrower charts get smaller pies
const PIE_LABEL_LINE = 40;        // px: a pie label's line and its margins
const SMALLEST_PIE = 0.45;        // the least share of its radius a pie keeps
const PIE_LABEL_ROWS = 52;        // px: a two-line label and its line above or below a pie
const LEGEND_ITEM = 35;           // px: a legend item's symbol and gaps
const LEGEND_ROW = 22;            // px: a row of legend items
const NARROW_3D = 520;            // px: narrower 3D charts are seen from further
const LOW_3D = 400;               // px: and lower ones

/** A size of the option (px number, "40%", "40px") in pixels of `total`. */
export function toPixels(value, total, fallback) {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /%$/.test(value)) return (parseFloat(value) / 100) * total;
  if (typeof value === "string" && value && !isNaN(parseFloat(value))) return parseFloat(value);
  return fallback;
}

export function isValueAxis(axis, dim) {
  if (!isObject(axis)) return false;
  if (axis.type) return axis.type === "value" || axis.type === "log" || axis.type === "time";
  return dim === "y" && !Array.isArray(axis.data);  // ECharts' default y axis
}

/**
 * Value and time axes hide labels that would overlap ("100万200万"), and a
 * narrow horizontal value axis asks for fewer ticks (pyecharts always asks
 * for 5, whatever the width).
 */
export function fitValueAxes(option, size) {
  ["x", "y"].forEach(function (dim) {
    asArray(option[dim + "Axis"]).forEach(function (axis) {
      if (!isValueAxis(axis, dim)) return;
      const label = axis.axisLabel = isObject(axis.axisLabel) ? axis.axisLabel : {};
      if (label.hideOverlap === undefined) label.hideOverlap = true;
      if (dim !== "x" || axis.type === "time") return;
      const grid = asArray(option.grid)[axis.gridIndex || 0] || {};
      const width = size.width - toPixels(grid.left, size.width, size.width * 0.1) -
        toPixels(grid.right, size.width, size.width * 0.1);
      const most = Math.max(2, Math.floor(width / VALUE_LABEL));
      if (!(axis.splitNumber <= most)) axis.splitNumber = most;
    });
  });
}

export function scaleRadius(radius, factor) {
  if (Array.isArray(radius)) return radius.map((item) => scaleRadius(item, factor));
  if (typeof radius === "number") return Math.round(radius * factor);
  if (typeof radius === "string" && /^\d+(\.\d+)?%$/.test(radius)) {
    return Math.round(parseFloat(radius) * factor) + "%";
  }
  return radius;
}

const MEASURED_FONT = "sans-serif";  // ECharts' default label font family

/** The width of `text` in `fontSize` px sans-serif (a canvas), or an estimate. */
export function textWidth(text, fontSize) {
  return measureText(String(text), fontSize + "px " + MEASURED_FONT).width;
}

/**
 * On a narrow chart, pies with outside labels shrink until their widest name
 * fits beside them on one line, so no name is split inside a word ("小程/序");
 * a name too wide even then is cut with "…" (the whole name in the tooltip).
 * `width` measures a text (tests pass their own).
 */
export function fitPies(option, size, width) {
  if (size.width >= NARROW_PIE) return;
  const measure = width || textWidth;
  let truncated = false;
  asArray(option.series).forEach(function (series) {
    if (!isObject(series) || series.type !== "pie") return;
    const label = series.label = isObject(series.label) ? series.label : {};
    if (label.show === false || /^(inside|inner|center)$/.test(label.position || "")) return;
    const fontSize = typeof label.fontSize === "number" ? label.fontSize : 12;
    const widest = asArray(series.data).reduce(function (most, item) {
      const name = isObject(item) ? item.name : Array.isArray(item) ? item[0] : "";
      return Math.max(most, name == null ? 0 : measure(String(name), fontSize));
    }, 0);
    const radius = series.radius === undefined ? [0, "75%"] : series.radius;
    const outer = toPixels(Array.isArray(radius) ? radius[1] : radius,
      Math.min(size.width, size.height) / 2, Math.min(size.width, size.height) * 0.375);
    const room = size.width / 2 - widest - PIE_LABEL_LINE;
    const narrow = Math.max(0.7, size.width / NARROW_PIE);
    // A legend at the bottom (ECharts 6's default) takes its rows off the height.
    const legend = bottomLegendHeight(option, size, measure);
    const high = (size.height - legend) / 2 - PIE_LABEL_ROWS;
    const factor = Math.max(SMALLEST_PIE, Math.min(narrow, room / Math.max(1, outer), high / Math.max(1, outer)));
    series.radius = scaleRadius(radius, factor);
    if (legend && series.center === undefined) {
      series.center = ["50%", Math.round(((size.height - legend) / 2 / size.height) * 100) + "%"];
    }
    if (room >= outer * SMALLEST_PIE) {
      if (!label.overflow) label.overflow = "break";
      return;
    }
    // Even the smallest pie leaves too little room: cut, do not split.
    label.overflow = "truncate";
    label.ellipsis = "…";
    label.width = Math.max(24, Math.floor(size.width / 2 - outer * SMALLEST_PIE - PIE_LABEL_LINE));
    truncated = true;
  });
  if (truncated && option.tooltip === undefined) option.tooltip = { trigger: "item" };
}

/** The height of the legends ECharts puts at the bottom (none: 0), in rows
 * of the legend's names side by side. */
export function bottomLegendHeight(option, size, measure) {
  let height = 0;
  asArray(option.legend).forEach(function (legend) {
    if (!isObject(legend) || legend.show === false || legend.top !== undefined) return;
    if (legend.orient === "vertical") return;
    const names = asArray(legend.data).length ? asArray(legend.data) :
      asArray(option.series).flatMap((series) => (isObject(series) && series.type === "pie" ? asArray(series.data) : []));
    const widths = names.map((item) => {
      const name = isObject(item) ? item.name : Array.isArray(item) ? item[0] : item;
      return measure(String(name == null ? "" : name), 12) + LEGEND_ITEM;
    });
    if (!widths.length) return;
    const rows = legend.type === "scroll" ? 1 : Math.ceil(widths.reduce((a, b) => a + b, 0) / Math.max(1, size.width - 20));
    height = Math.max(height, rows * LEGEND_ROW + 10);
  });
  return height;
}

/**
 * A narrow or low 3D chart (Bar3D, Scatter3D...) is seen from further away,
 * so its box and axis labels stay inside the canvas instead of being cut at
 * the bottom.
 */
export function fit3D(option, size) {
  const far = Math.min(1.8, Math.max(NARROW_3D / Math.max(1, size.width), LOW_3D / Math.max(1, size.height)));
  if (far <= 1) return;
  asArray(option.grid3D).forEach(function (grid) {
    if (!isObject(grid)) return;
    const view = grid.viewControl = isObject(grid.viewControl) ? grid.viewControl : {};
    if (view.distance !== undefined) return;
    view.distance = Math.round(200 * far);
  });
}
