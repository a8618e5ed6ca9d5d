"""The diagnosis codes each repair answers: plain data, so the fix registry lists them without
importing the repairs (which import libcst) on a run that needs none."""

DOTENV_SAFE = ("key-whitespace", "key-non-ascii", "key-bad-prefix", "key-missing", "dotenv-parse-error",
               "dotenv-duplicate-key")
DOTENV_UNSAFE = ("key-missing", "env-name-mismatch")
TRACKED = ("dotenv-tracked",)
CODE_SAFE = ("code-pre-v1", "sdk-dict-access", "dotenv-not-loaded", "dotenv-loaded-late")
CODE_UNSAFE = (*CODE_SAFE, "client-no-timeout", "max-tokens-missing", "reply-unguarded")
LOAD_CODES = frozenset(("dotenv-not-loaded", "dotenv-loaded-late"))  # one repair: load_dotenv() first
PORT_CODES = frozenset(("code-pre-v1", "sdk-dict-access"))  # one repair: the port to the 1.x client
