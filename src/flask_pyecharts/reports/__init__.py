"""The report system, a layer beside :mod:`..web` (it imports it and the
layers below, never the other way): what a report shows beside charts and
the pages that show them (number cards, live tables, layouts, dashboards,
screens, the site, playlists)."""
