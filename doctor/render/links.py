"""Where each code's page and each guide section is, as every format writes a link to it.

Markdown and SARIF carry relative links (paths in llm-doctor's repository, where the docs live);
text, JUnit and `explain` print a path a person can open: the file itself when this copy of
llm-doctor carries its docs, else its path in the repository (see checks/guide.py).
"""

from __future__ import annotations

from typing import Iterable

from checks import guide


def has_page(code: str) -> bool:
    from checks.catalogue import CATALOGUE

    return code in CATALOGUE


def page(code: str) -> str | None:
    """The code's page as a path in llm-doctor's repository, for machine-read outputs; None without one."""
    return guide.code_page(code) if has_page(code) else None


def pages_text(codes: Iterable[str]) -> str:
    """The pages of these codes (each once, in order), for a line of text."""
    return ", ".join(guide.readable(guide.code_page(code)) for code in dict.fromkeys(codes) if has_page(code))


def guide_text(title: str) -> str:
    return f'"{title}", {guide.readable(guide.section_link(title))}'


def code_markdown(code: str) -> str:
    return f"[`{code}`]({guide.code_page(code)})" if has_page(code) else f"`{code}`"


def guide_markdown(title: str) -> str:
    return f"[{title}]({guide.section_link(title)})"
