-- wrk: every request is a POST with an empty body (the counter endpoints take ?by=, default 1)
wrk.method = "POST"
wrk.headers["Content-Length"] = "0"
