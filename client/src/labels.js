// Category labels that fit their slot, and timelines that leave room for legends.

import { fit3D, fitPies, fitValueAxes, toPixels } from "./fitting.js";
import { measureText } from "./measure.js";
import { asArray, isObject } from "./util.js";

const MIN_LABEL = 64;             // px: the narrowest useful category label
const MIN_ROW = 9;                // px: the lowest row a y-axis label can be read in
const LABEL_FONT = 12;            // px: ECharts' axis label size
const MIN_SHOWN_LABELS = 3;       // x-axis labels that keep their whole text at least
const TIMELINE_ROOM = 56;         // px: a horizontal timeline at the bottom
const LEGEND_ROOM = 48;           // px: a legend and the axis labels above it
const LABEL_TIP_CSS = "white-space: normal; overflow-wrap: anywhere; max-width: 80vw;";

export function isCategoryAxis(axis) {
  return isObject(axis) && (axis.type === "category" || (!axis.type && Array.isArray(axis.data)));
}

export function categoryCount(option, axis, index, dim) {
  if (Array.isArray(axis.data)) return axis.data.length;
  let count = 0;
  asArray(option.series).forEach(function (series) {
    if (isObject(series) && (series[dim + "AxisIndex"] || 0) === index && Array.isArray(series.data)) {
      count = Math.max(count, series.data.length);
    }
  });
  return count;
}

/** The natural width of an axis' widest category label (a sample of them). */
function widestLabel(axis) {
  const names = Array.isArray(axis.data) ? axis.data : [];
  if (!names.length) return MIN_LABEL;
  const label = axis.axisLabel || {};
  const font = (label.fontSize || 12) + "px " + (label.fontFamily || "sans-serif");
  const step = Math.ceil(names.length / 200);
  let widest = 0;
  for (let i = 0; i < names.length; i += step) {
    const name = isObject(names[i]) ? names[i].value : names[i];
    widest = Math.max(widest, measureText(String(name), font).width);
  }
  return widest;
}

/**
 * The width a category label may take, in pixels, and for an x axis the
 * label interval: labels are at most a category slot wide (or a few slots,
 * showing one label in that many), so none overlaps and none is hidden at
 * random. An x-axis label keeps its whole text (a date, "2026-10-05") while
 * MIN_SHOWN_LABELS of them still fit side by side; only longer ones are cut.
 * `widest` measures the labels (a canvas; tests pass their own).
 */
export function labelLayout(option, axis, index, dim, size, widest) {
  const label = axis.axisLabel || {};
  if (dim === "y") return rowLayout(option, axis, index, size);
  if (label.rotate) {
    return { width: Math.max(MIN_LABEL, Math.round(Math.min(size.height * 0.35, size.width * 0.3))) };
  }
  const grid = asArray(option.grid)[axis.gridIndex || 0] || {};
  const left = toPixels(grid.left, size.width, size.width * 0.15);
  const right = toPixels(grid.right, size.width, size.width * 0.1);
  const count = Math.max(1, categoryCount(option, axis, index, dim));
  const plot = Math.max(1, size.width - left - right);
  const slot = plot / count;
  const room = Math.max(MIN_LABEL, plot / MIN_SHOWN_LABELS);
  const slots = Math.ceil(Math.min(room, (widest || widestLabel)(axis) + 8) / slot);
  return { width: Math.round(slots * slot - 6), interval: slots - 1 };
}

/**
 * A y category axis shows every label (a "Top 8" bar, 8 names) while its
 * rows are tall enough to be read, in a smaller font when they are low; the
 * width a label may take (longer ones are cut, the whole text on hover).
 */
export function rowLayout(option, axis, index, size) {
  const layout = { width: Math.max(MIN_LABEL, Math.round(size.width * 0.28)) };
  const grid = asArray(option.grid)[axis.gridIndex || 0] || {};
  const top = toPixels(grid.top, size.height, 60);
  const bottom = toPixels(grid.bottom, size.height, 60);
  const count = Math.max(1, categoryCount(option, axis, index, "y"));
  const row = (size.height - top - bottom) / count;
  if (row < MIN_ROW) return layout;
  layout.interval = 0;
  if (row < LABEL_FONT + 3) layout.fontSize = Math.max(MIN_ROW - 1, Math.floor(row - 3));
  return layout;
}

/**
 * Truncate long category labels to a width that fits, and keep the full text
 * in a tooltip. Returns the axes it manages, so a resize can recompute them.
 */
export function fitLabels(option, size, managed) {
  const fitted = { x: [], y: [] };
  ["x", "y"].forEach(function (dim) {
    const key = dim + "Axis";
    if (option[key] === undefined) return;
    option[key] = asArray(option[key]);
    option[key].forEach(function (axis, index) {
      if (!isCategoryAxis(axis)) return;
      const label = axis.axisLabel = isObject(axis.axisLabel) ? axis.axisLabel : {};
      const known = managed && managed[dim].find((item) => item.index === index);
      if (managed ? !known : label.width != null) return;
      const ownsInterval = known ? known.interval : label.interval == null || label.interval === "auto";
      const ownsFont = known ? known.fontSize : label.fontSize === undefined;
      const layout = labelLayout(option, axis, index, dim, size);
      label.width = layout.width;
      if (ownsInterval && layout.interval !== undefined) label.interval = layout.interval;
      // A resize that gives the rows room again restores the usual size.
      const fontSize = layout.fontSize || (known && label.fontSize !== undefined ? LABEL_FONT : undefined);
      if (ownsFont && fontSize !== undefined) label.fontSize = fontSize;
      if (!label.overflow) label.overflow = "truncate";
      if (!label.ellipsis) label.ellipsis = "…";
      axis.triggerEvent = true;
      // The full label on hover, kept on screen and wrapped, even on a phone.
      axis.tooltip = Object.assign(
        { show: true, confine: true, extraCssText: LABEL_TIP_CSS },
        isObject(axis.tooltip) ? axis.tooltip : {}
      );
      const entry = { index: index, interval: ownsInterval };
      if (dim === "y") entry.fontSize = ownsFont;
      fitted[dim].push(entry);
    });
  });
  if (!managed && (fitted.x.length || fitted.y.length)) keepRoomForLabels(option);
  if (!managed) {
    fitValueAxes(option, size);
    fitPies(option, size);
    fit3D(option, size);
    fitTimeline(option);
    fitTimelineFrames(option, size);
  }
  return fitted;
}

/**
 * A Timeline's frames (`options`) carry their own axes and series: each is
 * fitted like a chart of its own, with what it takes from `baseOption`, on
 * the first draw (a resize does not fit them again).
 */
function fitTimelineFrames(option, size) {
  const base = option.baseOption;
  if (!isObject(base)) return;
  asArray(option.options).forEach(function (frame) {
    if (!isObject(frame)) return;
    const view = Object.assign({}, base, frame);
    fitLabels(view, size, null);
    ["xAxis", "yAxis", "grid", "tooltip"].forEach(function (key) {
      if (view[key] === undefined) return;
      if (key in frame) frame[key] = view[key];
      else base[key] = view[key];
    });
  });
}

/**
 * ECharts 6 puts legends at the bottom, where pyecharts puts a timeline:
 * legends that do not say where they go move above the timeline, and a
 * grid that does not say where it ends, above them.
 */
export function fitTimeline(option) {
  const base = option.baseOption;
  const timeline = isObject(base) && asArray(base.timeline)[0];
  if (!isObject(timeline) || timeline.orient === "vertical" || timeline.top !== undefined) return;
  const parts = [base].concat(asArray(option.options)).filter(isObject);
  let moved = false;
  parts.forEach(function (part) {
    if (part.legend === undefined) return;
    part.legend = asArray(part.legend).map(function (legend) {
      if (!isObject(legend) || legend.top !== undefined || legend.bottom !== undefined) return legend;
      moved = true;
      return Object.assign({}, legend, { bottom: TIMELINE_ROOM });
    });
  });
  if (moved && parts.every((part) => part.grid === undefined)) {
    base.grid = { bottom: TIMELINE_ROOM + LEGEND_ROOM };
  }
}

/**
 * ECharts 6 replaced `grid.containLabel` by `grid.outerBounds*`: the grid
 * shrinks until its labels fit in the outer bounds (here: the canvas).
 */
export function keepRoomForLabels(option) {
  option.grid = asArray(option.grid);
  if (!option.grid.length) option.grid.push({});
  option.grid.forEach(function (grid) {
    if (!isObject(grid) || grid.outerBoundsMode) return;
    if (grid.containLabel) {
      grid.containLabel = false;
      grid.outerBoundsMode = "same";
      grid.outerBoundsContain = "axisLabel";
    } else {
      grid.outerBoundsMode = "auto";
      if (!grid.outerBounds) grid.outerBounds = { left: 4, right: 4, top: 4, bottom: 4 };
    }
  });
  // Axis label tooltips are shown by the tooltip component.
  if (option.tooltip === undefined) option.tooltip = { trigger: "none" };
}
