import assert from "node:assert/strict";
import { test } from "node:test";

import { reviveFunctions, runJsFunctions } from "../src/functions.js";

const MARK = "--x_x--0_0--";

test("reviveFunctions turns the declared path, and only it, into a function", () => {
  const source = MARK + "function (v) { return v + '!'; }" + MARK;
  const option = { tooltip: { formatter: source }, title: { text: source } };
  assert.equal(reviveFunctions(option, [["tooltip", "formatter"]]), null);
  assert.equal(typeof option.tooltip.formatter, "function");
  assert.equal(option.tooltip.formatter("a"), "a!");
  assert.equal(option.title.text, source);
});

test("reviveFunctions walks list indexes", () => {
  const option = { series: [{}, { label: { formatter: "function () { return 2; }" } }] };
  reviveFunctions(option, [["series", 1, "label", "formatter"]]);
  assert.equal(option.series[1].label.formatter(), 2);
});

test("reviveFunctions skips paths that lead nowhere or to a non-string", () => {
  const option = { a: { b: 1 }, c: null };
  assert.equal(reviveFunctions(option, [["a", "b"], ["c", "d"], ["x", "y", "z"], [], "a", null]), null);
  assert.deepEqual(option, { a: { b: 1 }, c: null });
});

test("reviveFunctions says which path holds invalid code", () => {
  const option = { a: { f: "function ( {" } };
  const failure = reviveFunctions(option, [["a", "f"]]);
  assert.match(failure, /^Invalid JsCode at a\.f: /);
  assert.equal(option.a.f, "function ( {");
});

test("reviveFunctions with no paths changes nothing", () => {
  const option = { a: "function () {}" };
  assert.equal(reviveFunctions(option, undefined), null);
  assert.equal(option.a, "function () {}");
});

test("runJsFunctions defines globals the option's JsCode reads, each source once", () => {
  const source = "var fpeTestBarData = [[1, 2], [3, 2]]; globalThis.fpeTestRuns = (globalThis.fpeTestRuns || 0) + 1;";
  assert.equal(runJsFunctions([source]), null);
  assert.equal(runJsFunctions([source]), null);
  assert.equal(globalThis.fpeTestRuns, 1);
  const option = { color: "function (p) { return fpeTestBarData[p.dataIndex][1] > fpeTestBarData[p.dataIndex][0] ? 'up' : 'down'; }" };
  reviveFunctions(option, [["color"]]);
  assert.equal(option.color({ dataIndex: 0 }), "up");
  assert.equal(option.color({ dataIndex: 1 }), "down");
  assert.match(runJsFunctions(["throw new Error('boom')"]), /add_js_funcs failed: boom/);
});
