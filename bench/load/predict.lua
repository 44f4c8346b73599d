-- wrk script for bench/load/run.sh: POSTs one single-row prediction (one credit-g applicant)
-- and, when done, prints one machine-readable line that run.sh parses.
wrk.method = "POST"
wrk.path = "/v1/models/credit:predict"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"instances":[{"checking_status":"<0","duration":36,"credit_history":"existing paid",'
  .. '"purpose":"used car","credit_amount":9000,"savings_status":"<100","employment":"1<=X<4",'
  .. '"installment_commitment":4,"personal_status":"male single","other_parties":"none",'
  .. '"residence_since":2,"property_magnitude":"car","age":28,"other_payment_plans":"none",'
  .. '"housing":"rent","existing_credits":1,"job":"skilled","num_dependents":1,'
  .. '"own_telephone":"none","foreign_worker":"yes"}]}'

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "LOADRESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d "
      .. "connect=%d read=%d write=%d timeout=%d status=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.timeout, e.status))
end
