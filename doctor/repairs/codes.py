"""The diagnosis codes each fix answers: plain data, so the fix registry lists them without
importing the repairs (which import libcst) on a run that needs none, and a run whose findings
no fix answers (PLANNED) imports no part of the fixes at all."""

GITIGNORE = ("dotenv-not-ignored",)
DOTENV_FROM_EXAMPLE = ("dotenv-missing",)
PINS = ("requirements-missing", "package-unpinned", "package-version-mismatch", "sdk-httpx-incompatible",
        "openai-pre-v1", "pins-incompatible", "package-below-floor")

DOTENV_SAFE = ("key-whitespace", "key-non-ascii", "key-bad-prefix", "key-missing", "dotenv-parse-error",
               "dotenv-duplicate-key")
DOTENV_UNSAFE = ("key-missing", "env-name-mismatch")
TRACKED = ("dotenv-tracked",)
CODE_SAFE = ("code-pre-v1", "sdk-dict-access", "dotenv-not-loaded", "dotenv-loaded-late")
CODE_UNSAFE = (*CODE_SAFE, "client-no-timeout", "max-tokens-missing", "reply-unguarded")
LOAD_CODES = frozenset(("dotenv-not-loaded", "dotenv-loaded-late"))  # one repair: load_dotenv() first
PORT_CODES = frozenset(("code-pre-v1", "sdk-dict-access"))  # one repair: the port to the 1.x client
PLANNED = frozenset((*GITIGNORE, *DOTENV_FROM_EXAMPLE, *PINS, *DOTENV_SAFE, *DOTENV_UNSAFE, *TRACKED, *CODE_UNSAFE))
