"""Every diagnosis code, explained on its own: a title, the likely root cause, the fix and
the guide section. `llm-doctor explain` reads this; a test keeps it complete.

A check's own Fix is written for the situation it saw (with line numbers and versions);
these entries are the general explanation a support engineer pastes into a reply.
"""

from __future__ import annotations


from checks import guide
from doctor.model import Fix
from doctor.namedtuples import named_tuple


@named_tuple
class Diagnosis:
    code: str
    title: str
    cause: str
    fix: Fix


def _d(code: str, title: str, cause: str, summary: str, *steps: str, section: str = guide.TROUBLESHOOTING,
       commands: tuple[str, ...] = ()) -> Diagnosis:
    return Diagnosis(code, title, cause, Fix(summary, steps=steps, commands=commands, guide=section))


_ENTRIES = (
    # Environment
    _d("python-too-old", "Python is older than 3.10", "Current openai releases need Python 3.10+; on older Pythons "
       "pip quietly installs an old SDK.", "Install a current Python and rebuild the project's environment with it.",
       "Check with `python --version`.", section=guide.SETUP, commands=("python3.12 -m venv --clear .venv",)),
    _d("python-eol-soon", "Python is at or near end of life", "Security fixes for this Python stop soon or stopped.",
       "Plan the move to a newer Python and rebuild the environment.", section=guide.SETUP),
    _d("python-below-requires", "The Python does not satisfy the project's requires-python", "pyproject.toml (or "
       "the Pipfile) allows other Python versions: the project's tool refuses to install, or picks another Python.",
       "Rebuild the environment on a Python the project allows (uv python install, poetry env use, pipenv --python, "
       "pdm use), or change requires-python.", section=guide.SETUP),
    _d("requires-python-invalid", "requires-python does not parse", "It is not a PEP 440 version range, so tools "
       "read it differently or reject it.", "Write it as a range such as >=3.10.", section=guide.SETUP),
    _d("interpreter-broken", "The project's Python cannot run", "The venv points at a Python that was removed or "
       "upgraded, or --python names something that is not Python.", "Build the environment again with the "
       "project's tool, or point --python at a working interpreter.", section=guide.SETUP,
       commands=("python -m venv --clear .venv",)),
    _d("venv-not-active", "The project's virtual environment is not active", "The shell's `python` is another "
       "interpreter, so packages install and import elsewhere.", "Activate the venv in every new terminal (or run "
       "through the project's tool: uv run, poetry run).", section=guide.SETUP,
       commands=(". .venv/bin/activate",)),
    _d("venv-missing", "No virtual environment", "Packages go into the system Python, where versions clash.",
       "Create an environment for the project with its tool (or `python -m venv .venv` for pip), install there.",
       section=guide.SETUP, commands=("python -m venv .venv", ". .venv/bin/activate")),
    _d("project-env-not-found", "The project's tool has no environment yet", "uv, poetry, pipenv, pdm or hatch "
       "manages the project, but its environment does not exist, or lives where the doctor cannot see it.",
       "Create it with the tool (uv sync, poetry install, pipenv sync, pdm install), or point the doctor at it "
       "with --python, or run it inside: poetry run llm-doctor.", section=guide.SETUP),
    _d("requirements-missing", "No record of package versions", "No lock file, requirements.txt or pyproject.toml "
       "dependencies: nothing records which versions the code was tested with.", "Record them with the project's "
       "tool: a lock (uv lock, poetry lock, pipenv lock, pdm lock), or `python -m pip freeze > requirements.txt`.",
       section=guide.SETUP),
    _d("requirements-invalid", "The requirements hold lines pip rejects", "A merge conflict, a typo, a binary file, "
       "a missing -r include; `pip install -r` stops at the first bad line.", "Fix or remove the bad lines.",
       section=guide.SETUP),
    _d("pyproject-invalid", "pyproject.toml cannot be read", "It is not valid TOML, or `tool` is not a table: pip, "
       "uv, poetry and pdm all fail on it.", "Correct the file; `python -c \"import tomllib; tomllib.load(open("
       "'pyproject.toml', 'rb'))\"` names the line.", section=guide.SETUP),
    _d("lock-unreadable", "The lock file cannot be read", "A merge conflict, a hand edit, or a format newer than the "
       "doctor knows.", "Write it again with the project's tool (uv lock, poetry lock, pipenv lock, pdm lock).",
       section=guide.SETUP),
    _d("package-unpinned", "A package is not pinned", "An unpinned package changes under you on the next "
       "install.", "Pin exact versions, or keep a lock file.", section=guide.SETUP),
    _d("package-version-mismatch", "Installed versions differ from the pins", "Someone upgraded in the venv "
       "without updating the record, or the venv was built from another file.", "Install what the record says "
       "(python -m pip install -r requirements.txt), or pin what is installed.", section=guide.SETUP),
    _d("lock-out-of-sync", "The environment has drifted from the lock file", "Packages were installed or upgraded "
       "by hand, or the lock changed (a git pull) and nobody synced.", "Sync with the project's tool: uv sync, "
       "poetry sync, pipenv sync, pdm sync.", section=guide.SETUP),
    _d("lock-stale", "The lock file is older than the project's declarations", "pyproject.toml (or the Pipfile) "
       "changed after the lock was made: `poetry install` refuses it; other tools install what the project no "
       "longer asks for.", "Lock again with the project's tool (uv lock, poetry lock, pipenv lock, pdm lock), "
       "then sync.", section=guide.SETUP),
    _d("pins-incompatible", "The record pins a set that cannot work", "openai below 1.55.3 with httpx 0.28 or later "
       "(`unexpected keyword argument 'proxies'`), or openai 3 locked without httpx2: a fresh install from the record "
       "installs, then breaks as soon as a client is made.",
       "Change the smallest thing: openai>=1.55.3,<2, or httpx<0.28.", section=guide.SETUP),
    _d("package-missing", "A package the guide needs is not installed", "The project's Python lacks openai, "
       "python-dotenv or the SDK's HTTP library: `ModuleNotFoundError`, often because another Python runs the code.",
       "Install it with the project's tool (uv add, poetry add, pipenv install, pdm add) or the project's own "
       "`python -m pip`.", section=guide.SETUP,
       commands=('python -m pip install "openai>=1.55.3,<2" "python-dotenv>=1.0"',)),
    _d("package-broken", "An installed package cannot be imported", "Its files were deleted, or a package it needs "
       "(pydantic-core for pydantic, say) is gone: `ModuleNotFoundError` although it is installed.",
       "Reinstall it with the project's tool (uv sync --reinstall-package NAME, or python -m pip install "
       "--force-reinstall NAME).", section=guide.SETUP),
    _d("module-shadowed", "A project file hides a package", "A file such as openai.py, dotenv.py or json.py beside "
       "your script is imported instead of the real module: `cannot import name 'OpenAI' from partially initialized "
       "module 'openai'`.", "Rename your file and delete its __pycache__ copy.", section=guide.TROUBLESHOOTING),
    _d("package-below-floor", "A package is older than the guide needs", "Old releases lack what the guide's code "
       "uses.", "Upgrade it with the project's tool.", section=guide.SETUP),
    _d("openai-pre-v1", "The openai SDK is the old 0.x line", "openai<1.0 has `openai.ChatCompletion`; the guide's "
       "client code needs 1.0+.", "Upgrade the SDK and port the code to `client.chat.completions.create`.",
       section=guide.FIRST_REQUEST, commands=('python -m pip install "openai>=1.55.3,<2"',)),
    _d("code-pre-v1", "Code written for openai 0.28 runs on openai 1.x or later", "`openai.ChatCompletion.create` "
       "and `openai.error` were removed in 1.0 (APIRemovedInV1).", "Create a client and call "
       "`client.chat.completions.create(...)`; catch `openai.RateLimitError` and friends.",
       "client = OpenAI(); response = client.chat.completions.create(model=..., messages=...)",
       section=guide.FIRST_REQUEST),
    _d("sdk-dict-access", "The response is an object, not a dict", "Since openai 1.0 responses are typed objects: "
       "`response['choices']` fails with 'object is not subscriptable'.",
       "Use attributes: `response.choices[0].message.content`.", section=guide.USAGE),
    _d("sdk-httpx-incompatible", "openai is too old for the installed httpx", "openai<1.55.3 passes `proxies=`, "
       "which httpx 0.28 removed: `unexpected keyword argument 'proxies'`.", "Upgrade openai to 1.55.3 or newer "
       "(or keep httpx below 0.28).", section=guide.SETUP, commands=('python -m pip install -U "openai>=1.55.3,<2"',)),
    # Secrets
    _d("dotenv-missing", "No .env file", "The key has nowhere to come from, so the SDK finds no OPENAI_API_KEY.",
       "Create .env with OPENAI_API_KEY=<your key> next to your code.", section=guide.SETUP),
    _d("dotenv-unreadable", ".env cannot be read", "It is binary, a folder, too large, or not UTF-8 (PowerShell's `>` "
       "writes UTF-16).", "Recreate .env as plain UTF-8 text.", section=guide.SETUP),
    _d("dotenv-parse-error", "python-dotenv skips a line of .env", "A line without `=` or with an unclosed quote is "
       "dropped with only a warning.", "Write each line as NAME=value.", section=guide.SETUP),
    _d("dotenv-duplicate-key", "OPENAI_API_KEY appears twice in .env", "The last line wins, which is rarely the one "
       "you just edited.", "Keep one OPENAI_API_KEY line.", section=guide.SETUP),
    _d("dotenv-bom", ".env starts with a byte order mark", "python-dotenv up to 1.2.2 reads the BOM into the first "
       "variable's name, so OPENAI_API_KEY seems missing.", "Save .env as UTF-8 without BOM, or upgrade "
       "python-dotenv.", section=guide.SETUP),
    _d("key-missing", "OPENAI_API_KEY is not set", "`.env` was not loaded (load_dotenv() runs too late, or finds "
       "another folder), the variable is misspelled, or it is empty: 'Missing credentials' / 'The api_key client "
       "option must be set'.", "Put the key in .env and call load_dotenv() before creating the client.",
       "Run the script from the project folder, or use load_dotenv(find_dotenv(usecwd=True)).",
       "Restart a notebook kernel after editing .env."),
    _d("key-shadowed", "An old key in the shell overrides .env", "load_dotenv() never replaces a variable that is "
       "already set, so a stale `export OPENAI_API_KEY` wins.", "Unset it in the shell and your profile, or use "
       "load_dotenv(override=True).", commands=("unset OPENAI_API_KEY",)),
    _d("dotenv-not-ignored", ".env is not in .gitignore", "The next `git add .` commits the key.",
       "Add .env to .gitignore before the next commit.", section=guide.SETUP, commands=(guide.ignore_command(".env"),)),
    _d("dotenv-tracked", "git tracks .env", "The key goes out with the next push.", "Untrack it and ignore it.",
       section=guide.SETUP, commands=("git rm --cached .env", guide.ignore_command(".env"))),
    _d("dotenv-in-history", ".env was committed", "Anyone with the repository has the key, even after deleting the "
       "file.", "Revoke the key and create a new one; then untrack .env.", section=guide.SETUP),
    _d("not-a-git-repo", "The project is not a git repository", "Nothing protects .env from a future commit yet.",
       "Add .env to .gitignore before the first commit.", section=guide.SETUP),
    _d("git-check-failed", "git could not answer", "A broken repository or an ownership warning stopped git.",
       "Run `git status` in the project and follow what git says.", section=guide.SETUP),
    _d("key-placeholder", "The key is a placeholder", "The example value was never replaced with a real key.",
       "Paste the real key from your provider's dashboard into .env.", section=guide.SETUP),
    _d("key-whitespace", "The key has spaces or a newline", "The Authorization header becomes invalid; httpx reports "
       "'Illegal header value' and the SDK a misleading 'Connection error.'.", "Remove the whitespace; no quotes "
       "with spaces inside."),
    _d("key-non-ascii", "The key contains non-ASCII characters", "Curly quotes or look-alike letters from a word "
       "processor: `'ascii' codec can't encode character`.", "Paste the key again from the dashboard as plain text."),
    _d("key-bad-prefix", "The value is not shaped like a key", "It starts with 'Bearer ', includes quotes, is an "
       "admin key, or is cut short.", "Store only the bare key."),
    _d("key-wrong-provider", "A key from another provider", "A Groq, Anthropic or OpenRouter key sent to "
       "api.openai.com (or the reverse) gets 401.", "Set OPENAI_BASE_URL to the key's provider, or use a key for the "
       "URL you call."),
    _d("base-url-invalid", "The base URL is wrong", "Empty, missing /v1, or a full endpoint pasted as the base: "
       "404 'Invalid URL' or 'missing an http:// or https:// protocol'.", "Use the provider's base URL ending in its "
       "API version, e.g. https://api.openai.com/v1, or unset OPENAI_BASE_URL."),
    _d("base-url-insecure", "The key would travel over plain http", "Anyone on the network path can read it.",
       "Use https:// for any server that is not on this machine.", section=guide.RAW_HTTP),
    _d("base-url-from-project", "The key and the base URL come from different places", "The key is set in the "
       "shell (a CI secret), the base URL in the project's .env: a change to .env decides where the secret goes.",
       "Set OPENAI_BASE_URL next to the key, not in .env; run with --untrusted on projects you did not write.",
       section=guide.SETUP),
    _d("azure-api-version-missing", "An Azure deployment URL with the plain OpenAI client", "The plain client sends "
       "no api-version, which Azure requires: 404 Resource not found.", "Use AzureOpenAI(azure_endpoint=..., "
       "api_version=...) and the deployment name as the model, or set AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY "
       "and OPENAI_API_VERSION.", section=guide.FIRST_REQUEST),
    _d("env-legacy-name", "A variable from openai 0.28 is set", "OPENAI_API_BASE and OPENAI_ORGANIZATION are ignored "
       "by openai 1.0+.", "Rename them to OPENAI_BASE_URL and OPENAI_ORG_ID.", section=guide.SETUP),
    # Connection
    _d("network-unreachable", "The API cannot be reached", "No network, a DNS failure, a refused connection or a "
       "firewall: APIConnectionError 'Connection error.'.", "Check the connection and the base URL; try it in a "
       "browser or with curl.", section=guide.RAW_HTTP),
    _d("tls-error", "The TLS certificate could not be verified", "A company proxy inspects HTTPS with its own "
       "certificate: CERTIFICATE_VERIFY_FAILED.", "Point SSL_CERT_FILE at the company's CA bundle (httpx ignores "
       "REQUESTS_CA_BUNDLE): export SSL_CERT_FILE= followed by the path of its .pem file.", section=guide.RAW_HTTP),
    _d("proxy-error", "The proxy failed", "HTTP(S)_PROXY points at a proxy that is down, needs a login, or is "
       "misspelled.", "Correct or unset the proxy variables.", section=guide.RAW_HTTP),
    _d("unexpected-response", "Something else answered instead of the API", "A captive portal, a proxy login page, "
       "a redirect or a broken server.", "Log in to the network in a browser, then check the base URL.",
       section=guide.RAW_HTTP),
    _d("auth-invalid-key", "401: the key was rejected", "Revoked, mistyped, from another provider or account, or an "
       "old shell variable wins over .env.", "Create a new key and put it in .env; check for a shadowing shell "
       "variable."),
    _d("auth-forbidden", "403: the key may not do this", "The project lacks permission for this model or endpoint, "
       "or an IP allowlist blocks you.", "Check the project's permissions and limits in the dashboard."),
    _d("region-unsupported", "The API is not offered in your region", "403 unsupported_country_region_territory.",
       "This cannot be fixed in code; see the provider's supported countries."),
    _d("server-error", "The provider failed (5xx)", "An outage or overload on the provider's side.",
       "Retry later with backoff; check the status page.", section=guide.WORKED_EXAMPLE),
    _d("models-list-unavailable", "The server does not list its models", "Many compatible servers have no GET "
       "/models.", "Nothing to fix; the completion checks still test the key.", section=guide.RAW_HTTP),
    _d("model-not-found", "The model does not exist for this key", "A typo, a retired model, another provider's "
       "model name, or a project not allowed to use it (404/403 model_not_found).",
       "Use a model name your key lists (`client.models.list()`).", section=guide.PARAMETER_REFERENCE),
    _d("timeout-exceeded", "The request took longer than the timeout", "A slow model, a long prompt or reply, or a "
       "slow network: APITimeoutError 'Request timed out.'.", "Raise the timeout (e.g. timeout=60) and stream long "
       "replies."),
    _d("timeout-tight", "Latency is close to the timeout", "Small requests already take more than half of it.",
       "Raise the timeout to about three times the latency."),
    # API behaviour
    _d("rate-limited", "429: rate limit reached", "Too many requests or tokens per minute for your tier.",
       "Wait and retry with exponential backoff; spread the load.", section=guide.WORKED_EXAMPLE),
    _d("quota-exhausted", "429/402: no credit left", "insufficient_quota: the account has no prepaid credit or hit "
       "its spending limit. Waiting or a new key will not help.", "Add credit or raise the limit in billing."),
    _d("request-too-large", "One request is larger than the whole per-minute limit", "The prompt plus max_tokens "
       "asks for more tokens than the tier allows in a minute (429 'Request too large ... Requested N', Groq's 413): "
       "no amount of waiting lets it through.", "Make the one request smaller: shorten or split the input, trim the "
       "chat history, lower max_tokens; or move to a tier with a higher limit.",
       "Retrying the same request fails every time; stop retrying it.", section=guide.WORKED_EXAMPLE),
    _d("content-filtered", "A safety filter blocked the prompt or the reply", "The provider's content filter (Azure's "
       "content_filter / ResponsibleAIPolicyViolation, finish_reason 'content_filter') judged the text harmful; "
       "a jailbreak detector also fires on long system prompts.", "Change the text that trips the filter, or ask the "
       "provider (Azure: the deployment's content filter settings) for a policy that fits the use.",
       "Handle finish_reason 'content_filter' in code: the reply's content is then None or cut.",
       section=guide.USAGE),
    _d("org-verification-required", "The organization must be verified for this model", "Some models (o3, "
       "gpt-image-1, streaming of reasoning models) need a verified organization: 'Your organization must be "
       "verified to use/stream this model'.", "Verify the organization (Settings > Organization > General > Verify "
       "Organization), wait up to 15 minutes; meanwhile call without stream=True or use another model.",
       section=guide.PARAMETER_REFERENCE),
    _d("messages-invalid", "The conversation sent is malformed", "The messages break the API's rules: an assistant "
       "message with tool_calls not followed by one tool message per tool_call_id, a tool message with no tool call "
       "before it, a wrong role, or content of the wrong type (an object where a string or a list is expected).",
       "Fix how the code builds the messages list: keep each tool call with its result when trimming history, and "
       "send content as a string or a list of parts.", section=guide.FIRST_REQUEST),
    _d("rate-limit-headers-missing", "No rate-limit headers", "Many compatible servers send none.",
       "Nothing to fix; headroom is simply unknown.", section=guide.RAW_HTTP),
    _d("rate-limit-low-headroom", "Little rate-limit headroom left", "Most of this minute's requests or tokens are "
       "used.", "Space out requests or ask for a higher tier.", section=guide.WORKED_EXAMPLE),
    _d("context-over-limit", "The prompt does not fit the context window", "400 context_length_exceeded: 'maximum "
       "context length is N tokens'.", "Shorten or chunk the input, summarise first, or lower max_tokens."),
    _d("context-near-limit", "The prompt nearly fills the context window", "A slightly longer input will fail.",
       "Trim the input or move to a model with a larger window."),
    _d("prompt-file-unreadable", "The prompt file to measure cannot be read", "prompt-file in [tool.llm-doctor] "
       "names something missing, a directory, or a special file such as /dev/stdin.",
       "Point prompt-file at a regular text file in the project."),
    _d("model-not-listed", "The server answers a model it does not list", "Some servers answer any model name "
       "with the model they have loaded, so the reply may come from another model than the one named.",
       "Use a name from the server's /models list, where the model is chosen in your code.",
       section=guide.PARAMETER_REFERENCE),
    _d("model-not-chosen", "No model configured for this server", "Your code passes model=... itself; the doctor "
       "cannot guess it for a server other than OpenAI, where gpt-4o-mini means nothing.",
       "Run llm-doctor check --model NAME (or set OPENAI_MODEL, which only the doctor reads).",
       section=guide.PARAMETER_REFERENCE),
    _d("stream-unsupported", "The server refuses streaming", "stream=True, or stream_options include_usage, is "
       "rejected with a 400.", "Stream without stream_options, or use a server that streams.",
       section=guide.PARAMETER_REFERENCE),
    _d("stream-malformed", "The stream breaks the SDK's reader", "A frame is not JSON, an error arrives mid-stream, "
       "or a plain JSON body comes instead of events: the SDK raises in your loop or yields nothing.",
       "Fix the server or the proxy in front of it; fall back to stream=False meanwhile.",
       section=guide.PARAMETER_REFERENCE),
    _d("stream-nonstandard", "The stream departs from the standard", "No data: [DONE], another content type, or no "
       "usage chunk although include_usage was asked: the openai SDK copes, other clients may not.",
       "Nothing to fix for the openai SDK; count tokens yourself if usage is missing.",
       section=guide.PARAMETER_REFERENCE),
    # Your code
    _d("dotenv-not-loaded", "The code never loads .env", "The key is in .env, but nothing calls load_dotenv(): "
       "os.getenv() returns None and the SDK stops with 'The api_key client option must be set'.",
       "Call load_dotenv() at the start of the script that runs first, before any client is built.",
       "from dotenv import load_dotenv", "load_dotenv()", section=guide.FIRST_REQUEST),
    _d("dotenv-loaded-late", "The client is built before .env is loaded", "A module builds the client (or reads "
       "the key) as it is imported, and load_dotenv() runs only after that import, so the key is not there yet.",
       "Move load_dotenv() above the import of that module, or build the client inside a function.",
       section=guide.FIRST_REQUEST),
    _d("env-name-mismatch", "The code reads a variable nothing sets", "The name in the code differs from the one in "
       ".env or the shell (OPENAI_KEY and OPENAI_API_KEY): the code gets None, or a KeyError.",
       "Use the same name in both places; the SDK itself reads OPENAI_API_KEY.", section=guide.SETUP),
    _d("json-without-mode", "A reply parsed as JSON without JSON mode", "Without response_format the model may "
       "answer in prose or put the JSON in ``` fences, and json.loads() raises JSONDecodeError 'Expecting value'.",
       'Ask for JSON mode (response_format={"type": "json_object"}, with the word JSON in a message) or structured '
       "outputs, and handle JSONDecodeError.", section=guide.PARAMETER_REFERENCE),
    _d("reply-unguarded", "The reply's text is used without a check", "message.content is None when the model "
       "refuses, calls a tool or is filtered: `'NoneType' object has no attribute 'strip'`.",
       'Look at finish_reason first, or write `content or ""` before using the text as a string.',
       section=guide.USAGE),
    _d("client-no-timeout", "The client has no timeout", "The SDK waits up to 600 s for each try and tries three "
       "times, so one stalled request can hold the program for half an hour.",
       "Build the client with timeout= in seconds (the worked example uses 30).", section=guide.WORKED_EXAMPLE),
    _d("max-tokens-missing", "Nothing caps the reply's length", "Without max_tokens a reply runs until the model "
       "stops or hits its own limit: slow and billed by the token.", "Pass max_tokens (max_completion_tokens for "
       "reasoning models, max_output_tokens with the Responses API).", section=guide.PARAMETER_REFERENCE),
    _d("retry-on-quota", "Retries also retry an empty account", "A 429 insufficient_quota is a RateLimitError too; "
       "retrying it never helps, and 'gave up after 3 attempts' hides that the account needs credit.",
       "In the handler, stop when error.code is 'insufficient_quota' and say that credit is needed; retry only "
       "the other 429s.", section=guide.TROUBLESHOOTING),
    _d("param-out-of-range", "A parameter is outside what the API accepts", "temperature must be 0..2, top_p 0..1, "
       "n at least 1, the penalties -2..2; the API answers 400 'Invalid value'.", "Use a value inside the range.",
       section=guide.PARAMETER_REFERENCE),
    _d("file-unreadable", "A Python file does not parse", "A syntax error, a merge conflict left in the file, or "
       "Python 2 code: Python stops there too, and the doctor could not read the file.",
       "Open the file at that line and fix it (resolve the conflict, write print() as a function).",
       section=guide.TROUBLESHOOTING),
    _d("key-hardcoded", "A key is written in a file git shares", "Whoever gets the file (a push, a shared "
       "notebook, a container image) gets the key; scanners find pushed keys within minutes.",
       "Move the key into .env (kept out of git) and read it with load_dotenv(); revoke a key that was pushed.",
       section=guide.SETUP),
    _d("key-in-history", "A key is in the repository's history", "Deleting a key in a later commit leaves it in "
       "every clone's history.", "Revoke the key in the provider's dashboard and use a new one; rewrite history "
       "only after that.", section=guide.SETUP),
    _d("stream-buffered", "The stream arrives all at once", "A proxy buffers the response, so streaming gives no "
       "early output and long replies may time out.", "Turn off buffering in the proxy (nginx: proxy_buffering "
       "off; X-Accel-Buffering: no).", section=guide.PARAMETER_REFERENCE),
    _d("json-invalid", "The reply is not valid JSON", "The model wrapped the JSON in prose or ``` fences: "
       "JSONDecodeError 'Expecting value: line 1 column 1 (char 0)'.", 'Use response_format={"type": '
       '"json_object"}, ask for JSON explicitly, and strip fences before json.loads().'),
    _d("json-word-missing", "JSON mode without the word JSON", "The API refuses json_object unless a message says "
       "'json'.", 'Add "Reply in JSON." to the system or user message.'),
    _d("json-mode-unsupported", "JSON mode is not supported here", "The model or server rejects response_format.",
       "Ask for JSON in the prompt and validate it, or switch model.", section=guide.PARAMETER_REFERENCE),
    _d("reply-empty", "The reply's content is None", "A content filter, a refusal, a tool call, or a reasoning model "
       "that spent the budget thinking: `'NoneType' object has no attribute ...`.",
       "Check finish_reason and handle an empty reply before using the text."),
    _d("reply-truncated", "The reply was cut off", "finish_reason is 'length': max_tokens was reached.",
       "Raise max_tokens (max_completion_tokens for reasoning models).", section=guide.USAGE),
    _d("usage-missing", "The server returned no token usage", "Some compatible servers (local ones, gateways) send "
       "no usage, or values that are not counts; what a call spends is then unknown, not zero.",
       "Count tokens yourself (tiktoken) or read the provider's dashboard.", section=guide.USAGE),
    _d("probe-inconclusive", "The doctor could not tell", "Its own limits decided the outcome: a reasoning model "
       "spent the doctor's small token cap thinking, or a server that answers one request at a time was still busy "
       "with the doctor's other requests.", "Run the one check alone (`--only ID`), or call the API yourself with "
       "your real settings.", section=guide.TROUBLESHOOTING),
    _d("sample-call-failed", "The guide's example failed in an unrecognised way", "The SDK raised an error the "
       "doctor does not know; its text is shown.", "Run the example yourself and pass the traceback to "
       "`llm-doctor explain -`.", section=guide.FIRST_REQUEST),
    _d("param-unsupported", "The model rejects a parameter", "Reasoning models (o-series, gpt-5) refuse max_tokens "
       "and non-default temperature.", "Use max_completion_tokens and drop temperature for those models.",
       section=guide.PARAMETER_REFERENCE),
    _d("wrong-endpoint", "This model needs another endpoint", "'only supported in v1/responses' or 'not a chat "
       "model'.", "Call client.responses.create(...) for that model, or pick a chat model.",
       section=guide.FIRST_REQUEST),
    _d("tokenizer-unavailable", "tiktoken cannot load its encoding", "tiktoken downloads encodings on first use and "
       "fails offline, or does not know the model name.", "Warm tiktoken's cache while online "
       "(TIKTOKEN_CACHE_DIR), or count approximately.", section=guide.TROUBLESHOOTING),
    _d("check-crashed", "A check crashed", "A bug in llm-doctor.", "Run with -v and report the traceback.",
       section=guide.TROUBLESHOOTING),
    _d("check-timeout", "A check ran out of time", "A hung subprocess or server, or a project input (`.env`, the "
       "lock file or requirements) that took longer to read than --timeout: the check says what it did not finish.",
       "Run with -v; raise --timeout if the API is slow or the project's files are very large.",
       section=guide.TROUBLESHOOTING),
)

CATALOGUE = {entry.code: entry for entry in _ENTRIES}
