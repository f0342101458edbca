"""The one-command load and latency benchmark: `python -m bench.load --help`.

harness     one benchmark: fakes once, then per mode our server and the baseline
processes   the fake processes, `messiah db upgrade` + `messiah serve`, the baseline server
fakes       fake OpenAI and fake Twilio (REST + media) with latency and a request log
script      the simulated callers and the fake model's answers (stateless, by request body)
driver      Twilio's side of N concurrent calls, in its own process
baseline    the seed's sequential pipeline as a small app
analysis    latency, provider time, server overhead; prom: /metrics deltas; database: checks
report      the printed report
"""
