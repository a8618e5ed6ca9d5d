"""Status marks and colours, shared by every widget (colours are theme variables)."""

from __future__ import annotations

from doctor.model import Status

MARKS = {Status.PASS: "✓", Status.WARN: "!", Status.FAIL: "✗", Status.SKIP: "–", Status.ERROR: "☠"}
STYLES = {Status.PASS: "$success", Status.WARN: "$warning", Status.FAIL: "$error", Status.SKIP: "$text-muted",
          Status.ERROR: "$error"}
WORDS = {Status.PASS: "passed", Status.WARN: "warning", Status.FAIL: "failed", Status.SKIP: "skipped",
         Status.ERROR: "crashed"}
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
WAITING = "·"
