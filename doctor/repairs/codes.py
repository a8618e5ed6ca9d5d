"""The diagnosis codes each repair answers: plain data, so the fix registry lists them without
importing the repairs (which import libcst) on a run that needs none."""

DOTENV_SAFE = ("key-whitespace", "key-non-ascii", "key-bad-prefix", "key-missing", "dotenv-parse-error",
               "dotenv-duplicate-key")
DOTENV_UNSAFE = ("key-missing", "env-name-mismatch")
TRACKED = ("dotenv-tracked",)
CODE_SAFE = ("code-pre-v1", "sdk-dict-access", "dotenv-not-loaded", "dotenv-loaded-late")
CODE_UNSAFE = (*CODE_SAFE, "client-no-timeout", "max-tokens-missing", "reply-unguarded")
# Answered for certain without building the plan: load_dotenv() goes after a writable script's leading
# imports whenever the script parses (the rule that found it parsed it), so deciding that `--fix` can
# apply it needs no libcst, which alone takes about 0.3 s to import.
CERTAIN_IN_SCRIPTS = ("dotenv-not-loaded",)
