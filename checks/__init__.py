"""The registry: every check, in the order the guide walks through them.

ALL_CHECKS is an explicit tuple, so importing a module never registers anything by
side effect, and the order here is the order of every report. A check's `needs`
must name checks listed before it.

Codes are stable: a code, once published, is never renamed or reused.
"""

from checks.api import api_auth, json_mode, model_access, rate_limit_headers, streaming, timeout
from checks.code_usage import code_usage
from checks.context_length import context_length
from checks.dotenv_file import dotenv_present
from checks.dotenv_git import dotenv_gitignored
from checks.environment import packages_pinned, python_version, venv_active
from checks.key import key_format
from checks.sample import sample_call
from checks.secrets_in_files import secrets_in_files

ALL_CHECKS = (
    python_version,
    venv_active,
    packages_pinned,
    dotenv_present,
    dotenv_gitignored,
    key_format,
    secrets_in_files,
    code_usage,
    api_auth,
    model_access,
    timeout,
    rate_limit_headers,
    context_length,
    streaming,
    json_mode,
    sample_call,
)

__all__ = ["ALL_CHECKS"]
