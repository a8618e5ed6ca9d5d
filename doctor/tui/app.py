"""The guided TUI: every check appears at once, updates live, and the selected one explains itself.

Modal screens and the fix machinery are imported when first used, to keep the first
frame fast.

The app is the mediator: one worker runs the checks and posts messages; the widgets
only display what they are given. Interactive state (results, offline mode, fixes)
lives in a `Session`, which knows nothing of Textual.
"""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList

from doctor.cli import EXIT_INTERRUPTED
from doctor.model import Check, Report, Status
from doctor.runner import Finished, Started, run
from doctor.session import Session

if TYPE_CHECKING:
    from doctor.fixes import FilePlan
    from doctor.redact import Redactor
from doctor.tui.messages import CheckFinished, CheckStarted, RunFinished
from doctor.tui.widgets.check_list import CheckList
from doctor.tui.widgets.detail import DetailPanel, describe
from doctor.tui.widgets.finish import FinishPanel
from doctor.tui.widgets.key_bar import KeyBar
from doctor.tui.widgets.message_bar import MessageBar
from doctor.tui.widgets.summary_bar import SummaryBar
from doctor.tui.widgets.title_bar import TitleBar


QUIT_GRACE_SECONDS = 3.0  # how long quitting waits for the run's programs to be stopped


class DoctorApp(App[int]):
    """Returns the same exit code as `llm-doctor check` when it quits."""

    CSS_PATH = "doctor.tcss"
    VERTICAL_BREAKPOINTS = [(0, "-short"), (24, "-tall")]
    TITLE = "llm-doctor"
    BINDINGS = [
        Binding("r", "rerun_selected", "Re-run"),
        Binding("R", "rerun_all", "All"),
        Binding("o", "toggle_offline", "Offline"),
        Binding("c", "copy_commands", "Copy"),
        Binding("l", "copy_location", "Place"),
        Binding("f", "apply_fix", "Fix"),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),  # as in any terminal program
    ]

    def __init__(self, session: Session, *, ask_before_live: bool = True, version: str = "") -> None:
        super().__init__()
        self.session = session
        self.consented = not ask_before_live
        self.running: set[str] = set()
        self.queued: set[str] = set()  # re-runs asked for during a run; they start when it ends
        self.in_progress = True  # the first run starts right after the first frame
        self.run_number = 0  # messages from an earlier, restarted run are ignored
        self.user_moved = False
        self.sub_title = f"{session.project.name} · {version}"

    # -- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield TitleBar(self.sub_title, id="title")
        with Horizontal(id="main"):
            yield CheckList(self.session.checks, id="checks")
            with Vertical(id="side"):
                yield DetailPanel(id="detail")
                yield FinishPanel(id="finish")
        yield MessageBar(id="message")
        yield SummaryBar(id="summary")
        yield KeyBar(self.BINDINGS, id="keys")

    def on_mount(self) -> None:
        check_list, finish = self.query_one(CheckList), self.query_one(FinishPanel)
        check_list.border_title = "Checks"
        self.query_one(DetailPanel).border_title = "Details"
        finish.border_title = "Sample call"
        check_list.focus()
        check_list.select(self.session.checks[0].id)
        self.set_interval(0.1, check_list.tick)
        self._refresh_progress()

    def on_ready(self) -> None:
        """The first frame is on screen: now run the checks.

        When `run_tui` turned the collector off while Textual loaded, it comes back on here, and
        what start-up made is kept for good (frozen), so later collections need not scan it.
        """
        if not gc.isenabled():
            gc.freeze()
            gc.enable()
        self._start(self.session.checks)

    # -- running ---------------------------------------------------------------------------
    def _start(self, checks: Sequence[Check]) -> bool:
        """Runs `checks`, asking once for consent when any of them would go online. True when it waits.

        During a run, a re-run of some checks waits for it to end, so no request is sent
        twice unasked; a re-run of every check replaces it (the worker is exclusive).
        """
        if not self.consented and not self.session.offline and any(c.live for c in checks):
            self._ask_consent(checks)
            return False
        if self.in_progress and self.run_number and len(checks) < len(self.session.checks):
            self.queued.update(c.id for c in checks)
            return True
        self._launch(checks)
        return False

    def _ask_consent(self, checks: Sequence[Check]) -> None:
        """The offline checks start now and run while the question waits; the live ones once it is answered."""
        from doctor.tui.screens.consent import Consent

        later = self.session.waits_on_live(checks)

        def answered(yes: bool | None) -> None:
            self.consented = True
            if not yes:
                self.session.set_offline(True)
            self._refresh_progress()
            self._start([c for c in checks if c.id in later])

        offline_part = [c for c in checks if c.id not in later]
        if offline_part:
            self._launch(offline_part)
        self.push_screen(Consent(self.session.base_url()), answered)

    def _launch(self, checks: Sequence[Check]) -> None:
        check_list = self.query_one(CheckList)
        for c in checks:
            self.session.results.pop(c.id, None)
            check_list.set_state(c.id, "waiting")
        self.in_progress = True
        self.running.clear()
        self.queued.difference_update(c.id for c in checks)
        self.run_number += 1
        self._refresh_progress()
        self.diagnose(list(checks), self.run_number)

    @work(exclusive=True, group="diagnosis", exit_on_error=False)
    async def diagnose(self, checks: list[Check], number: int) -> None:
        ctx = await asyncio.to_thread(self.session.new_context)  # reading .env and the record may take to --timeout
        rerun = {c.id for c in checks}
        earlier = {k: r for k, r in self.session.results.items() if k not in rerun}
        try:
            async for event in run(checks, ctx, offline=self.session.offline, earlier=earlier):
                if isinstance(event, Started):
                    self.post_message(CheckStarted(number, event.check))
                elif isinstance(event, Finished):
                    self.post_message(CheckFinished(number, event.check, event.result))
            self.session.remember_interpreter(ctx)
        finally:
            await ctx.aclose()
            self.post_message(RunFinished(number))

    def on_check_started(self, message: CheckStarted) -> None:
        if message.run != self.run_number:
            return
        self.running.add(message.check.id)
        self.query_one(CheckList).set_state(message.check.id, "running")
        self._refresh_detail_if(message.check.id)

    def on_check_finished(self, message: CheckFinished) -> None:
        if message.run != self.run_number:
            return
        check_id = message.check.id
        self.running.discard(check_id)
        self.session.results[check_id] = message.result
        check_list = self.query_one(CheckList)
        check_list.set_state(check_id, message.result)
        if not self.user_moved and message.result.status in (Status.FAIL, Status.ERROR):
            self._select_worst()
        self._refresh_detail_if(check_id)
        self._refresh_progress()

    def on_run_finished(self, message: RunFinished) -> None:
        if message.run != self.run_number:
            return
        self.in_progress = False
        self.running.clear()
        if not self.user_moved:
            self._select_worst()
        self._refresh_progress()
        self._refresh_detail_if(self.query_one(CheckList).selected_id)
        if self.queued:
            self._start(self.session.rerun_set(sorted(self.queued)))

    # -- display ---------------------------------------------------------------------------
    @on(OptionList.OptionHighlighted, "#checks")
    def selection_changed(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and not event.option.id.startswith("group:"):
            self._show(event.option.id)

    def on_key(self, event) -> None:  # noqa: ANN001 - textual's Key event
        """Once the user moves the selection, the app stops moving it to new failures (scrolling the details
        is not moving it)."""
        if event.key in ("up", "down", "home", "end", "pageup", "pagedown") and isinstance(self.focused, CheckList):
            self.user_moved = True

    def on_click(self) -> None:
        self.user_moved = True

    def _select_worst(self) -> None:
        """Puts the first failure (else the first warning) where the eye goes."""
        results = self.session.results
        for wanted in ((Status.FAIL, Status.ERROR), (Status.WARN,)):
            first = next((c.id for c in self.session.checks if c.id in results and results[c.id].status in wanted),
                         None)
            if first is not None:
                self.query_one(CheckList).select(first)
                return

    def _refresh_detail_if(self, check_id: str | None) -> None:
        if check_id is not None and check_id == self.query_one(CheckList).selected_id:
            self._show(check_id)

    def _show(self, check_id: str) -> None:
        result = self.session.results.get(check_id)
        plan = self.session.plan_for(check_id) if result is not None else None
        offer = None if plan is None else plan.title + (" (unsafe: it may change behaviour)"
                                                        if plan.safety == "unsafe" else "")
        self.query_one(DetailPanel).show(describe(self.session.check(check_id), result, offer, check_id in self.running))

    def _refresh_progress(self) -> None:
        """The summary's counts and the sample-call panel, which both follow the results as they come."""
        session = self.session
        mode = "offline" if session.offline else "online" if self.consented else "offline until you answer"
        self.query_one(SummaryBar).show(session.results.values(), len(session.checks), mode, self.in_progress,
                                        session.applied)
        self.query_one(FinishPanel).show(session.checks, session.results, session.offline, self.in_progress)

    def notify(self, message: str, *, title: str = "", severity: str = "information", timeout: float | None = None,
               markup: bool = True) -> None:
        """Every message, Textual's own too, goes to the message bar, which never covers a panel."""
        text = Content.from_markup(message) if markup else Content(message)
        if title:
            text = Content.assemble((title, "bold"), " " if title[-1] in "?.!:" else ": ", text)
        self.screen_stack[0].query_one(MessageBar).say(text, severity, timeout or self.NOTIFICATION_TIMEOUT)

    def say(self, message: str, *, error: bool = False) -> None:
        """A message of the doctor's own: plain text, where a path's brackets are not markup."""
        self.notify(message, severity="error" if error else "information", markup=False)

    # -- actions ---------------------------------------------------------------------------
    def _selected(self) -> str | None:
        return self.query_one(CheckList).selected_id

    def action_rerun_selected(self) -> None:
        selected = self._selected()
        if selected is not None and self._start(self.session.rerun_set([selected])):
            self.say("Queued: it runs again when the current run ends.")

    def action_rerun_all(self) -> None:
        self._start(self.session.checks)

    def action_toggle_offline(self) -> None:
        self.session.set_offline(not self.session.offline)
        self.say("Offline: live checks are skipped." if self.session.offline else "Online: live checks run.")
        self._start(self.session.checks)

    async def action_copy_commands(self) -> None:
        result = self.session.results.get(self._selected() or "")
        if result is None or result.fix is None or not result.fix.commands:
            self.say("The selected check has no commands to copy.")
            return
        commands = result.fix.commands
        await self._copy("\n".join(commands), "the command" if len(commands) == 1 else f"{len(commands)} commands")

    async def action_copy_location(self) -> None:
        finding = self.query_one(DetailPanel).selected_finding
        if finding is None or finding.location is None:
            self.say("The selected check has no finding with a file and line to copy.")
            return
        await self._copy(str(finding.location), str(finding.location))

    async def _copy(self, text: str, what: str) -> None:
        """Copies, then says so only when a program confirmed it; else shows the text to select by hand."""
        from doctor.tui import clipboard

        self.copy_to_clipboard(text)  # OSC 52, which the terminal may or may not obey
        where = await clipboard.copy(text, self.session.environ)
        if where is not None:
            self.say(f"Copied {what} to {where}.")
            return
        from doctor.tui.screens.copy_text import CopyText

        self.push_screen(CopyText(what, text))

    def action_save_screenshot(self) -> None:
        """Saves the screen as SVG in the current folder, and says exactly where.

        Textual's own screenshot command saves to a Downloads folder that may not exist, and then
        only says it failed.
        """
        try:
            path = Path(self.save_screenshot(path=str(Path.cwd()))).resolve()
        except OSError as error:
            self.say(f"Could not save the screenshot: {error}", error=True)
            return
        self.say(f"Saved a screenshot: {path}")

    def action_apply_fix(self) -> None:
        from doctor import fixes
        from doctor.tui.screens.fix_preview import FixPreview

        selected = self._selected()
        plan = self.session.plan_for(selected) if selected else None
        if plan is None:
            self.say("No fix the doctor can apply for the selected check; follow the steps shown.")
            return

        redactor = self.session.new_context().redactor

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.apply_fix(plan, redactor)
            else:
                self.say("Nothing was changed.")

        backups = self.session.shown(fixes.backup_folder(self.session.project, self.session.environ))
        # cleaned, not only redacted: a file's own escape sequences must not reach the terminal
        self.push_screen(FixPreview(plan, redactor.clean(plan.diff(), keep_newlines=True), backups), confirmed)

    @work(exclusive=True, group="fix", exit_on_error=False)
    async def apply_fix(self, plan: FilePlan, redactor: Redactor) -> None:
        """Writes the fix and runs its commands (a pip install may take a minute) off the app's own
        thread, so the app keeps drawing; then runs again what the fix touched. A command that fails
        after the edit is said as it is: the file was changed, and how to finish. What the command
        printed is cleaned by the preview's redactor, which knows every secret the preview did."""
        from doctor import fixes

        if plan.then:
            self.say(f"Applying: {plan.title} (running {plan.then[0].shown})…")
        try:
            backup = await asyncio.to_thread(fixes.apply, plan, self.session.project, self.session.environ)
        except fixes.CommandFailed as error:  # its message quotes the command's own output: redacted, as headless
            self.session.applied.append(f"{plan.title} (not finished)")
            self.say(f"Partly applied: {redactor.clean(str(error))}", error=True)
        except (fixes.StaleFix, OSError) as error:
            self.say(f"Not applied: {redactor.clean(str(error))}", error=True)
            return
        else:
            kept = f"; the old file is kept as {self.session.shown(backup)}" if backup else ""
            self.session.applied.append(plan.title)
            self.say(f"Applied: {plan.title}{kept}. Checking again.")
        self._refresh_progress()
        self._start(self.session.rerun_set(list(plan.rechecks)))

    def action_help(self) -> None:
        from doctor.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from (command for command in super().get_system_commands(screen) if command.title != "Screenshot")
        yield SystemCommand("Re-run all checks", "Run every check again", self.action_rerun_all)
        yield SystemCommand("Toggle offline mode", "Skip or run the live checks", self.action_toggle_offline)
        yield SystemCommand("Apply the fix", "Preview and apply the fix for the selected check",
                            self.action_apply_fix)
        yield SystemCommand("Copy the commands", "Copy the selected fix's commands", self.action_copy_commands)
        yield SystemCommand("Copy the finding's place", "Copy file:line of the selected finding",
                            self.action_copy_location)
        yield SystemCommand("Save a screenshot", "Save the screen as an SVG file in the current folder",
                            lambda: self.set_timer(0.1, self.action_save_screenshot))  # once the palette is gone

    async def action_quit(self) -> None:
        """Quits with the code for the results so far, once the run in progress has stopped.

        The run is cancelled and awaited first (for a few seconds at most), so the programs it
        started are killed and reaped while the event loop still runs: otherwise Python prints
        "Event loop is closed" tracebacks on the terminal the user quit to.
        """
        code = self.exit_code_now()
        stopping = [asyncio.ensure_future(worker.wait()) for worker in self.workers.cancel_group(self, "diagnosis")]
        if stopping:
            await asyncio.wait(stopping, timeout=QUIT_GRACE_SECONDS)
            for waiting in stopping:
                if waiting.done():
                    waiting.exception()  # WorkerCancelled, as expected: retrieved, so asyncio does not log it
                else:
                    waiting.cancel()
        self.exit(code)

    @property
    def unfinished(self) -> int:
        """How many checks have no result yet: said when the user quits mid-run."""
        return sum(1 for c in self.session.checks if c.id not in self.session.results)

    def exit_code_now(self) -> int:
        """`llm-doctor check`'s code for the results so far. A check that has not finished did not pass: with
        no failure or crash seen, the run was interrupted (130), which is not the 0 of a healthy project."""
        results = self.session.results
        entries = tuple((c, results[c.id]) for c in self.session.checks if c.id in results)
        code = Report("", str(self.session.project), "", entries, 0).exit_code()
        return EXIT_INTERRUPTED if code == 0 and len(entries) < len(self.session.checks) else code


