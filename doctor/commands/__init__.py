"""One module per command; `doctor.cli` imports the one it runs, and only that one."""
