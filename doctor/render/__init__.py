"""Renderers: pure functions from a Report (or its entries) to text. One format a module."""
