// JsCode functions revived at their declared paths, scripts loaded once,
// warnings said once.

import { absolute, asArray, errorMessage } from "./util.js";

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
        ? "JsCode needs 'unsafe-eval' in the Content-Security-Policy"
        : "Invalid JsCode at " + path.join(".") + ": " + errorMessage(error);
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
    script.onload = () => resolve();
    script.onerror = () => reject(new Error("Cannot load script " + url));
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
