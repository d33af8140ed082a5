import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";

import { vars } from "../src/state.js";
import {
  clickTarget, declare, descendants, effective, keyOf, learn, refusal, withoutParameters,
} from "../src/variables.js";

// The variables read the page's URL: a stand-in with one parameter.
globalThis.window = { location: { search: "?region=%E5%8D%8E%E4%B8%9C&other=1" } };

beforeEach(() => {
  vars.declared.clear();
  vars.known.clear();
  vars.values.clear();
  vars.complete = false;
});

test("keyOf sorts, encodes and keeps only the names with a value", () => {
  const values = new Map([["b", "2"], ["a", "x y"], ["c", "3"]]);
  assert.equal(keyOf(values, ["c", "a", "b", "a", "d"]), "a=x%20y&b=2&c=3");
  assert.equal(keyOf(values, ["d"]), "");
});

test("learn takes a variable's value from the URL, once", () => {
  learn(["region", "days"]);
  assert.equal(vars.values.get("region"), "华东");
  assert.equal(vars.values.has("days"), false);
  assert.equal(vars.values.has("other"), false);
  assert.deepEqual(Array.from(vars.known).sort(), ["days", "region"]);
});

test("effective is the chosen value, else the declared default", () => {
  declare([{ name: "days", type: "int", default: "7" }], true);
  assert.equal(effective("days"), "7");
  vars.values.set("days", "30");
  assert.equal(effective("days"), "30");
  assert.equal(effective("unknown"), null);
});

test("refusal checks choices and lists at most ten", () => {
  const choices = Array.from({ length: 12 }, (_, i) => "c" + i);
  declare([{ name: "city", label: "City", choices: choices }], true);
  assert.equal(refusal("city", "c3"), "");
  const message = refusal("city", "x");
  assert.match(message, /^"x" is not an allowed City \(c0, c1/);
  assert.match(message, /c9, …\)$/);
});

test("refusal checks the type's pattern", () => {
  declare([{ name: "n", type: "int" }, { name: "f", type: "float" }, { name: "d", type: "date" }], true);
  assert.equal(refusal("n", "-12"), "");
  assert.equal(refusal("n", "1.5"), '"1.5" is not a valid n');
  assert.equal(refusal("f", "1.5"), "");
  assert.equal(refusal("f", "1e5"), '"1e5" is not a valid f');
  assert.equal(refusal("d", "2026-10-05"), "");
  assert.equal(refusal("d", "5/10/2026"), '"5/10/2026" is not a valid d');
});

test("refusal checks bounds, dates as text", () => {
  declare([
    { name: "days", type: "int", min: 1, max: 90, label: "Days" },
    { name: "from", type: "date", min: "2026-01-01" },
  ], true);
  assert.equal(refusal("days", "0"), "Days must be at least 1");
  assert.equal(refusal("days", "91"), "Days must be at most 90");
  assert.equal(refusal("days", "45"), "");
  assert.equal(refusal("from", "2025-12-31"), "from must be at least 2026-01-01");
});

test("refusal refuses long text and unknown names once the list is complete", () => {
  declare([{ name: "q", type: "str" }], false);
  assert.equal(refusal("q", "x".repeat(201)), "q is too long");
  assert.equal(refusal("nope", "1"), "");
  vars.complete = true;
  assert.equal(refusal("nope", "1"), 'Unknown variable "nope"');
});

test("descendants follow a chain of parents, in depth order", () => {
  const declared = new Map([
    ["region", { name: "region" }],
    ["city", { name: "city", parent: "region" }],
    ["district", { name: "district", parent: "city" }],
    ["days", { name: "days" }],
  ]);
  assert.deepEqual(descendants(declared, "region"), ["city", "district"]);
  assert.deepEqual(descendants(declared, "city"), ["district"]);
  assert.deepEqual(descendants(declared, "days"), []);
});

test("a click goes to the first variable that allows its value, or toggles the one holding it", () => {
  const allowed = { region: ["全国", "广东"], city: ["全部", "广州市"] };
  const refuse = (name, value) => (allowed[name].includes(value) ? "" : `${value} is not a ${name}`);
  const current = (values) => (name) => values[name];
  const at = current({ region: "广东", city: "全部" });
  assert.deepEqual(clickTarget(["region", "city"], "广州市", at, refuse), { name: "city", value: "广州市" });
  assert.deepEqual(clickTarget(["region", "city"], "广东", at, refuse), { name: "region", value: null });
  assert.deepEqual(clickTarget(["region", "city"], "杭州市", at, refuse), { problem: "杭州市 is not a region" });
  const drilled = current({ region: "广东", city: "广州市" });
  assert.deepEqual(clickTarget(["region", "city"], "广州市", drilled, refuse), { name: "city", value: null });
});

test("withoutParameters drops the names given and keeps the page's own", () => {
  const page = "https://example.com/sales/?regoin=%E5%8D%8E%E4%B8%9C&utm_source=mail#top";
  assert.equal(withoutParameters(page, ["regoin"]), "https://example.com/sales/?utm_source=mail#top");
  assert.equal(withoutParameters(page, ["regoin", "utm_source"]), "https://example.com/sales/#top");
  assert.equal(withoutParameters("https://example.com/?a=1&day=7&a=2", ["day", 3]), "https://example.com/?a=1&a=2");
  assert.equal(withoutParameters(page, "regoin"), withoutParameters(page, ["regoin"]));
});
