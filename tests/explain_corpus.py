"""Real error texts, as the openai SDK (0.28, 1.x, 2.x, 3.x), httpx, python-dotenv and
tiktoken print them, with the diagnosis each should get. Keys in them are fake."""

TRACEBACK_401 = """Traceback (most recent call last):
  File "/home/me/chatbot/ask.py", line 9, in <module>
    response = client.chat.completions.create(
               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/home/me/chatbot/.venv/lib/python3.12/site-packages/openai/_utils/_utils.py", line 279, in wrapper
    return func(*args, **kwargs)
  File "/home/me/chatbot/.venv/lib/python3.12/site-packages/openai/_base_client.py", line 1037, in _request
    raise self._make_status_error_from_response(err.response) from None
openai.AuthenticationError: Error code: 401 - {'error': {'message': 'Incorrect API key provided: sk-proj-********************abcd. You can find your API key at https://platform.openai.com/account/api-keys.', 'type': 'invalid_request_error', 'param': None, 'code': 'invalid_api_key'}}
"""

TRACEBACK_QUOTA_WITH_RETRIES = """INFO:openai._base_client:Retrying request to /chat/completions in 0.433632 seconds
INFO:openai._base_client:Retrying request to /chat/completions in 0.888126 seconds
Traceback (most recent call last):
  File "ask.py", line 22, in ask
    response = client.chat.completions.create(
  File "/usr/lib/python3.11/site-packages/openai/_base_client.py", line 950, in request
    timeout=self._timeout if timeout is NOT_GIVEN else timeout,
  File "/usr/lib/python3.11/site-packages/openai/_base_client.py", line 1046, in _request
    raise self._make_status_error_from_response(err.response) from None
openai.RateLimitError: Error code: 429 - {'error': {'message': 'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.', 'type': 'insufficient_quota', 'param': None, 'code': 'insufficient_quota'}}
"""

TRACEBACK_TIMEOUT = """Traceback (most recent call last):
  File "/app/.venv/lib/python3.12/site-packages/httpx/_transports/default.py", line 101, in map_httpcore_exceptions
    yield
  File "/app/.venv/lib/python3.12/site-packages/httpcore/_backends/sync.py", line 126, in read
    raise exc
httpcore.ReadTimeout: The read operation timed out

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/app/.venv/lib/python3.12/site-packages/openai/_base_client.py", line 989, in request
    response = self._client.send(
httpx.ReadTimeout: The read operation timed out

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "ask.py", line 14, in <module>
    answer = ask("Summarise what an LLM API does in two sentences.")
openai.APITimeoutError: Request timed out.
"""

TRACEBACK_TLS = """Traceback (most recent call last):
  File "/srv/bot/.venv/lib/python3.11/site-packages/httpx/_transports/default.py", line 72, in map_httpcore_exceptions
    yield
httpcore.ConnectError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain (_ssl.c:1006)

The above exception was the direct cause of the following exception:

httpx.ConnectError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain (_ssl.c:1006)

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "ask.py", line 9, in <module>
openai.APIConnectionError: Connection error.
"""

CORPUS = [
    # openai 0.28
    ("0.28 bad key", "openai.error.AuthenticationError: Incorrect API key provided: sk-abc123***wxyz. You can find "
     "your API key at https://platform.openai.com/account/api-keys.", "auth-invalid-key"),
    ("0.28 quota", "openai.error.RateLimitError: You exceeded your current quota, please check your plan and billing "
     "details.", "quota-exhausted"),
    ("0.28 rate limit", "openai.error.RateLimitError: Rate limit reached for default-gpt-3.5-turbo in organization "
     "org-abcdefgh on requests per min. Limit: 3 / min. Please try again in 20s.", "rate-limited"),
    ("0.28 context", "openai.error.InvalidRequestError: This model's maximum context length is 4097 tokens. However, "
     "your messages resulted in 5000 tokens. Please reduce the length of the messages.", "context-over-limit"),
    ("0.28 model", "openai.error.InvalidRequestError: The model `gpt-5-turbo` does not exist", "model-not-found"),
    ("0.28 timeout", "openai.error.Timeout: Request timed out: HTTPSConnectionPool(host='api.openai.com', port=443): "
     "Read timed out. (read timeout=600)", "timeout-exceeded"),
    ("0.28 dns", "openai.error.APIConnectionError: Error communicating with OpenAI: HTTPSConnectionPool(host='api."
     "openai.com', port=443): Max retries exceeded with url: /v1/chat/completions (Caused by NewConnectionError('"
     "<urllib3.connection.HTTPSConnection object at 0x7f2b>: Failed to establish a new connection: [Errno -3] "
     "Temporary failure in name resolution'))", "network-unreachable"),
    ("0.28 overloaded", "openai.error.ServiceUnavailableError: The server is overloaded or not ready yet.",
     "server-error"),
    ("0.28 no key", "openai.error.AuthenticationError: No API key provided. You can set your API key in code using "
     "'openai.api_key = <API-KEY>', or you can set the environment variable OPENAI_API_KEY=<API-KEY>).",
     "key-missing"),
    ("0.28 tls", "openai.error.APIConnectionError: Error communicating with OpenAI: HTTPSConnectionPool(host='api."
     "openai.com', port=443): Max retries exceeded with url: /v1/chat/completions (Caused by SSLError("
     "SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self signed "
     "certificate in certificate chain (_ssl.c:1129)')))", "tls-error"),
    # openai 1.x and 2.x: "Error code: N - {python dict}"
    ("1.x bad key", "openai.AuthenticationError: Error code: 401 - {'error': {'message': 'Incorrect API key provided: "
     "sk-proj-********************abcd. You can find your API key at https://platform.openai.com/account/api-keys.', "
     "'type': 'invalid_request_error', 'param': None, 'code': 'invalid_api_key'}}", "auth-invalid-key"),
    ("1.x quota", "openai.RateLimitError: Error code: 429 - {'error': {'message': 'You exceeded your current quota, "
     "please check your plan and billing details.', 'type': 'insufficient_quota', 'param': None, 'code': "
     "'insufficient_quota'}}", "quota-exhausted"),
    ("1.x rate limit", "openai.RateLimitError: Error code: 429 - {'error': {'message': 'Rate limit reached for gpt-4o "
     "in organization org-abc on tokens per min (TPM): Limit 30000, Used 29937, Requested 385. Please try again in "
     "644ms. Visit https://platform.openai.com/account/rate-limits to learn more.', 'type': 'tokens', 'param': None, "
     "'code': 'rate_limit_exceeded'}}", "rate-limited"),
    ("1.x context", "openai.BadRequestError: Error code: 400 - {'error': {'message': \"This model's maximum context "
     "length is 128000 tokens. However, your messages resulted in 130000 tokens. Please reduce the length of the "
     "messages.\", 'type': 'invalid_request_error', 'param': 'messages', 'code': 'context_length_exceeded'}}",
     "context-over-limit"),
    ("1.x json word", "openai.BadRequestError: Error code: 400 - {'error': {'message': \"'messages' must contain the "
     "word 'json' in some form, to use 'response_format' of type 'json_object'.\", 'type': 'invalid_request_error', "
     "'param': 'messages', 'code': None}}", "json-word-missing"),
    ("1.x model", "openai.NotFoundError: Error code: 404 - {'error': {'message': 'The model `gpt-4o-mni` does not "
     "exist or you do not have access to it.', 'type': 'invalid_request_error', 'param': None, 'code': "
     "'model_not_found'}}", "model-not-found"),
    ("1.x region", "openai.PermissionDeniedError: Error code: 403 - {'error': {'code': "
     "'unsupported_country_region_territory', 'message': 'Country, region, or territory not supported', 'param': "
     "None, 'type': 'request_forbidden'}}", "region-unsupported"),
    ("1.x max_tokens", "openai.BadRequestError: Error code: 400 - {'error': {'message': \"Unsupported parameter: "
     "'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.\", 'type': "
     "'invalid_request_error', 'param': 'max_tokens', 'code': 'unsupported_parameter'}}", "param-unsupported"),
    ("1.x temperature", "openai.BadRequestError: Error code: 400 - {'error': {'message': \"Unsupported value: "
     "'temperature' does not support 0.2 with this model. Only the default (1) value is supported.\", 'type': "
     "'invalid_request_error', 'param': 'temperature', 'code': 'unsupported_value'}}", "param-unsupported"),
    ("1.x timeout", "openai.APITimeoutError: Request timed out.", "timeout-exceeded"),
    ("1.x connection", "openai.APIConnectionError: Connection error.", "network-unreachable"),
    ("1.x 500", "openai.InternalServerError: Error code: 500 - {'error': {'message': 'The server had an error while "
     "processing your request. Sorry about that!', 'type': 'server_error', 'param': None, 'code': None}}",
     "server-error"),
    ("1.x missing key", "openai.OpenAIError: The api_key client option must be set either by passing api_key to the "
     "client or by setting the OPENAI_API_KEY environment variable", "key-missing"),
    ("1.x empty key", "openai.AuthenticationError: Error code: 401 - {'error': {'message': \"You didn't provide an API "
     "key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer "
     "YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are "
     "prompted for a username and password.\", 'type': 'invalid_request_error', 'param': None, 'code': None}}",
     "key-missing"),
    ("1.x org mismatch", "openai.AuthenticationError: Error code: 401 - {'error': {'message': 'OpenAI-Organization "
     "header should match organization for API key', 'type': 'invalid_request_error', 'param': None, 'code': "
     "'mismatched_organization'}}", "auth-invalid-key"),
    ("1.x doubled path", "openai.NotFoundError: Error code: 404 - {'error': {'message': 'Invalid URL (POST "
     "/v1/chat/completions/chat/completions)', 'type': 'invalid_request_error', 'param': None, 'code': None}}",
     "base-url-invalid"),
    ("1.x wrong endpoint", "openai.NotFoundError: Error code: 404 - {'error': {'message': 'This is not a chat model "
     "and thus not supported in the v1/chat/completions endpoint. Did you mean to use v1/completions?', 'type': "
     "'invalid_request_error', 'param': 'model', 'code': None}}", "wrong-endpoint"),
    ("1.x azure deployment", "openai.NotFoundError: Error code: 404 - {'error': {'code': 'DeploymentNotFound', "
     "'message': 'The API deployment for this resource does not exist. If you created the deployment within the last "
     "5 minutes, please wait a moment and try again.'}}", "model-not-found"),
    ("1.x proxies", "TypeError: Client.__init__() got an unexpected keyword argument 'proxies'",
     "sdk-httpx-incompatible"),
    ("1.x old code", "openai.lib._old_api.APIRemovedInV1: \n\nYou tried to access openai.ChatCompletion, but this is "
     "no longer supported in openai>=1.0.0 - see the README at https://github.com/openai/openai-python for the API."
     "\n\nYou can run `openai migrate` to automatically upgrade your codebase to use the 1.0.0 interface.",
     "code-pre-v1"),
    ("1.x dict access", "TypeError: 'ChatCompletion' object is not subscriptable", "sdk-dict-access"),
    ("deepseek 402", "openai.APIStatusError: Error code: 402 - {'error': {'message': 'Insufficient Balance', 'type': "
     "'unknown_error', 'param': None, 'code': 'invalid_request_error'}}", "quota-exhausted"),
    ("1.x traceback 401", TRACEBACK_401, "auth-invalid-key"),
    ("1.x traceback quota after retries", TRACEBACK_QUOTA_WITH_RETRIES, "quota-exhausted"),
    ("1.x traceback timeout", TRACEBACK_TIMEOUT, "timeout-exceeded"),
    ("1.x traceback tls", TRACEBACK_TLS, "tls-error"),
    # openai 2.x
    ("2.x missing credentials", "openai.OpenAIError: Missing credentials. Please pass an `api_key`, "
     "`workload_identity`, `admin_api_key`, or set the `OPENAI_API_KEY` or `OPENAI_ADMIN_KEY` environment variable.",
     "key-missing"),
    # openai 3.x: "Error code: N - <message>"
    ("3.x quota", "openai.RateLimitError: Error code: 429 - You exceeded your current quota, please check your plan "
     "and billing details.", "quota-exhausted"),
    ("3.x bad key", "openai.AuthenticationError: Error code: 401 - Incorrect API key provided: sk-proj-****abcd.",
     "auth-invalid-key"),
    ("3.x context", "openai.BadRequestError: Error code: 400 - This model's maximum context length is 128000 tokens. "
     "However, your messages resulted in 130000 tokens.", "context-over-limit"),
    ("3.x region", "openai.PermissionDeniedError: Error code: 403 - Country, region, or territory not supported",
     "region-unsupported"),
    ("3.x rate limit", "openai.RateLimitError: Error code: 429 - Rate limit reached for gpt-4o-mini in organization "
     "org-abc on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.", "rate-limited"),
    ("3.x server", "openai.InternalServerError: Error code: 502 - Bad Gateway", "server-error"),
    # the guide's six troubleshooting errors, as the guide prints them
    ("guide 1", "AuthenticationError: Error code: 401 - Incorrect API key provided", "auth-invalid-key"),
    ("guide 2", "RateLimitError: Error code: 429 - Rate limit reached for requests", "rate-limited"),
    ("guide 3", "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)", "json-invalid"),
    ("guide 4", "BadRequestError: ... maximum context length is N tokens, however you requested M",
     "context-over-limit"),
    ("guide 5", "APITimeoutError: Request timed out", "timeout-exceeded"),
    ("guide 6", "AttributeError: 'NoneType' object has no attribute 'content'", "reply-empty"),
    # transport and environment
    ("httpx newline in key", "httpx.LocalProtocolError: Illegal header value b'Bearer sk-proj-abc123\\n'",
     "key-whitespace"),
    ("smart quotes", "UnicodeEncodeError: 'ascii' codec can't encode character '\\u201c' in position 7: ordinal not "
     "in range(128)", "key-non-ascii"),
    ("proxy 407", "httpx.ProxyError: 407 Proxy Authentication Required", "proxy-error"),
    ("dns", "httpx.ConnectError: [Errno -2] Name or service not known", "network-unreachable"),
    ("refused", "httpx.ConnectError: [Errno 111] Connection refused", "network-unreachable"),
    ("no sdk", "ModuleNotFoundError: No module named 'openai'", "package-missing"),
    ("no dotenv", "ModuleNotFoundError: No module named 'dotenv'", "package-missing"),
    ("tiktoken model", "KeyError: 'Could not automatically map llama-3.1-8b-instant to a tokeniser. Please use "
     "`tiktoken.get_encoding` to explicitly get the tokeniser you expect.'", "tokenizer-unavailable"),
    ("tiktoken offline", "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='openaipublic.blob.core."
     "windows.net', port=443): Max retries exceeded with url: /encodings/o200k_base.tiktoken", "tokenizer-unavailable"),
    ("dotenv warning", "Python-dotenv could not parse statement starting at line 2", "dotenv-parse-error"),
    ("empty base url", "openai.APIConnectionError: Connection error. httpx.UnsupportedProtocol: Request URL is missing "
     "an 'http://' or 'https://' protocol.", "base-url-invalid"),
    ("old python", "ERROR: Ignored the following versions that require a different python version: 2.49.0 "
     "Requires-Python >=3.10", "python-too-old"),
    # other languages around structured parts
    ("chinese around a quota error", "调用失败：openai.RateLimitError: Error code: 429 - {'error': {'message': '...', "
     "'type': 'insufficient_quota', 'code': 'insufficient_quota'}}", "quota-exhausted"),
    ("german around a 401", "Fehler beim Aufruf: Error code: 401 - Incorrect API key provided", "auth-invalid-key"),
]
