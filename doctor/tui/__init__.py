"""The Textual front end. Imported only when `llm-doctor` runs in a terminal."""
