// The page's shared state. ES modules cannot reassign an imported binding:
// what several modules change lives in these objects and maps.

export const DEFAULT_INTERVAL = 2000;
export const MIN_INTERVAL = 500;

export const charts = new Map();       // element -> Chart
export const connections = new Map();  // API base URL -> Connection
export const page = { interval: null, theme: null, pausedAll: false, lastUpdate: 0, updateGap: 0 };
// The chart under a pressed pointer: it draws no update until the release.
export const press = { chart: null, held: false, timer: 0 };
// The page's variables: one state for the URL, the filters, clicks and the API.
export const vars = {
  declared: new Map(),  // name -> {name, type, label, choices, default, min, max}
  known: new Set(),     // names known to be variables (declared, or used by a chart)
  values: new Map(),    // name -> value chosen (URL, filter, click); absent: the default
  complete: false,      // whether `declared` lists every variable of the page
  fetched: new Map(),   // API base -> Promise of its /charts declarations
  base: "",             // an API base, where the choices of chained variables are asked
};
