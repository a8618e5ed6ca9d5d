"""The code repairs: each rewrite keeps everything it does not mean to change, parses, and is judged
clean by the doctor's own rules afterwards; what it cannot name for certain, it declines."""

from __future__ import annotations

import pytest

from doctor.repairs.python_guards import add_max_tokens, add_timeout, guard_reply, load_dotenv_first
from doctor.repairs.python_v1 import migrate
from tests.checks.test_code_usage import located, project_with, usage

LEGACY = '''import os
import openai
from dotenv import load_dotenv
from openai.error import InvalidRequestError

load_dotenv()
openai.api_key = os.getenv("OPENAI_API_KEY")  # from .env


def ask(question):
    try:
        response = openai.ChatCompletion.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": question}],
            max_tokens=50,
        )
    except openai.error.RateLimitError:
        return None
    return response["choices"][0]["message"]["content"]


def unrelated():
    response = {"choices": 1}  # a dict of the same name in another function stays a dict
    return response["choices"]
'''


def test_0_28_code_is_ported_to_the_client_and_the_rules_then_find_nothing_of_0_28(tmp_path):
    done = migrate(LEGACY)
    assert done is not None and not done.safe  # InvalidRequestError became BadRequestError: an except may differ
    after = done.after
    assert 'client = OpenAI(api_key=os.getenv("OPENAI_API_KEY"))  # from .env' in after
    assert "client.chat.completions.create(\n            model=" in after  # the call's layout is kept
    assert "from openai import BadRequestError as InvalidRequestError" in after
    assert "except openai.RateLimitError:" in after
    assert "return response.choices[0].message.content" in after
    assert 'return response["choices"]' in after
    before_codes = {code for code, _, _ in located(usage(project_with(tmp_path / "a", {"app.py": LEGACY})))}
    after_codes = {code for code, _, _ in located(usage(project_with(tmp_path / "b", {"app.py": after})))}
    assert "code-pre-v1" in before_codes
    assert not {"code-pre-v1", "sdk-dict-access"} & after_codes


def test_a_port_of_calls_and_reads_only_is_safe_and_builds_the_client_after_load_dotenv():
    source = ("import openai\r\nfrom dotenv import load_dotenv\r\nload_dotenv()\r\n"
              "for chunk in openai.ChatCompletion.create(model='m', messages=[], stream=True):\r\n"
              "\tprint(chunk['choices'][0]['delta'].get('content'), end='')\r\n")
    done = migrate(source)
    assert done.safe
    assert done.after == ("import openai\r\nfrom openai import OpenAI\r\nfrom dotenv import load_dotenv\r\n"
                          "load_dotenv()\r\nclient = OpenAI()\r\n"
                          "for chunk in client.chat.completions.create(model='m', messages=[], stream=True):\r\n"
                          "\tprint(chunk.choices[0].delta.content, end='')\r\n")  # CRLF and the tab kept


@pytest.mark.parametrize("source", [
    "import openai\nreply = await openai.ChatCompletion.acreate(model='m', messages=[])\n",  # async: not ported
    "import openai\nopenai.api_type = 'azure'\nr = openai.ChatCompletion.create(engine='d', messages=[])\n",
    "import openai\nr = openai.ChatCompletion.create(engine='d', messages=[])\n",
    "import openai\nimage = openai.Image.create(prompt='cat')\nr = openai.Completion.create(prompt='x')\n",
    "from openai import ChatCompletion\nr = ChatCompletion.create(model='m', messages=[])\n",
    "import openai\ndef f():\n    openai.api_key = 'k'\nr = openai.Completion.create(prompt='x')\n",
    "print 'hello'\nimport openai\nr = openai.Completion.create(prompt='x')\n",  # Python 2
    "import openai\nr = openai.Completion.create(prompt='x'\n",  # does not parse
    "from openai import OpenAI\nclient = OpenAI()\n",  # nothing to port
    # .env is loaded only under __main__: a client built at import time would find no key
    "import openai\ndef ask():\n    return openai.Completion.create(prompt='x')\n"
    "if __name__ == '__main__':\n    from dotenv import load_dotenv\n    load_dotenv()\n    ask()\n",
    # a request at import time before .env is loaded: no place for the client is right
    "import openai\nr = openai.Completion.create(prompt='x')\nfrom dotenv import load_dotenv\nload_dotenv()\n",
])
def test_what_the_port_cannot_name_for_certain_declines_the_whole_file(source):
    assert migrate(source) is None


def test_load_dotenv_goes_after_the_imports_and_before_the_key_is_read(tmp_path):
    source = ('"""Ask."""\nimport os\nfrom openai import OpenAI\n\n# the client\n'
              'client = OpenAI(api_key=os.environ["OPENAI_API_KEY"], timeout=9)\n')
    done = load_dotenv_first(source, [6])
    assert done.safe
    assert done.after == ('"""Ask."""\nimport os\nfrom openai import OpenAI\nfrom dotenv import load_dotenv\n'
                          'load_dotenv()\n\n# the client\nclient = OpenAI(api_key=os.environ["OPENAI_API_KEY"], '
                          'timeout=9)\n')
    assert ("dotenv-not-loaded", "app.py", 6) in located(usage(project_with(tmp_path / "a", {"app.py": source})))
    assert not located(usage(project_with(tmp_path / "b", {"app.py": done.after})))


def test_load_dotenv_goes_before_an_import_time_read_among_the_imports():
    source = "import os\nKEY = os.environ['OPENAI_API_KEY']\nimport sys\n"
    assert load_dotenv_first(source, [2]).after.startswith(
        "import os\nfrom dotenv import load_dotenv\nload_dotenv()\nKEY =")
    assert load_dotenv_first("from dotenv import load_dotenv\nload_dotenv()\nimport os\n", [3]) is None


def test_a_timeout_is_added_in_the_calls_own_layout_and_is_unsafe():
    source = "from openai import OpenAI\nclient = OpenAI(\n    api_key='k'\n)\nother = OpenAI(**options)\n"
    done = add_timeout(source)
    assert not done.safe
    assert done.after == ("from openai import OpenAI\nclient = OpenAI(\n    api_key='k',\n    timeout=30.0\n)\n"
                          "other = OpenAI(**options)\n")


def test_the_token_cap_names_the_keyword_the_model_accepts():
    source = ("r = client.chat.completions.create(model='gpt-4o-mini', messages=m)\n"
              "s = client.chat.completions.create(model='o3-mini', messages=m,)\n"
              "t = client.chat.completions.create(model='gpt-4o', messages=m, max_tokens=5)\n")
    done = add_max_tokens(source, [1, 2, 3])
    assert done.after == ("r = client.chat.completions.create(model='gpt-4o-mini', messages=m, max_tokens=200)\n"
                          "s = client.chat.completions.create(model='o3-mini', messages=m, max_completion_tokens=200,)\n"
                          "t = client.chat.completions.create(model='gpt-4o', messages=m, max_tokens=5)\n")
    assert add_max_tokens(source, [3]) is None  # the finding's line only


def test_a_reply_read_as_text_gets_a_fallback_but_a_condition_stays_as_written(tmp_path):
    source = ("def ask(client):\n    r = client.chat.completions.create(model='m', messages=[], max_tokens=9)\n"
              "    text = r.choices[0].message.content\n    return text.strip()\n")
    done = guard_reply(source, [4])
    assert not done.safe
    assert "    text = (r.choices[0].message.content or \"\")\n" in done.after
    shown = source.replace("    return text.strip()\n", '    print(f"{r.choices[0].message.content}")\n    return text.strip()\n')
    assert guard_reply(shown, [5]).after.count("or \"\"") == 1  # an f-string shows None; it does not crash
    kept = "    if r.choices[0].message.content is None:\n        return ''\n"
    assert guard_reply(source.replace("    text =", kept + "    text =", 1), [4]).after.count("or \"\"") == 1


def test_a_rewrite_whose_result_python_rejects_is_never_offered():
    """libcst builds trees the interpreter refuses (`None = 1`): the last word is the interpreter's parser."""
    import libcst

    from doctor.repairs.python_text import finished

    module = libcst.parse_module("x = 1\n")
    broken = module.with_changes(body=[module.body[0].with_changes(body=[
        libcst.Assign(targets=[libcst.AssignTarget(libcst.Name("None"))], value=libcst.Integer("1"))])])
    assert broken.code == "None = 1\n" and finished("x = 1\n", broken, "a rewrite", "safe") is None
    assert finished("x = 1\n", module.with_changes(body=[libcst.parse_statement("y = 2\n")]), "a rewrite",
                    "safe").after == "y = 2\n"


def test_a_1x_reply_read_as_a_dict_is_read_as_attributes_safely():
    source = ("stream = client.chat.completions.create(model='m', messages=[], stream=True)\n"
              "for chunk in stream:\n    delta = chunk['choices'][0]['delta']\n"
              "    print(delta.get('content') or '')\nsettings = {'choices': 2}\nprint(settings['choices'])\n")
    done = migrate(source)
    assert done.safe and done.summary.startswith("Read the reply's fields as attributes")
    assert done.after == source.replace("chunk['choices'][0]['delta']", "chunk.choices[0].delta").replace(
        "delta.get('content')", "delta.content")
