import assert from "node:assert/strict";
import { test } from "node:test";

import { fitPies, fitValueAxes, isValueAxis, scaleRadius, toPixels } from "../src/fitting.js";

test("toPixels reads numbers, percentages and pixel strings", () => {
  assert.equal(toPixels(40, 800, 0), 40);
  assert.equal(toPixels("10%", 800, 0), 80);
  assert.equal(toPixels("50px", 800, 0), 50);
  assert.equal(toPixels("auto", 800, 7), 7);
  assert.equal(toPixels(undefined, 800, 7), 7);
});

test("isValueAxis knows ECharts' default y axis", () => {
  assert.equal(isValueAxis({}, "y"), true);
  assert.equal(isValueAxis({}, "x"), false);
  assert.equal(isValueAxis({ data: ["a"] }, "y"), false);
  assert.equal(isValueAxis({ type: "log" }, "x"), true);
  assert.equal(isValueAxis({ type: "category" }, "y"), false);
});

test("fitValueAxes hides overlapping labels and caps the ticks of a narrow x axis", () => {
  const option = { xAxis: { type: "value", splitNumber: 5 }, yAxis: { axisLabel: { hideOverlap: false } } };
  fitValueAxes(option, { width: 300, height: 300 });
  assert.equal(option.xAxis.axisLabel.hideOverlap, true);
  assert.equal(option.yAxis.axisLabel.hideOverlap, false);
  assert.equal(option.xAxis.splitNumber, 3);  // (300 - 60) / 64
});

test("fitValueAxes keeps the ticks a wide axis asks for", () => {
  const option = { xAxis: { type: "value", splitNumber: 5 } };
  fitValueAxes(option, { width: 1200, height: 300 });
  assert.equal(option.xAxis.splitNumber, 5);
});

test("scaleRadius scales numbers and percentages, leaves the rest", () => {
  assert.deepEqual(scaleRadius([0, "75%"], 0.8), [0, "60%"]);
  assert.equal(scaleRadius(100, 0.7), 70);
  assert.equal(scaleRadius("50px", 0.7), "50px");
});

test("fitPies shrinks pies with outside labels on narrow charts only", () => {
  const narrow = { series: [{ type: "pie" }, { type: "pie", label: { position: "inside" } }, { type: "bar" }] };
  fitPies(narrow, { width: 260, height: 300 });
  assert.deepEqual(narrow.series[0].radius, [0, "53%"]);
  assert.equal(narrow.series[0].label.overflow, "break");
  assert.equal(narrow.series[1].radius, undefined);
  assert.equal(narrow.series[2].radius, undefined);
  const wide = { series: [{ type: "pie" }] };
  fitPies(wide, { width: 800, height: 300 });
  assert.equal(wide.series[0].radius, undefined);
});
