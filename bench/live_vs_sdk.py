"""The full live diagnosis vs. one SDK call, against the sandbox with added latency.

    python bench/live_vs_sdk.py [--runs N] [--latency SECONDS]

Both run side by side in one process tree against the same sandbox (300 ms per request
by default): `llm-doctor check` on a healthy sample project, and the guide's worked
example as `python -c` (import openai, one chat completion). Prints the ratio of
medians (target <= 1.25, streaming check included), the requests the doctor sent (at most
3 chat completions and 100 max_tokens) and the tokens it used.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))
from common import EXAMPLE_KEY, bench_env, doctor_command, healthy_project, side_by_side, time_once  # noqa: E402

from doctor.sandbox import Sandbox  # noqa: E402

SDK_CALL = """
import os
from dotenv import load_dotenv
from openai import OpenAI
load_dotenv()
client = OpenAI(api_key=os.getenv("OPENAI_API_KEY"), timeout=30.0)
response = client.chat.completions.create(model="gpt-4o-mini", messages=[
    {"role": "system", "content": "You are a concise, helpful assistant."},
    {"role": "user", "content": "Summarise what an LLM API does in two sentences."}],
    temperature=0.3, max_tokens=200)
print(response.choices[0].message.content, response.usage.total_tokens)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--latency", type=float, default=0.3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, Sandbox("healthy", latency=args.latency) as sandbox:
        project = healthy_project(Path(tmp) / "project")
        (project / ".env").write_text(f"OPENAI_API_KEY={EXAMPLE_KEY}\nOPENAI_BASE_URL={sandbox.url}\n"
                                      "OPENAI_MODEL=gpt-4o-mini\n")
        env = bench_env()
        doctor = [*doctor_command(), "check", "--format", "json", "--project", str(project), "--python", sys.executable]
        sdk = [sys.executable, "-c", SDK_CALL]

        def sdk_once() -> float:
            import time

            start = time.perf_counter()
            subprocess.run(sdk, env=env, cwd=project, stdout=subprocess.DEVNULL, check=True)
            return time.perf_counter() - start

        medians = side_by_side(args.runs, {"llm-doctor check": lambda: time_once(doctor, env),
                                           "one SDK call": sdk_once})
        sandbox.seen.clear()
        report = json.loads(subprocess.run(doctor, env=env, capture_output=True, text=True).stdout)
        completions = sandbox.completions()
        asked = sum((s.body or {}).get("max_tokens") or (s.body or {}).get("max_completion_tokens") or 0
                    for s in completions)
    for name, seconds in medians.items():
        print(f"{name:<18} median {seconds * 1000:7.1f} ms  ({args.runs} runs, {args.latency * 1000:.0f} ms latency)")
    print(f"ratio doctor / one SDK call: {medians['llm-doctor check'] / medians['one SDK call']:.2f}  (target <= 1.25)")
    print(f"doctor requests: {len(sandbox.seen)} ({len(completions)} chat completions, {asked} max_tokens asked); "
          f"tokens used: {report['summary']['tokens_used']}; checks: "
          f"{report['summary']['pass']} pass, {report['summary']['warn']} warn, {report['summary']['fail']} fail")


if __name__ == "__main__":
    main()
