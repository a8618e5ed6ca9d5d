"""The final panel: the verified sample call, read the way the guide's Step 2 prints it."""

from __future__ import annotations

from typing import Mapping, Sequence

from textual.content import Content
from textual.widgets import Static

from doctor.model import Check, Result, Status
from doctor.tui.wrap import Para, Wrapped, para


def finale(checks: Sequence[Check], results: Mapping[str, Result], offline: bool, running: bool) -> Wrapped:
    """What the panel says: the sample call read back, else what to fix first, else that it is yet to come.

    A re-run takes the sample call's old result away when it runs it again, so the panel never
    shows "Your first call works" for a call that is being made again.
    """
    sample = results.get("sample-call")
    if sample is not None and sample.facts.get("reply") is not None:
        facts = sample.facts
        cost = facts.get("cost_usd")  # None where the doctor knows no prices for the model and host: no line then
        tokens = f"{facts['prompt_tokens']} prompt + {facts['completion_tokens']} completion = " \
                 f"{facts['total_tokens']} total" if "total_tokens" in facts else "unknown: the server sent no usage"
        return Wrapped([
            *_verdict(results.get("code-usage")),
            para(repr(facts["reply"]), Content.styled("Reply: ", "bold")),
            para(str(facts.get("finish_reason")), Content.styled("Why it stopped: ", "bold")),
            para(tokens, Content.styled("Tokens: ", "bold")),
            *([para(f"≈ ${cost:.6f} at list prices", Content.styled("Estimated cost: ", "bold"))]
              if isinstance(cost, float) else []),
        ])
    if offline:
        return _said("Offline. ", "bold", "The sample call needs the network: press o to go online.")
    first = next(((c, results[c.id]) for c in checks if c.id in results
                  and results[c.id].status in (Status.FAIL, Status.ERROR)), None)
    if first is not None:
        check, result = first
        return _said("Fix this first: ", "bold $error", f"{result.titled(check)}: {result.message}")
    if running:
        return _said("Checking… ", "bold", "the sample call runs last, once the key and the model are confirmed.")
    if sample is not None and sample.status is Status.SKIP:
        return _said("", "", f"The sample call was skipped: {sample.message}")
    return _said("", "", "The sample call runs last, once the key and the model are confirmed.")


def _verdict(code: Result | None) -> list[Para]:
    """"Your first call works", unless the user's own code is known to fail where the guide's sample
    works: then both are said, with the first mistake and its place, so a green panel never
    promises that `python ask.py` will work."""
    broken = [f for f in (code.problems if code is not None else ()) if f.status is Status.FAIL]
    if not broken:
        return [para(Content.styled("Your first call works", "bold $success"))]
    first = broken[0]
    where = f"{first.location}: " if first.location is not None else ""
    more = f" (and {len(broken) - 1} more in Code follows the guide)" if len(broken) > 1 else ""
    return [para(Content.styled("The guide's sample call works; your own code would not", "bold $warning")),
            para(f"{where}{first.message}{more}", Content.styled("Because: ", "bold"))]


def _said(label: str, style: str, text: str) -> Wrapped:
    return Wrapped([para(Content.assemble((label, style), text))])


class FinishPanel(Static):
    def show(self, checks: Sequence[Check], results: Mapping[str, Result], offline: bool, running: bool) -> None:
        self.update(finale(checks, results, offline, running))
