"""Fuzzes a running `attend serve` from outside over raw sockets on 127.0.0.1: mutated JSON bodies (bytes
flipped, inserted, deleted; invalid UTF-8, escaped lone surrogates, NUL, huge numbers), odd headers (media
types, charsets, lying or malformed Content-Length, chunked bodies good and broken, Expect), methods, paths
and queries; three connections at once, bounded in time and count. Every answer must be a 2xx or a 4xx; a
4xx with a body must be problem+json with a detail and no internals; no 5xx, no connection closed without an
answer. Kestrel refuses malformed HTTP (a non-ASCII header, %00 in the path, a bad chunk size) itself with
an empty 400, counted apart. Exit code 1 on any failure.
Usage: python3 bench/fuzz_serve.py PORT SECONDS MAX_REQUESTS SEED [MODEL]   (bench/fuzz-serve.sh runs it)"""
import json, random, socket, sys, time, collections, threading

PORT, SECONDS, MAX, SEED = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
MODEL = (sys.argv[5] if len(sys.argv) > 5 else 'debug').encode()
SEEDS = [b'{"text": "3/5/79"}', b'{"text": "May 3, 1979", "beam": 3, "nbest": 2}',
         b'{"texts": ["3/5/79", "1 jan 2000"], "beam": 2, "lengthPenalty": 0.6}',
         b'{"texts": ["7/4/76"], "beam": 1, "nbest": 1, "lengthPenalty": 1, "model": "' + MODEL + b'"}',
         '{"text": "d\u00e9cembre 31 \\ud83d\\ude00 \\u00001999"}'.encode()]
BAD = [b'\xff', b'\xfe', b'\x80', b'\xc0\x80', b'\xe0\x80\xaf', b'\xed\xa0\x80', b'\xf4\x90\x80\x80', b'\xe2\x82', b'\x00',
       b'\\uD800', b'\\uDC00', b'\\uDBFF\\uDBFF', b'\\u0000', b'1e400', b'-1', b'2147483648', b'[[[[[[[[[[]]]]]]]]]]', b'null',
       b'"x"', b'{}', b'[]', b'\\', b'"', b',', b':', b'{', b'}']
TYPES = [None, b'application/json', b'application/json; charset=utf-8', b'text/plain', b'application/x-www-form-urlencoded',
         b'application/json; charset=utf-16', b'application/json; charset=', b';;;', b'\xff/\xfe', b'json']
PATHS = [b'/api/translate'] * 8 + [b'/healthz', b'/api/models', b'/api/model', b'/api/model/' + MODEL, b'/api/model/%FF',
         b'/api/model/%00', b'/', b'/app.js', b'/nothing', b'/api/translate/', b'/%ED%A0%80']
QUERIES = [b'', b'', b'?a=1', b'?text=x&text=y', b'?%00=%FF', b'?' + b'q' * 3000, b'?a=%', b'?model=%ED%A0%80']
METHODS = [b'POST'] * 8 + [b'GET', b'PUT', b'DELETE', b'HEAD', b'OPTIONS', b'PATCH', b'FOO']

def mutate(rng):
    body = bytearray(rng.choice(SEEDS))
    for _ in range(rng.randint(0, 4)):
        at = rng.randint(0, len(body))
        k = rng.randrange(6)
        if k == 0 and at < len(body): body[at] ^= 1 << rng.randrange(8)
        elif k == 1: body[at:at] = bytes([rng.randrange(256)])
        elif k == 2: del body[at:at + rng.randint(1, 3)]
        elif k == 3: body[at:at] = rng.choice(BAD)
        elif k == 4: body[at:at] = body[at:at + rng.randint(1, 16)]
        else: del body[at:]
    if rng.random() < 0.02: body = bytearray(b'{"text": "' + b'9' * rng.choice([100, 5000, 2_000_000]) + b'"}')
    return bytes(body)

def request(rng):
    method, path, query = rng.choice(METHODS), rng.choice(PATHS), rng.choice(QUERIES)
    if rng.random() < 0.5: method, path = b'POST', b'/api/translate'   # half of the requests are translations
    body = mutate(rng) if method in (b'POST', b'PUT', b'PATCH') else b''
    headers = [b'Host: 127.0.0.1', b'Connection: close']
    ctype = rng.choice(TYPES)
    if ctype is not None: headers.append(b'Content-Type: ' + ctype)
    mode = rng.randrange(8)
    if mode == 0:  # chunked, sometimes broken
        step = 7 if len(body) < 10000 else 65536
        chunks = b''.join(b'%x\r\n' % len(body[i:i + step]) + body[i:i + step] + b'\r\n' for i in range(0, len(body), step))
        chunks += b'0\r\n\r\n'
        if rng.random() < 0.3: chunks = chunks.replace(b'\r\n', b'\n', 1) if rng.random() < 0.5 else b'zz\r\n' + chunks
        headers.append(b'Transfer-Encoding: chunked'); payload = chunks
    elif mode == 1:  # a Content-Length that lies: longer (then half-close), shorter, huge, not a number
        # A body shorter than announced keeps the server waiting for the rest (a 408 after Kestrel's
        # minimum data rate gives up, ~5 s): rare, so it does not eat the run.
        lie = rng.choice([max(0, len(body) - 3), 10 ** 12, -1, 'abc'] + ([len(body) + 10] if rng.random() < 0.01 else []))
        headers.append(b'Content-Length: ' + str(lie).encode()); payload = body
    elif mode == 2:
        headers.append(b'Expect: 100-continue'); headers.append(b'Content-Length: %d' % len(body)); payload = body
    else:
        headers.append(b'Content-Length: %d' % len(body)); payload = body
    return method, method + b' ' + path + query + b' HTTP/1.1\r\n' + b'\r\n'.join(headers) + b'\r\n\r\n' + payload

def dechunk(b):
    out = b''
    while True:
        size, _, rest = b.partition(b'\r\n')
        n = int(size.split(b';')[0], 16)
        if n == 0: return out
        out += rest[:n]; b = rest[n + 2:]

def send(raw, timeout=15):
    s = socket.create_connection(('127.0.0.1', PORT), timeout=timeout)
    try:
        try:
            s.sendall(raw)   # no half-close: Kestrel takes a FIN as the client going away (499, no answer)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered (413) and closed before reading all of a big body
        data = b''
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk: break
            data += chunk
        return data
    finally:
        s.close()

counts, failures, examples, lock = collections.Counter(), [], [], threading.Lock()
stop_at = time.time() + SECONDS
sent = [0]

def worker(wid):
    rng = random.Random(SEED * 1000 + wid)
    while time.time() < stop_at:
        with lock:
            if sent[0] >= MAX: return
            sent[0] += 1
        method, raw = request(rng)
        try:
            data = send(raw)
        except Exception as e:
            with lock: counts['error ' + type(e).__name__] += 1; failures.append((raw[:200], repr(e)))
            continue
        head, _, body = data.partition(b'\r\n\r\n')
        lines = head.split(b'\r\n')
        if not lines[0].startswith(b'HTTP/1.1 '):
            with lock: counts['no answer'] += 1; failures.append((raw[:200], data[:200]))
            continue
        status = int(lines[0].split()[1])
        hdrs = {l.split(b':', 1)[0].strip().lower(): l.split(b':', 1)[1].strip() for l in lines[1:] if b':' in l}
        key, bad = str(status), None
        if status >= 500: bad = '5xx'
        elif 400 <= status < 500 and method != b'HEAD':
            if hdrs.get(b'transfer-encoding') == b'chunked': body = dechunk(body)
            if not body: key = f'{status} (Kestrel refused the HTTP, empty body)'
            elif not hdrs.get(b'content-type', b'').startswith(b'application/problem+json'): bad = 'not problem+json'
            else:
                try:
                    doc = json.loads(body)
                    if not doc.get('detail'): bad = 'no detail'
                    if b'Exception' in body or b'.cs:line' in body: bad = 'internals'
                except ValueError: bad = 'problem is not JSON'
        with lock:
            counts[key] += 1
            if counts[key] <= 3 and 'Kestrel' in key: examples.append(raw[:160])
            if bad: failures.append((raw[:300], bad, data[:300]))

threads = [threading.Thread(target=worker, args=(i,)) for i in range(3)]
t0 = time.time()
for t in threads: t.start()
for t in threads: t.join()
print(f'{sent[0]} requests in {time.time() - t0:.1f} s: ' + ', '.join(f'{k}: {v}' for k, v in sorted(counts.items())))
print('Kestrel refused, for example:', *examples, sep='\n  ')
print(f'{len(failures)} failures')
for f in failures[:15]: print(f)
sys.exit(1 if failures else 0)
