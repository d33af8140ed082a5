import assert from "node:assert/strict";
import { test } from "node:test";

import {
  categoryCount, fitLabels, fitTimeline, isCategoryAxis, keepRoomForLabels, labelLayout,
} from "../src/labels.js";

// The labels are measured on a canvas: a stand-in, 7 px per character.
globalThis.document = {
  createElement: () => ({ getContext: () => ({ font: "", measureText: (text) => ({ width: 7 * text.length }) }) }),
};

const days = (n) => Array.from({ length: n }, (_, i) => "2026-10-" + String(i + 1).padStart(2, "0"));

test("isCategoryAxis: typed, or untyped with data", () => {
  assert.equal(isCategoryAxis({ type: "category" }), true);
  assert.equal(isCategoryAxis({ data: [] }), true);
  assert.equal(isCategoryAxis({ type: "value", data: [] }), false);
  assert.equal(isCategoryAxis(null), false);
});

test("categoryCount counts the axis data, else the longest series on it", () => {
  assert.equal(categoryCount({}, { data: ["a", "b"] }, 0, "x"), 2);
  const option = { series: [{ data: [1, 2, 3] }, { xAxisIndex: 1, data: [1, 2, 3, 4, 5] }] };
  assert.equal(categoryCount(option, {}, 0, "x"), 3);
  assert.equal(categoryCount(option, {}, 1, "x"), 5);
});

test("labelLayout gives each x label its slot when they fit", () => {
  const option = { grid: { left: 0, right: 0 } };
  const layout = labelLayout(option, { data: ["a", "b", "c", "d"] }, 0, "x", { width: 400, height: 300 }, () => 20);
  assert.deepEqual(layout, { width: 94, interval: 0 });
});

test("labelLayout shows one label in several slots when they are too wide", () => {
  const option = { grid: { left: 0, right: 0 } };
  const axis = { data: days(20) };
  const layout = labelLayout(option, axis, 0, "x", { width: 400, height: 300 }, () => 70);
  assert.deepEqual(layout, { width: 74, interval: 3 });  // 20 px slots, 78 px a label: 4 slots
});

test("labelLayout: y labels take 28 % of the width, rotated ones a share of the height", () => {
  assert.deepEqual(labelLayout({}, {}, 0, "y", { width: 1000, height: 300 }), { width: 280, interval: 0 });
  assert.deepEqual(labelLayout({}, {}, 0, "y", { width: 100, height: 300 }), { width: 64, interval: 0 });
  const rotated = { axisLabel: { rotate: 45 } };
  assert.deepEqual(labelLayout({}, rotated, 0, "x", { width: 1000, height: 400 }), { width: 140 });
});

test("fitLabels truncates category labels and keeps the full text in a tooltip", () => {
  const option = { xAxis: { type: "category", data: days(30) }, yAxis: { type: "value" }, series: [] };
  const fitted = fitLabels(option, { width: 600, height: 400 }, null);
  const axis = option.xAxis[0];
  assert.deepEqual(fitted, { x: [{ index: 0, interval: true }], y: [] });
  assert.equal(axis.axisLabel.overflow, "truncate");
  assert.equal(axis.axisLabel.ellipsis, "…");
  assert.ok(axis.axisLabel.interval > 0);
  assert.equal(axis.triggerEvent, true);
  assert.equal(axis.tooltip.show, true);
  assert.equal(option.grid[0].outerBoundsMode, "auto");
  assert.deepEqual(option.tooltip, { trigger: "none" });
});

test("a y category axis shows all its rows, in a smaller font when they are low", () => {
  const top8 = { yAxis: { type: "category", data: days(8) } };
  assert.deepEqual(labelLayout(top8, top8.yAxis, 0, "y", { width: 360, height: 220 }),
    { width: 101, interval: 0, fontSize: 9 });  // rows of 12.5 px
  assert.deepEqual(labelLayout(top8, top8.yAxis, 0, "y", { width: 360, height: 400 }),
    { width: 101, interval: 0 });
  const many = { yAxis: { type: "category", data: days(60) } };
  assert.deepEqual(labelLayout(many, many.yAxis, 0, "y", { width: 360, height: 400 }), { width: 101 });
  const option = { xAxis: { type: "value" }, yAxis: { type: "category", data: days(8) }, series: [] };
  const fitted = fitLabels(option, { width: 360, height: 220 }, null);
  assert.deepEqual(fitted, { x: [], y: [{ index: 0, interval: true, fontSize: true }] });
  assert.equal(option.yAxis[0].axisLabel.interval, 0);
  assert.equal(option.yAxis[0].axisLabel.fontSize, 9);
  fitLabels(option, { width: 360, height: 400 }, fitted);  // taller: the usual size again
  assert.equal(option.yAxis[0].axisLabel.fontSize, 12);
});

test("fitLabels leaves an axis whose width the option sets", () => {
  const option = { xAxis: { data: ["a"], axisLabel: { width: 50 } } };
  assert.deepEqual(fitLabels(option, { width: 600, height: 400 }, null), { x: [], y: [] });
  assert.equal(option.xAxis[0].axisLabel.overflow, undefined);
});

test("fitLabels on a resize recomputes only the axes it manages", () => {
  const option = { xAxis: { data: days(30) }, series: [] };
  const managed = fitLabels(option, { width: 1200, height: 400 }, null);
  const wide = option.xAxis[0].axisLabel.width;
  fitLabels(option, { width: 400, height: 400 }, managed);
  assert.ok(option.xAxis[0].axisLabel.width < wide);
});

test("keepRoomForLabels turns containLabel into outer bounds", () => {
  const option = { grid: [{ containLabel: true }, {}], tooltip: {} };
  keepRoomForLabels(option);
  assert.deepEqual(option.grid[0], { containLabel: false, outerBoundsMode: "same", outerBoundsContain: "axisLabel" });
  assert.equal(option.grid[1].outerBoundsMode, "auto");
  assert.deepEqual(option.tooltip, {});
});

test("fitTimeline moves legends above a bottom timeline", () => {
  const option = { baseOption: { timeline: { axisType: "category" }, legend: {} }, options: [{ legend: { top: 0 } }] };
  fitTimeline(option);
  assert.equal(option.baseOption.legend[0].bottom, 56);
  assert.deepEqual(option.options[0].legend, [{ top: 0 }]);
  assert.deepEqual(option.baseOption.grid, { bottom: 104 });
});

test("fitTimeline leaves a vertical timeline alone", () => {
  const option = { baseOption: { timeline: { orient: "vertical" }, legend: {} } };
  fitTimeline(option);
  assert.deepEqual(option.baseOption.legend, {});
});
