// The site's navigation bar: moving between reports keeps the variables they
// share. Each link says which variables its report uses (data-fpe-uses); when
// the page's variables change, the links take their current values from the
// page's URL (where the runtime writes them).

/** `href` with the values of `uses` from `params` (a URLSearchParams): those
 *  present are set, the others removed; other parameters are kept. */
export function withValues(href, uses, params, base) {
  const url = new URL(href, base);
  String(uses || "").split(",").filter(Boolean).forEach(function (name) {
    if (params.has(name)) url.searchParams.set(name, params.get(name));
    else url.searchParams.delete(name);
  });
  return url.origin === new URL(base).origin ? url.pathname + url.search + url.hash : url.href;
}

/** Keep the links of `nav` (and of any `[data-fpe-uses]` link) up to date. */
export function wireNav(doc) {
  const update = function () {
    const location = doc.defaultView.location;
    const params = new URL(location.href).searchParams;
    doc.querySelectorAll("a[data-fpe-uses]").forEach(function (link) {
      link.setAttribute("href", withValues(link.getAttribute("href"), link.getAttribute("data-fpe-uses"), params, location.href));
    });
  };
  doc.addEventListener("fpe:variables", update);
  doc.defaultView.addEventListener("popstate", update);
  update();
}
