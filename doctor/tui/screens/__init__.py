"""Modal screens: consent before spending tokens, the fix preview, help."""
