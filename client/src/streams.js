// Stream charts: points in arrival order, and the categories of their window.

import { asArray, isObject } from "./util.js";

/**
 * The chart's points in arrival order, rebuilt from per-series data. The
 * interleaving of series is unknown, so the series are aligned at their end.
 */
export function pointsFromSeries(series) {
  const ranked = [];
  series.forEach(function (item, index) {
    const data = isObject(item) && Array.isArray(item.data) ? item.data : [];
    data.forEach((value, j) => ranked.push([data.length - j, index, value]));
  });
  ranked.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  return ranked.map((entry) => [entry[1], entry[2]]);
}

export function categoryOf(value, position) {
  const pair = Array.isArray(value) ? value : isObject(value) && Array.isArray(value.value) ? value.value : null;
  return pair && typeof pair[position] === "string" ? pair[position] : null;
}

/**
 * A category axis with `data` drops unknown categories, and one without
 * keeps every category it ever saw; an untyped axis without `data` is a
 * value axis. So streamed [category, value] points set the categories to
 * exactly those of the window.
 */
export function syncCategories(option, points) {
  const patch = {};
  ["x", "y"].forEach(function (dim) {
    const axes = asArray(option[dim + "Axis"]);
    axes.forEach(function (axis, axisIndex) {
      if (!isObject(axis) || (axis.type && axis.type !== "category")) return;
      if (!axis.type && dim === "y" && !Array.isArray(axis.data)) return;
      const names = new Set();
      points.forEach(function (point) {
        const series = option.series[point[0]] || {};
        if ((series[dim + "AxisIndex"] || 0) !== axisIndex) return;
        const name = categoryOf(point[1], dim === "x" ? 0 : 1);
        if (name !== null) names.add(name);
      });
      if (!names.size) return;
      axis.type = "category";
      axis.data = Array.from(names);
      const list = patch[dim + "Axis"] = patch[dim + "Axis"] || axes.map(() => ({}));
      list[axisIndex] = { type: "category", data: axis.data };
    });
  });
  return patch;
}
