"""Open Referral HSDS 3.0: the project's conventions and the shaping of records for the HSDS API."""
