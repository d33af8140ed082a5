import assert from "node:assert/strict";
import { test } from "node:test";

import { RENEWAL_FRAME, renewAfter, renewalHost, renewsDocument } from "../src/renewal.js";

test("a page renews its charts every three hours unless told otherwise", () => {
  assert.equal(renewAfter(null), 10800);
  assert.equal(renewAfter("x"), 10800);
  assert.equal(renewAfter("-5"), 10800);
  assert.equal(renewAfter("60"), 60);
  assert.equal(renewAfter("0"), 0);  // never
});

/** A body of `attributes` and `classes`, as renewsDocument reads it. */
function body(attributes, classes) {
  return {
    hasAttribute: (name) => attributes.includes(name),
    classList: { contains: (name) => classes.includes(name) },
  };
}

test("screens and kiosk pages renew as a new document, dashboards their charts", () => {
  assert.equal(renewsDocument(body(["data-fpe-screen"], [])), true);
  assert.equal(renewsDocument(body(["data-fpe-dashboard"], ["fpe-dashboard", "fpe-kiosk"])), true);
  assert.equal(renewsDocument(body(["data-fpe-dashboard"], ["fpe-dashboard"])), false);
});

test("a renewal's frame leaves renewing to its host", () => {
  const parent = { name: "host" };
  const frame = (attribute) => ({ hasAttribute: (name) => name === attribute });
  assert.equal(renewalHost({ frameElement: frame(RENEWAL_FRAME), parent }), parent);
  assert.equal(renewalHost({ frameElement: frame("data-other"), parent }), null);  // a playlist's
  assert.equal(renewalHost({ frameElement: null, parent }), null);  // the top, or another origin
  const foreign = { get frameElement() { throw new Error("SecurityError"); }, parent };
  assert.equal(renewalHost(foreign), null);
});
