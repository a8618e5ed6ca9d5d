"""llm-doctor: finds out why calls to an OpenAI-compatible API fail, and says how to fix them."""

__version__ = "0.1.0"
