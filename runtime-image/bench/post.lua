-- wrk script: POSTs the body in BODY_FILE; for binary bodies HEADER_LENGTH is the JSON part's length.
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
local header = os.getenv("HEADER_LENGTH")
if header and header ~= "" then
  wrk.headers["Content-Type"] = "application/octet-stream"
  wrk.headers["Inference-Header-Content-Length"] = header
else
  wrk.headers["Content-Type"] = "application/json"
end
