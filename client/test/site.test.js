import assert from "node:assert/strict";
import { test } from "node:test";

import { withValues } from "../src/site.js";

const BASE = "http://127.0.0.1:5000/trend?region=x";

test("a link takes the values of the variables its report uses", () => {
  const params = new URLSearchParams("region=华东&days=30&other=1");
  assert.equal(withValues("/overview", "region", params, BASE), "/overview?region=%E5%8D%8E%E4%B8%9C");
  assert.equal(withValues("/trend", "region,days", params, BASE), "/trend?region=%E5%8D%8E%E4%B8%9C&days=30");
});

test("a value gone from the page is gone from the link; other parameters stay", () => {
  const params = new URLSearchParams("days=7");
  assert.equal(withValues("/trend?region=%E5%8D%8E%E4%B8%9C&days=30&page=2", "region,days", params, BASE),
    "/trend?days=7&page=2");
  assert.equal(withValues("/plain?x=1", "", params, BASE), "/plain?x=1");
});

test("a link to another origin stays absolute", () => {
  const params = new URLSearchParams("region=a");
  assert.equal(withValues("https://other.example/r", "region", params, BASE), "https://other.example/r?region=a");
});
