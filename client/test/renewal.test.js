import assert from "node:assert/strict";
import { test } from "node:test";

import { renewAfter } from "../src/renewal.js";

test("a page renews its charts every three hours unless told otherwise", () => {
  assert.equal(renewAfter(null), 10800);
  assert.equal(renewAfter("x"), 10800);
  assert.equal(renewAfter("-5"), 10800);
  assert.equal(renewAfter("60"), 60);
  assert.equal(renewAfter("0"), 0);  // never
});
