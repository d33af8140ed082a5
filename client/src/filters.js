// A filter bar: its controls set variables, its breadcrumb shows what a click
// drilled into, its notice says why a value was refused.

import { on } from "./api.js";
import { CLASSES } from "./classes.js";
import { vars } from "./state.js";
import { asArray, errorMessage } from "./util.js";
import { effective, setVariables } from "./variables.js";

/** Filter controls, the drill-down breadcrumb and notices of a filter bar. */
export function wireFilters(form) {
  const notice = form.querySelector("[data-fpe-filter-notice]");
  const crumbs = form.querySelector("[data-fpe-breadcrumb]");
  const say = (message) => { if (notice) notice.textContent = message; };
  form.addEventListener("submit", (event) => event.preventDefault());
  form.querySelectorAll("[data-fpe-variable]").forEach(function (control) {
    control.addEventListener("change", function () {
      const name = control.getAttribute("data-fpe-variable");
      try {
        say("");
        setVariables({ [name]: control.value });
      } catch (error) {
        say(errorMessage(error).replace(/^Flask-PyEcharts: /, ""));
        control.value = effective(name);
      }
    });
  });
  if (crumbs) {
    crumbs.addEventListener("click", function (event) {
      const target = event.target.closest("[data-fpe-reset]");
      if (target) setVariables({ [target.getAttribute("data-fpe-reset")]: null });
    });
  }
  const show = () => {
    form.querySelectorAll("[data-fpe-variable]").forEach(function (control) {
      const value = effective(control.getAttribute("data-fpe-variable"));
      if (value !== null && control.value !== value) control.value = value;
    });
    if (crumbs) showBreadcrumb(crumbs, form);
  };
  on("variables", (detail) => {
    say("");
    show();
    asArray(detail.changed).forEach(function (name) {  // the server's complaint is old now
      const control = form.querySelector('[data-fpe-variable="' + CSS.escape(name) + '"]');
      const filter = control && control.closest("." + CLASSES.filter);
      if (filter) filter.classList.remove(CLASSES.filterInvalid);
    });
  });
  on("notice", (detail) => say(detail.message));
  show();
}

/** `地区: 全国 › 广东 ×` for each variable a click sets, while not at its default. */
function showBreadcrumb(nav, form) {
  nav.textContent = "";
  form.querySelectorAll("." + CLASSES.filterDrill + " [data-fpe-variable]").forEach(function (control) {
    const name = control.getAttribute("data-fpe-variable");
    const declared = vars.declared.get(name);
    const value = effective(name);
    if (!declared || value === null || value === declared.default) return;
    const label = declared.label || name;
    const add = (tag, className, text, reset) => {
      const el = document.createElement(tag);
      el.className = className;
      el.textContent = text;
      if (tag === "button") el.type = "button";
      if (reset) el.setAttribute("data-fpe-reset", name);
      nav.appendChild(el);
      return el;
    };
    add("span", CLASSES.filterLabel, label + ":");
    add("button", CLASSES.crumb, declared.default, true);
    add("span", CLASSES.crumbSep, "›");
    add("span", CLASSES.crumb + " " + CLASSES.crumbCurrent, value).setAttribute("aria-current", "location");
    add("button", CLASSES.clear, "× " + label, true).setAttribute("aria-label", "Clear " + label);
  });
  nav.hidden = !nav.childNodes.length;
}
