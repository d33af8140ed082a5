"""The report system: layouts, dashboards and screens (a layer beside
:mod:`..web`, importing it and the layers below, never the other way)."""
