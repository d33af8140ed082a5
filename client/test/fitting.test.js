import assert from "node:assert/strict";
import { test } from "node:test";

import { bottomLegendHeight, fit3D, fitPies, fitValueAxes, isValueAxis, scaleRadius, toPixels } from "../src/fitting.js";

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

test("fitPies shrinks a narrow pie until its widest name fits beside it, else cuts names", () => {
  const names = (width) => (text, size) => (text === "微信小程序" ? width : 20) * (size / 12);
  const pie = () => ({ series: [{ type: "pie", radius: ["36%", "62%"], data: [{ name: "微信小程序", value: 9 }, ["拼多多", 13]] }] });
  const fits = pie();
  fitPies(fits, { width: 360, height: 300 }, names(60));  // room 360 / 2 - 60 - 40 = 80 px
  assert.deepEqual(fits.series[0].radius, ["25%", "43%"]);  // 62 % of 150 px: 93 px -> at most 80
  assert.equal(fits.series[0].label.overflow, "break");
  assert.equal(fits.tooltip, undefined);
  const cut = pie();
  fitPies(cut, { width: 300, height: 300 }, names(140));
  assert.deepEqual(cut.series[0].radius, ["16%", "28%"]);  // the smallest pie
  assert.equal(cut.series[0].label.overflow, "truncate");
  assert.equal(cut.series[0].label.ellipsis, "…");
  assert.equal(cut.series[0].label.width, 68);  // 150 - 93 * 0.45 - 40
  assert.deepEqual(cut.tooltip, { trigger: "item" });
});

test("fit3D moves the camera back on narrow charts, unless the option places it", () => {
  const option = { grid3D: {} };
  fit3D(option, { width: 360, height: 300 });
  assert.equal(option.grid3D.viewControl.distance, 289);  // 200 * 520 / 360
  const low = { grid3D: {} };
  fit3D(low, { width: 480, height: 270 });
  assert.equal(low.grid3D.viewControl.distance, 296);  // 200 * 400 / 270
  const placed = { grid3D: [{ viewControl: { distance: 120 } }] };
  fit3D(placed, { width: 360, height: 300 });
  assert.equal(placed.grid3D[0].viewControl.distance, 120);
  const wide = { grid3D: {} };
  fit3D(wide, { width: 800, height: 400 });
  assert.equal(wide.grid3D.viewControl, undefined);
});

test("a narrow pie leaves room for the legend at the bottom, and moves up", () => {
  const measure = (text) => 12 * String(text).length;
  const data = ["天猫旗舰店", "京东自营", "抖音直播", "拼多多"].map((name) => ({ name: name, value: 1 }));
  const option = { legend: [{ show: true }], series: [{ type: "pie", radius: ["36%", "62%"], data: data }] };
  // 4 names of 36-60 px and their symbols, 332 px, in 280 px: two rows
  assert.equal(bottomLegendHeight(option, { width: 300, height: 270 }, measure), 54);
  assert.equal(bottomLegendHeight(option, { width: 360, height: 270 }, measure), 32);
  assert.equal(bottomLegendHeight({ legend: { top: 0 }, series: option.series }, { width: 360, height: 270 }, measure), 0);
  assert.equal(bottomLegendHeight({ legend: { show: false }, series: option.series }, { width: 360, height: 270 }, measure), 0);
  fitPies(option, { width: 360, height: 160 }, measure);
  assert.deepEqual(option.series[0].center, ["50%", "40%"]);  // (160 - 32) / 2 of 160
  // the height leaves (64 - 52) px of the 49.6 px (62 % of 80 px): the smallest pie
  assert.deepEqual(option.series[0].radius, ["16%", "28%"]);
  const taller = { legend: [{}], series: [{ type: "pie", radius: ["36%", "62%"], data: data }] };
  fitPies(taller, { width: 360, height: 300 }, measure);  // room enough: 0.7 as ever
  assert.deepEqual(taller.series[0].radius, ["25%", "43%"]);
  assert.deepEqual(taller.series[0].center, ["50%", "45%"]);
});
