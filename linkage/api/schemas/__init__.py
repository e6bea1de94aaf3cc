"""Request and response schemas of the public API (they generate the OpenAPI document), one
module per concern: `common` (the strict base, codes checked against the app's data),
`search`, `resources`, `referrals` (screening and matching), `imports`, `health`, `hsds`."""
