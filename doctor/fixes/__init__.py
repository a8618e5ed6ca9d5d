"""The fixes the doctor may apply itself: small edits it can name precisely, made with consent.

Each fix is planned first (the file's text before and after, shown as a diff, and the commands
that follow), applied only when the user confirms, written atomically (a temporary file in the
same folder, then `os.replace`) after a backup of the old file, where `git status` never shows
it. Planning again after applying finds nothing to do: the fixes are idempotent.

- plan.py: what a plan is (FilePlan, its Command, its safety) and the reads planners share;
- registry.py: which planners exist, which codes each answers, how safe it is, and which
  fixes a report marks as applicable;
- apply.py: backup, atomic write, then the plan's commands;
- dotfiles.py, pins.py: the planners themselves.
"""

from doctor.fixes.apply import apply, backup_folder, shown_path
from doctor.fixes.pins import GUIDE_PACKAGES
from doctor.fixes.plan import SAFE, UNSAFE, Command, CommandFailed, FilePlan, StaleFix
from doctor.fixes.registry import FixInputs, plan, plans_for

__all__ = ["GUIDE_PACKAGES", "SAFE", "UNSAFE", "Command", "CommandFailed", "FilePlan", "FixInputs", "StaleFix",
           "apply", "backup_folder", "plan", "plans_for", "shown_path"]
