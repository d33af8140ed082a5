// A filter bar: its controls set variables, its breadcrumb shows what a click
// drilled into, its notice says why a value was refused.

import { on } from "./api.js";
import { CLASSES } from "./classes.js";
import { t } from "./messages.js";
import { vars } from "./state.js";
import { asArray, errorMessage } from "./util.js";
import { descendants, effective, setVariables } from "./variables.js";

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
  on("declarations", (detail) => {  // a parent changed: its children's choices did too
    asArray(detail.changed).forEach(function (name) {
      const control = form.querySelector('select[data-fpe-variable="' + CSS.escape(name) + '"]');
      const declared = vars.declared.get(name);
      if (control && declared && Array.isArray(declared.choices)) fillChoices(control, declared.choices);
    });
    show();
  });
  show();
}

/** Replace a select's options (text only). */
function fillChoices(select, choices) {
  select.textContent = "";
  choices.forEach(function (choice) {
    const option = document.createElement("option");
    option.value = choice;
    option.textContent = choice;
    select.appendChild(option);
  });
}

/**
 * `地区: 全国 › 广东 ×` for each variable a click sets, while not at its
 * default; a chain of them (a region, then its city) as one path,
 * `地区: 全国 › 广东 › 广州市 ×`, each step back a button.
 */
function showBreadcrumb(nav, form) {
  nav.textContent = "";
  const drills = [];
  form.querySelectorAll("." + CLASSES.filterDrill + " [data-fpe-variable]").forEach(function (control) {
    drills.push(control.getAttribute("data-fpe-variable"));
  });
  const atDefault = (name) => {
    const declared = vars.declared.get(name);
    const value = effective(name);
    return !declared || value === null || value === declared.default;
  };
  drills.forEach(function (name) {
    const declared = vars.declared.get(name);
    if (atDefault(name) || drills.indexOf(declared.parent) >= 0) return;  // shown in its parent's path
    const path = [name].concat(descendants(vars.declared, name).filter((child) => drills.indexOf(child) >= 0 && !atDefault(child)));
    const label = declared.label || name;
    const add = (tag, className, text, reset) => {
      const el = document.createElement(tag);
      el.className = className;
      el.textContent = text;
      if (tag === "button") el.type = "button";
      if (reset) el.setAttribute("data-fpe-reset", reset);
      nav.appendChild(el);
      return el;
    };
    add("span", CLASSES.filterLabel, t("crumb.label", { label: label }));
    add("button", CLASSES.crumb, declared.default, name);
    path.forEach(function (step, index) {
      add("span", CLASSES.crumbSep, "›");
      const last = index === path.length - 1;
      if (last) add("span", CLASSES.crumb + " " + CLASSES.crumbCurrent, effective(step)).setAttribute("aria-current", "location");
      else add("button", CLASSES.crumb, effective(step), path[index + 1]);
    });
    add("button", CLASSES.clear, "× " + label, name).setAttribute("aria-label", t("crumb.clear", { label: label }));
  });
  nav.hidden = !nav.childNodes.length;
}
