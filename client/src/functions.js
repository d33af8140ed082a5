// JsCode functions revived at their declared paths, scripts loaded once,
// warnings said once.

import { absolute, asArray, errorMessage } from "./util.js";
import { t } from "./messages.js";

const JS_MARK = "--x_x--0_0--";

const scriptLoads = new Map();  // absolute URL -> Promise
const warned = new Set();

export function warnOnce(message) {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn("Flask-PyEcharts: " + message);
}

/** Turn the strings at the declared JsCode paths, and nothing else, into functions. */
export function reviveFunctions(option, paths) {
  let failure = null;
  asArray(paths).forEach(function (path) {
    if (!Array.isArray(path) || !path.length) return;
    let holder = option;
    for (let i = 0; i < path.length - 1; i++) {
      if (holder === null || typeof holder !== "object") return;
      holder = holder[path[i]];
    }
    const key = path[path.length - 1];
    if (holder === null || typeof holder !== "object") return;
    if (typeof holder[key] !== "string") return;
    const source = holder[key].split(JS_MARK).join("");
    try {
      holder[key] = new Function("return (" + source + ")")();
    } catch (error) {
      failure = error instanceof EvalError
        ? t("error.jscode_csp")
        : t("error.jscode", { path: path.join("."), error: errorMessage(error) });
    }
  });
  return failure;
}

const ranSources = new Set();  // add_js_funcs sources already run on this page

/**
 * Run pyecharts' `add_js_funcs` sources, each once per page, in the page's
 * global scope, as pyecharts' own pages do before the option: a
 * `var barData = [...]` there is what the option's JsCode reads later.
 * Declared by the server with the chart, never taken from data (the same
 * trust as JsCode, and like it they need 'unsafe-eval' under a CSP).
 */
export function runJsFunctions(sources) {
  let failure = null;
  asArray(sources).forEach(function (source) {
    if (typeof source !== "string" || ranSources.has(source)) return;
    ranSources.add(source);
    try {
      (0, eval)(source);  // indirect: global scope, as a <script> of the page
    } catch (error) {
      failure = error instanceof EvalError
        ? t("error.js_funcs_csp")
        : t("error.js_funcs", { error: errorMessage(error) });
    }
  });
  return failure;
}

export function loadScript(url) {
  if (scriptLoads.has(url)) return scriptLoads.get(url);
  const present = Array.prototype.some.call(document.scripts, (s) => s.src === url);
  const promise = present ? Promise.resolve() : new Promise(function (resolve, reject) {
    const script = document.createElement("script");
    script.src = url;
    script.async = false;
    // The element stays (the script ran once); its handlers go, so that a
    // page that loads a map per province over days holds no listener each.
    const settle = (error) => {
      script.onload = script.onerror = null;
      if (error) reject(error); else resolve();
    };
    script.onload = () => settle(null);
    script.onerror = () => settle(new Error(t("error.script", { url: url })));
    document.head.appendChild(script);
  });
  scriptLoads.set(url, promise);
  promise.catch(() => scriptLoads.delete(url));
  return promise;
}

export function loadScripts(urls, base) {
  return asArray(urls).reduce(
    (chain, url) => chain.then(() => loadScript(absolute(url, base))),
    Promise.resolve()
  );
}
