"""The HTTP layer: the JSON API, event streams, embedding, dashboards, static files."""
