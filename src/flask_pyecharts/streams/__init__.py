"""Streams of points: cursors, validation, stores, the hub and producers."""
