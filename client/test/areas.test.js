import assert from "node:assert/strict";
import { test } from "node:test";

import { fillArea, titleText } from "../src/areas.js";

const bar = () => ({
  title: [{ text: "各地区订单", show: true }],
  legend: [{ data: ["订单"] }],
  xAxis: [{ data: ["华东", "华北"] }],
  yAxis: [{}],
  series: [{ type: "bar", data: [1, 2] }],
});

test("a chart fills its card: small margins, room for the legend below", () => {
  const option = fillArea(bar(), true);
  assert.deepEqual(option.grid, [{
    left: 8, right: 16, top: 28, bottom: 44, outerBounds: { left: 4, right: 4, top: 4, bottom: 36 },
  }]);
  assert.equal(option.title[0].show, false);
  assert.equal(option.title[0].text, "各地区订单");  // the heading reads it
  assert.equal(titleText(option), null);
});

test("a title drawn inside the chart keeps its room; no legend, no room below", () => {
  const option = bar();
  delete option.legend;
  fillArea(option, false);
  assert.deepEqual(option.grid, [{
    left: 8, right: 16, top: 56, bottom: 12, outerBounds: { left: 4, right: 4, top: 4, bottom: 4 },
  }]);
  assert.equal(titleText(option), "各地区订单");
});

test("idempotent, and a grid placed by the chart itself is kept", () => {
  const once = fillArea(bar(), true);
  assert.deepEqual(fillArea(structuredClone(once), true), once);
  const placed = Object.assign(bar(), { grid: [{ left: "20%" }] });
  assert.deepEqual(fillArea(placed, false).grid, [{ left: "20%" }]);
  const two = Object.assign(bar(), { grid: [{}, {}] });
  assert.deepEqual(fillArea(two, false).grid, [{}, {}]);
});

test("pies and timelines keep their layout", () => {
  const pie = { series: [{ type: "pie", data: [] }], title: { text: "占比" } };
  fillArea(pie, true);
  assert.equal(pie.grid, undefined);
  assert.deepEqual(pie.title, [{ text: "占比", show: false }]);
  const timeline = { baseOption: { xAxis: [{}] }, options: [] };
  fillArea(timeline, false);
  assert.equal(timeline.baseOption.grid, undefined);
});
