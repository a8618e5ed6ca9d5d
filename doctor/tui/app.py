"""The guided TUI: every check appears at once, updates live, and the selected one explains itself.

Modal screens and the fix machinery are imported when first used, to keep the first
frame fast.

The app is the mediator: one worker runs the checks and posts messages; the widgets
only display what they are given. Interactive state (results, offline mode, fixes)
lives in a `Session`, which knows nothing of Textual.
"""

from __future__ import annotations

import gc
from typing import Iterable, Sequence

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import OptionList

from doctor.model import Check, Report, Status
from doctor.runner import Finished, Started, run
from doctor.session import Session
from doctor.tui.messages import CheckFinished, CheckStarted, RunFinished
from doctor.tui.widgets.check_list import CheckList
from doctor.tui.widgets.detail import DetailPanel, describe
from doctor.tui.widgets.finish import FinishPanel
from doctor.tui.widgets.key_bar import KeyBar
from doctor.tui.widgets.summary_bar import SummaryBar
from doctor.tui.widgets.title_bar import TitleBar


class DoctorApp(App[int]):
    """Returns the same exit code as `llm-doctor check` when it quits."""

    CSS_PATH = "doctor.tcss"
    TITLE = "llm-doctor"
    BINDINGS = [
        Binding("r", "rerun_selected", "Re-run"),
        Binding("R", "rerun_all", "All"),
        Binding("o", "toggle_offline", "Offline"),
        Binding("c", "copy_commands", "Copy"),
        Binding("f", "apply_fix", "Fix"),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
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
        self._refresh_summary()
        finish.show(self.session.checks, self.session.results, self.session.offline)

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
    def _start(self, checks: Sequence[Check]) -> None:
        """Runs `checks`, asking once for consent when any of them would go online.

        During a run, a re-run of some checks waits for it to end, so no request is sent
        twice unasked; a re-run of every check replaces it (the worker is exclusive).
        """
        if self.in_progress and len(checks) < len(self.session.checks):
            self.queued.update(c.id for c in checks)
            self.notify("Queued: it runs again when the current run ends.")
            return
        needs_network = not self.session.offline and any(c.live for c in checks)
        if needs_network and not self.consented:
            def answered(yes: bool | None) -> None:
                self.consented = True
                if not yes:
                    self.session.set_offline(True)
                self._start(checks)

            from doctor.tui.screens.consent import Consent

            self.push_screen(Consent(self.session.new_context().base_url.value.strip()), answered)
            return
        check_list = self.query_one(CheckList)
        for c in checks:
            self.session.results.pop(c.id, None)
            check_list.set_state(c.id, "waiting")
        self.in_progress = True
        self.running.clear()
        self.queued.difference_update(c.id for c in checks)
        self.run_number += 1
        self._refresh_summary()
        self.diagnose(list(checks), self.run_number)

    @work(exclusive=True, group="diagnosis", exit_on_error=False)
    async def diagnose(self, checks: list[Check], number: int) -> None:
        ctx = self.session.new_context()
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
        self._refresh_summary()

    def on_run_finished(self, message: RunFinished) -> None:
        if message.run != self.run_number:
            return
        self.in_progress = False
        self.running.clear()
        if not self.user_moved:
            self._select_worst()
        self._refresh_summary()
        self.query_one(FinishPanel).show(self.session.checks, self.session.results, self.session.offline)
        self._refresh_detail_if(self.query_one(CheckList).selected_id)
        if self.queued:
            self._start(self.session.rerun_set(sorted(self.queued)))

    # -- display ---------------------------------------------------------------------------
    @on(OptionList.OptionHighlighted, "#checks")
    def selection_changed(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and not event.option.id.startswith("group:"):
            self._show(event.option.id)

    def on_key(self, event) -> None:  # noqa: ANN001 - textual's Key event
        """Once the user moves the selection, the app stops moving it to new failures."""
        if event.key in ("up", "down", "home", "end", "pageup", "pagedown"):
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
        content = describe(self.session.check(check_id), result, plan.title if plan else None,
                           check_id in self.running)
        self.query_one(DetailPanel).show(content)

    def _refresh_summary(self) -> None:
        self.query_one(SummaryBar).show(self.session.results.values(), len(self.session.checks),
                                        self.session.offline, self.in_progress)

    # -- actions ---------------------------------------------------------------------------
    def _selected(self) -> str | None:
        return self.query_one(CheckList).selected_id

    def action_rerun_selected(self) -> None:
        selected = self._selected()
        if selected is None:
            return
        self._start(self.session.rerun_set([selected]))

    def action_rerun_all(self) -> None:
        self._start(self.session.checks)

    def action_toggle_offline(self) -> None:
        self.session.set_offline(not self.session.offline)
        self.notify("Offline: live checks are skipped." if self.session.offline else "Online: live checks run.")
        self._start(self.session.checks)

    def action_copy_commands(self) -> None:
        selected = self._selected()
        result = self.session.results.get(selected or "")
        if result is None or result.fix is None or not result.fix.commands:
            self.notify("The selected check has no commands to copy.")
            return
        self.copy_to_clipboard("\n".join(result.fix.commands))
        self.notify(f"Copied {len(result.fix.commands)} command(s) to the clipboard.")

    def action_apply_fix(self) -> None:
        from doctor import fixes
        from doctor.tui.screens.fix_preview import FixPreview

        selected = self._selected()
        plan = self.session.plan_for(selected) if selected else None
        if plan is None:
            self.notify("No safe fix for the selected check; follow the steps shown.")
            return

        def confirmed(yes: bool | None) -> None:
            if not yes:
                self.notify("Nothing was changed.")
                return
            try:
                backup = fixes.apply(plan, self.session.project, self.session.environ)
            except (fixes.StaleFix, OSError) as error:
                self.notify(f"Not applied: {error}", severity="error")
                return
            kept = f"; the old file is kept as {self.session.shown(backup)}" if backup else ""
            self.notify(f"Wrote {plan.path.name}{kept}. Checking again.")
            self._start(self.session.rerun_set(list(plan.rechecks)))

        redact = self.session.new_context().redactor.redact
        backups = self.session.shown(fixes.backup_folder(self.session.project, self.session.environ))
        self.push_screen(FixPreview(plan, redact(plan.diff()), backups), confirmed)

    def action_help(self) -> None:
        from doctor.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Re-run all checks", "Run every check again", self.action_rerun_all)
        yield SystemCommand("Toggle offline mode", "Skip or run the live checks", self.action_toggle_offline)
        yield SystemCommand("Apply the safe fix", "Preview and apply the fix for the selected check",
                            self.action_apply_fix)

    def action_quit(self) -> None:
        self.exit(self.exit_code_now())

    def exit_code_now(self) -> int:
        entries = tuple((c, self.session.results[c.id]) for c in self.session.checks if c.id in self.session.results)
        return Report("", str(self.session.project), "", entries, 0).exit_code()


