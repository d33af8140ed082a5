// Small screens: value axes that do not crowd their labels, pies that shrink.

import { asArray, isObject } from "./util.js";

const VALUE_LABEL = 64;           // px: the room one value-axis label needs
const NARROW_PIE = 520;           // px: narrower charts get smaller pies

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

/**
 * On a narrow chart, pies with outside labels shrink a little and their
 * labels wrap, instead of collapsing to "…" for lack of room beside the pie.
 */
export function fitPies(option, size) {
  if (size.width >= NARROW_PIE) return;
  const factor = Math.max(0.7, size.width / NARROW_PIE);
  asArray(option.series).forEach(function (series) {
    if (!isObject(series) || series.type !== "pie") return;
    const label = series.label = isObject(series.label) ? series.label : {};
    if (label.show === false || /^(inside|inner|center)$/.test(label.position || "")) return;
    if (!label.overflow) label.overflow = "break";
    series.radius = scaleRadius(series.radius === undefined ? [0, "75%"] : series.radius, factor);
  });
}
