import assert from "node:assert/strict";
import { test } from "node:test";

import { partClass, partDocument, partRatio, safeImageSrc } from "../src/parts.js";

test("safeImageSrc keeps own-site paths, http(s) and data:image", () => {
  for (const src of ["/static/a.png", "img/a.png", "http://x/a.png", "HTTPS://x/a.png", "data:image/png;base64,AA"]) {
    assert.equal(safeImageSrc(src), src);
  }
});

test("safeImageSrc refuses scripts, other data, other hosts' protocol-relative paths", () => {
  for (const src of ["javascript:alert(1)", "data:text/html,<b>", "//evil/a.png", "\\\\evil\\a", "/\\evil",
    "a b.png", "a\u0000.png", "", null, 3]) {
    assert.equal(safeImageSrc(src), null, String(src));
  }
});

test("partDocument is a static document of the part's option", () => {
  const part = { option: { a: 1 }, functions: [["a"]], theme: "dark", js_functions: ["var a = 1"] };
  const doc = partDocument(part, { doc: { fit_labels: false } });
  assert.deepEqual(doc, {
    kind: "static", option: { a: 1 }, functions: [["a"]], theme: "dark", texture: undefined, fit_labels: false,
    js_functions: ["var a = 1"],
  });
  assert.deepEqual(partDocument({}, { doc: null }).option, {});
  assert.equal(partDocument({}, { doc: null }).fit_labels, true);
});

test("partClass names a part's block and kind", () => {
  assert.equal(partClass("chart"), "fpe-part fpe-part--chart");
});

test("partRatio keeps the shape of a chart part sized in pixels only", () => {
  assert.equal(partRatio("900px", "500px"), "900 / 500");
  assert.equal(partRatio("100%", "500px"), null);
  assert.equal(partRatio("900px", null), null);
  assert.equal(partRatio("0px", "500px"), null);
});
