"""From a client's answers to needs: instruments, assessments, FHIR in and out, income."""
