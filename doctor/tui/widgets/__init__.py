"""The app's widgets, one concept each."""
