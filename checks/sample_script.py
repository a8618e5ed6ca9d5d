"""The program the sample call runs in the project's own Python: the guide's worked example, made safe.

It is sent to the interpreter with `-c`, so it must run on any Python 3 with whatever
openai the project has (0.28 included, to say so), and use nothing but the standard
library, python-dotenv and the SDK. It prints one JSON object per line (an "event").

It keeps the promises the httpx probes keep: redirects are not followed, the body is
read up to a cap (raw and after gzip/deflate decoding, so a gzip bomb stops at the cap),
and the process limits its own memory. The doctor kills it, with its children, at the
user's timeout plus a grace: the SDK's own timeout counts each read, so a server that
trickles bytes would keep it waiting far longer.

The client is first built exactly as the guide's code builds it, so that what breaks
there (a missing key, openai<1.55.3 with httpx 0.28, an unusable proxy) breaks here too;
the request then goes through a second client with the capped transport.
"""

SCRIPT = r"""
import sys; sys.path[:] = [p for p in sys.path if p not in ("", ".")]
import json, os, time
dotenv_path, timeout, max_tokens, cap = sys.argv[1], float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
TEXT_CAP = 64 * 1024
def emit(**fields):
    sys.stdout.write(json.dumps(fields, default=str) + "\n")
    sys.stdout.flush()
def text(value):
    value = str(value)
    return value if len(value) <= TEXT_CAP else value[:TEXT_CAP // 2] + " ... " + value[-TEXT_CAP // 2:]
try:
    import resource
    limit = 3 * 1024 ** 3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
except Exception:
    pass
def missing(stage, error):
    emit(event="missing", stage=stage, module=getattr(error, "name", None), path=getattr(error, "path", None),
         error_type=type(error).__name__, message=text(error))
    sys.exit(0)
try:
    from dotenv import load_dotenv
except ImportError as error:
    missing("dotenv", error)
try:
    import openai
    from openai import OpenAI
except ImportError as error:
    missing("openai", error)
except Exception as error:
    emit(event="import-error", error_type=type(error).__name__, message=text(error))
    sys.exit(0)
if dotenv_path:
    load_dotenv(dotenv_path)
try:
    guide_client = OpenAI(api_key=os.getenv("OPENAI_API_KEY"), timeout=timeout)
except Exception as error:
    emit(event="client-error", error_type=type(error).__name__, message=text(error),
         cause=repr(error.__cause__)[:300] if error.__cause__ else None)
    sys.exit(0)

def http_library():
    for base in getattr(getattr(openai, "DefaultHttpxClient", None), "__mro__", ()):
        top = base.__module__.split(".")[0]
        if base.__name__ == "Client" and top in ("httpx", "httpx2"):
            return __import__(top)
    return None

def capped_client(http):
    import zlib
    class TooLarge(http.ReadError):
        pass
    class Refused(http.DecodingError):
        pass
    class Capped(http.SyncByteStream):
        def __init__(self, inner, request, encoding):
            self.inner, self.request = inner, request
            self.decoder = zlib.decompressobj(16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS) if encoding else None
        def __iter__(self):
            raw = made = 0
            for chunk in self.inner:
                raw += len(chunk)
                if raw > cap:
                    raise TooLarge("the body is larger than %d bytes" % cap, request=self.request)
                if self.decoder is not None:
                    chunk = self.decoder.decompress(chunk, cap + 1 - made)
                    made += len(chunk)
                    if made > cap or self.decoder.unconsumed_tail:
                        raise TooLarge("the decoded body is larger than %d bytes" % cap, request=self.request)
                if chunk:
                    yield chunk
        def close(self):
            self.inner.close()
    class Transport(http.BaseTransport):
        def __init__(self, inner):
            self.inner = inner
        def handle_request(self, request):
            request.headers["Accept-Encoding"] = "gzip, deflate"
            response = self.inner.handle_request(request)
            encoding = response.headers.get("content-encoding", "").strip().lower()
            if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
                response.close()
                raise Refused("the server compressed the body with %r, which was not asked for" % encoding, request=request)
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > cap:
                response.close()
                raise TooLarge("the body is %s bytes, more than %d" % (length, cap), request=request)
            headers = [(k, v) for k, v in response.headers.raw if k.lower() not in (b"content-encoding", b"content-length")]
            return http.Response(response.status_code, headers=headers, request=request, extensions=response.extensions,
                                 stream=Capped(response.stream, request, encoding if encoding != "identity" else ""))
        def close(self):
            self.inner.close()
    client = openai.DefaultHttpxClient(follow_redirects=False)
    client._transport = Transport(client._transport)
    client._mounts = {pattern: Transport(t) if t is not None else t for pattern, t in client._mounts.items()}
    return client

http = http_library()
try:
    client = OpenAI(api_key=guide_client.api_key, base_url=guide_client.base_url, timeout=timeout, max_retries=0,
                    http_client=capped_client(http)) if http else guide_client.with_options(max_retries=0)
except Exception as error:
    emit(event="client-error", error_type=type(error).__name__, message=text(error),
         cause=repr(error.__cause__)[:300] if error.__cause__ else None)
    sys.exit(0)
emit(event="ready", version=getattr(openai, "__version__", "unknown"), capped=http is not None,
     http=getattr(http, "__name__", None))
command, _, model = sys.stdin.readline().strip().partition(" ")
if command != "go" or not model:
    sys.exit(0)
messages = [{"role": "system", "content": "You are a concise, helpful assistant."},
            {"role": "user", "content": "Say hello in five words."}]
start = time.perf_counter()
try:
    response = client.chat.completions.create(model=model, messages=messages, temperature=0.3, max_tokens=max_tokens)
    choice, usage = response.choices[0], response.usage
    emit(event="reply", content=text(choice.message.content) if choice.message.content is not None else None,
         finish_reason=choice.finish_reason, refusal=getattr(choice.message, "refusal", None),
         tool_calls=bool(getattr(choice.message, "tool_calls", None)),
         usage=None if usage is None else {k: getattr(usage, k, None) for k in ("prompt_tokens", "completion_tokens", "total_tokens")},
         seconds=time.perf_counter() - start)
except Exception as error:
    body = getattr(error, "body", None)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        body = body["error"]
    kind = "timeout" if isinstance(error, getattr(openai, "APITimeoutError", ())) else \
        "connection" if isinstance(error, getattr(openai, "APIConnectionError", ())) else \
        "status" if getattr(error, "status_code", None) else "other"
    cause = error.__cause__ or error.__context__
    response = getattr(error, "response", None)
    body = json.loads(json.dumps(body, default=str)) if isinstance(body, dict) else None
    emit(event="error", kind=kind, status=getattr(error, "status_code", None),
         body=body if body is not None and len(json.dumps(body)) <= TEXT_CAP else None,
         headers=dict(response.headers) if response is not None else {},
         error_type=type(error).__name__, message=text(error),
         cause_type=type(cause).__name__ if cause else None, cause=text(cause)[:2000] if cause else None,
         seconds=time.perf_counter() - start)
"""
