import assert from "node:assert/strict";
import { test } from "node:test";

import { categoryOf, pointsFromSeries, syncCategories } from "../src/streams.js";

test("pointsFromSeries aligns the series at their end", () => {
  const points = pointsFromSeries([{ data: [1, 2, 3] }, { data: [10] }]);
  assert.deepEqual(points, [[0, 1], [0, 2], [0, 3], [1, 10]]);
});

test("pointsFromSeries interleaves series of the same length", () => {
  assert.deepEqual(pointsFromSeries([{ data: ["a", "b"] }, { data: ["c", "d"] }]), [
    [0, "a"], [1, "c"], [0, "b"], [1, "d"],
  ]);
});

test("pointsFromSeries skips series without data", () => {
  assert.deepEqual(pointsFromSeries([null, { name: "x" }, { data: [5] }]), [[2, 5]]);
});

test("categoryOf reads a pair or a value object, strings only", () => {
  assert.equal(categoryOf(["Mon", 3], 0), "Mon");
  assert.equal(categoryOf({ value: [1, "Tue"] }, 1), "Tue");
  assert.equal(categoryOf([1, 2], 0), null);
  assert.equal(categoryOf(7, 0), null);
});

test("syncCategories sets an x axis to the window's categories, in order", () => {
  const option = { xAxis: [{ type: "category", data: ["old"] }], yAxis: [{ type: "value" }], series: [{}] };
  const patch = syncCategories(option, [[0, ["Mon", 1]], [0, ["Tue", 2]], [0, ["Mon", 3]]]);
  assert.deepEqual(option.xAxis[0].data, ["Mon", "Tue"]);
  assert.deepEqual(patch, { xAxis: [{ type: "category", data: ["Mon", "Tue"] }] });
});

test("syncCategories leaves value axes and plain numbers alone", () => {
  const option = { xAxis: { type: "value" }, yAxis: {}, series: [{}] };
  assert.deepEqual(syncCategories(option, [[0, [1, 2]]]), {});
  assert.equal(option.yAxis.type, undefined);
});

test("syncCategories follows each series' axis index", () => {
  const option = { xAxis: [{}, {}], series: [{}, { xAxisIndex: 1 }] };
  const patch = syncCategories(option, [[0, ["a", 1]], [1, ["b", 2]]]);
  assert.deepEqual(patch.xAxis, [{ type: "category", data: ["a"] }, { type: "category", data: ["b"] }]);
});
